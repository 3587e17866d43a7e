"""HTTP routers: parse input, call a service, return a response model."""

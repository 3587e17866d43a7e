"""Background workers started beside the API: webhook deliveries and the duplicate check.
Each is a loop that runs services in transactions of its own (the services only flush), in
a process of its own, so a slow receiver or a large import never waits on a request."""

"""Shared by the tests and the benchmarks (neither imports the other): a real Meilisearch on
a free port, and generated catalogue files."""

"""The demo catalogue: data files, the generator that turns them into payloads, and its loader.

Development and benchmarks only: the production image leaves this package out (.dockerignore).
"""

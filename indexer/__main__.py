"""`python -m indexer`: run the outbox drain until stopped (same as `bildungsraum indexer`)."""

from indexer.cli import run_indexer

if __name__ == "__main__":
    run_indexer()

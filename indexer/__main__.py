"""`python -m indexer [COMMAND]`: without a command, run the outbox drain until stopped."""

from indexer.cli import app

if __name__ == "__main__":
    app(prog_name="python -m indexer")

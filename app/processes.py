"""How a background loop runs as its own process (`python -m ...`): logging to stderr, and a
clean stop on SIGTERM (`docker stop`) or SIGINT (Ctrl-C)."""

import logging
import signal
import threading
from collections.abc import Callable


def run_until_signalled(serve: Callable[[threading.Event], None]) -> None:
    """Run `serve` with an event that SIGTERM and SIGINT set: the loop finishes its round and
    returns instead of being killed in the middle of a transaction."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    serve(stop)

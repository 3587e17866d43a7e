"""`bildungsraum feed prune` and `bildungsraum webhooks list|run|once`: the change feed's
retention and the webhook worker."""

import subprocess
import sys
from datetime import timedelta
from typing import Annotated

import typer

from app.cli.database import catalogue_session, require_catalogue
from app.services.public_addresses import redacted

feed_app = typer.Typer(no_args_is_help=True, help="The public change feed.")
webhooks_app = typer.Typer(no_args_is_help=True, help="Webhook endpoints and their deliveries.")


@feed_app.command("prune")
def feed_prune(
    days: Annotated[
        float | None, typer.Option(help="keep this many days (default: FEED_RETENTION_DAYS)")
    ] = None,
) -> None:
    """Drop changes older than the retention that a later change replaced, and removals; the
    feed from the beginning still holds every public offer. The indexer does this daily."""
    from app.config import get_settings
    from app.models.types import utcnow
    from app.services.changes import prune_changes

    keep = days if days is not None else get_settings().feed_retention_days
    with catalogue_session() as session:
        pruned = prune_changes(session=session, older_than=utcnow() - timedelta(days=keep))
    typer.echo(f"pruned {pruned} changes older than {keep:g} days")


@webhooks_app.command("list")
def webhooks_list() -> None:
    """Every endpoint: id, scope, state, pending deliveries, URL."""
    from app.services.auth import Actor
    from app.services.webhooks import list_endpoints, to_public_list

    with catalogue_session() as session:
        endpoints = list_endpoints(session=session, actor=Actor.system())
        rows = to_public_list(session=session, endpoints=endpoints)
    if not rows:
        typer.echo("no webhook endpoints")
    for w in rows:
        state = "active" if w.active else f"disabled: {w.disabled_reason}"
        typer.echo(
            f"{w.id}\t{w.portal or '(all)'}\t{state}\tpending {w.pending}\t{redacted(w.url)}"
        )


def _hand_over(*args: str) -> None:
    """Run the webhook worker's own program (`python -m workers.webhooks`): the API package
    never imports its workers."""
    require_catalogue()
    raise typer.Exit(subprocess.call([sys.executable, "-m", "workers.webhooks", *args]))


@webhooks_app.command("run")
def webhooks_run() -> None:
    """Deliver webhooks until stopped (what `make run` and compose.yaml start)."""
    _hand_over()


@webhooks_app.command("once")
def webhooks_once() -> None:
    """Queue and send what is due once, then exit."""
    _hand_over("--once")

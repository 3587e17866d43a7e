"""`bildungsraum moderation ...`: the review queue from the shell, as admins see it in the API."""

import json
from typing import Annotated, Any

import typer

from app.errors import DomainError
from app.models.moderation import ModerationResult

app = typer.Typer(no_args_is_help=True, help="Review submitted offers and pending revisions.")

Ids = Annotated[list[int], typer.Argument(help="offer ids", min=1)]


def _short(value: Any, width: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= width else text[: width - 1] + "…"


@app.command("list")
def list_queue(
    org: Annotated[int | None, typer.Option(help="only this organisation's offers")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="how many, oldest first")] = 50,
) -> None:
    """What waits for review, longest waiting first: id, kind, since, provider, title; a
    revision's changed fields below it."""
    from app.cli.database import catalogue_session
    from app.services.moderation import moderation_queue

    with catalogue_session() as session:
        total, items = moderation_queue(session=session, organisation_id=org, offset=0, limit=limit)
    if not items:
        typer.echo("nothing waits for review")
        return
    for item in items:
        typer.echo(
            f"{item.offer_id}\t{item.kind}\t{item.waiting_since:%Y-%m-%d %H:%M}\t"
            f"{item.organisation_name}\t{item.title}"
        )
        for change in item.changes:
            typer.echo(f"    {change.field}: {_short(change.before)} -> {_short(change.after)}")
    if total > len(items):
        typer.echo(f"... {total - len(items)} more (--limit)")


def _report(result: ModerationResult) -> None:
    for r in result.results:
        if r.ok:
            typer.echo(f"{r.offer_id}\t{r.outcome}")
        else:
            assert r.error is not None
            typer.echo(f"{r.offer_id}\tFAILED: {r.error.message}")
    typer.echo(f"{result.done} done, {result.failed} failed")
    if result.failed:
        raise typer.Exit(1)


def _decide(action: str, ids: list[int], reason: str | None = None) -> None:
    from pydantic import ValidationError

    from app.cli.database import catalogue_session
    from app.models.moderation import ModerationIds, ModerationReject
    from app.services.auth import Actor
    from app.services.moderation import publish_many, reject_many

    actor = Actor.system("cli")
    try:
        if reason is None:
            body = ModerationIds(offer_ids=ids)
        else:
            body = ModerationReject(offer_ids=ids, reason=reason)
    except ValidationError as exc:
        typer.echo(f"error: {exc.errors()[0]['msg'].removeprefix('Value error, ')}", err=True)
        raise typer.Exit(2) from None
    try:
        with catalogue_session() as session:
            if isinstance(body, ModerationReject):
                result = reject_many(
                    session=session, actor=actor, offer_ids=body.offer_ids, reason=body.reason
                )
            else:
                result = publish_many(session=session, actor=actor, offer_ids=body.offer_ids)
    except DomainError as exc:
        for detail in exc.details:
            typer.echo(f"{ids[detail['loc'][1]]}\tFAILED: {detail['message']}", err=True)
        typer.echo(f"error: {exc.message}; nothing changed", err=True)
        raise typer.Exit(1) from None
    _report(result)


@app.command("publish")
def publish(ids: Ids) -> None:
    """Publish offers and pending revisions; each id on its own. Exit 1 when any failed."""
    _decide("publish", ids)


@app.command("reject")
def reject(
    ids: Ids,
    reason: Annotated[str, typer.Option(help="why; the providers see it")],
) -> None:
    """Reject offers and pending revisions with a reason; each id on its own."""
    _decide("reject", ids, reason)

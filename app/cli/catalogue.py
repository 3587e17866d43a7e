"""Catalogue set-up commands: schema, organisations, API keys and the demo catalogue."""

from datetime import UTC, datetime
from typing import Annotated

import typer

from app.cli.database import catalogue_session
from app.codelists import OrganisationKind
from app.config import get_settings
from app.models.api_key import PORTAL_ROLES, Role
from app.models.organisation import OrganisationIn
from app.services.auth import Actor, create_api_key
from app.services.organisations import create_organisation

app = typer.Typer()


@app.command("migrate")
def migrate() -> None:
    """Bring the database schema up to date."""
    from app.migrations import upgrade

    url = get_settings().sqlalchemy_url
    upgrade(url)
    typer.echo("database schema is up to date")


@app.command("create-org")
def create_org(
    name: Annotated[str, typer.Option(help="the organisation's name")],
    kind: Annotated[OrganisationKind, typer.Option(help="what kind of organisation")],
    trusted: Annotated[
        bool, typer.Option("--trusted", help="publish its offers without review")
    ] = False,
) -> None:
    """Register an organisation; prints its id as the last line."""
    data = OrganisationIn(name=name, kind=kind, trusted=trusted)
    with catalogue_session() as session:
        org = create_organisation(session=session, actor=Actor.system(), data=data)
        org_id = org.id
    typer.echo(f"created organisation {name!r} ({kind.value}{', trusted' if trusted else ''})")
    typer.echo(str(org_id))


@app.command("create-key")
def create_key(
    role: Annotated[
        Role,
        typer.Option(
            help="admin (regional agency), provider, analyst (monitoring) or operator "
            "(a portal's webhooks)"
        ),
    ],
    org: Annotated[
        int | None, typer.Option(help="the organisation a provider key belongs to")
    ] = None,
    name: Annotated[str | None, typer.Option(help="a note on who uses the key")] = None,
    portal: Annotated[
        list[str] | None,
        typer.Option(help="analyst and operator keys: a portal whose figures it reads or runs"),
    ] = None,
    expires: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"],
            help="the key stops working at this time (UTC); a day means its start",
        ),
    ] = None,
) -> None:
    """Create an API key; prints the key as the last line. It is shown only this once."""
    from app.errors import DomainError, InvalidInput
    from app.services.monitoring.regions import bind_analyst

    expires_at = None if expires is None else expires.replace(tzinfo=UTC)
    try:
        with catalogue_session() as session:
            if (role in PORTAL_ROLES) != bool(portal):
                raise InvalidInput.at(
                    ["portal"], "analyst and operator keys, and only they, name --portal"
                )
            key, plain = create_api_key(
                session=session, role=role, organisation_id=org, name=name, expires_at=expires_at
            )
            if role in PORTAL_ROLES:
                assert key.id is not None
                bind_analyst(session=session, api_key_id=key.id, slugs=list(portal or []))
    except DomainError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"created {role.value} key; store it now, it cannot be shown again:")
    typer.echo(plain)


@app.command("load-demo")
def load_demo(
    offers: Annotated[int, typer.Option(help="how many offers")] = 320,
    organisations: Annotated[int, typer.Option(help="how many organisations")] = 36,
) -> None:
    """Load the deterministic demo catalogue (skipped when organisations exist already)."""
    try:
        from app.demo.loader import load_demo_catalogue
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("app.demo"):
            raise
        typer.echo("error: no demo catalogue installed (production images leave it out)", err=True)
        raise typer.Exit(2) from None

    with catalogue_session() as session:
        created = load_demo_catalogue(
            session=session, offers=offers, organisations=organisations, progress=True
        )
    if created:
        typer.echo(f"loaded {created} demo offers")
    else:
        typer.echo("the database has organisations already; demo data not loaded")

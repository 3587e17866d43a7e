"""`bildungsraum portal ...`: create and list portals and add counselling contacts."""

from typing import Annotated

import typer
from pydantic import ValidationError

from app.codelists import Category
from app.db import session_scope
from app.errors import DomainError
from app.models.portal import ContactIn, Moderation, PortalCreate
from app.services import portals as service

Ids = list[int] | None
Categories = list[Category] | None

app = typer.Typer(no_args_is_help=True, help="Regional portals and their counselling.")


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


@app.command("create")
def create(
    slug: Annotated[str, typer.Option(help="short name in URLs: /p/<slug>/")],
    name: Annotated[str, typer.Option(help="the portal's title")],
    postcode: Annotated[
        list[str] | None, typer.Option(help="a postcode of the region (repeat)")
    ] = None,
    postcode_prefix: Annotated[
        list[str] | None, typer.Option(help="a postcode prefix of the region, e.g. 447 (repeat)")
    ] = None,
    center_postcode: Annotated[str | None, typer.Option(help="centre of a radius region")] = None,
    radius_km: Annotated[float | None, typer.Option(help="radius around the centre")] = None,
    category: Annotated[Categories, typer.Option(help="show only these topics")] = None,
    block_category: Annotated[Categories, typer.Option(help="hide these topics")] = None,
    provider: Annotated[Ids, typer.Option(help="show only these providers (ids)")] = None,
    block_provider: Annotated[Ids, typer.Option(help="hide these providers (ids)")] = None,
    moderation: Annotated[
        Moderation,
        typer.Option(
            help="trusted_publish: trusted providers publish directly; review_all: reviewed only"
        ),
    ] = Moderation.trusted_publish,
    language: Annotated[list[str] | None, typer.Option(help="page languages: de, en")] = None,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option(help="a website allowed to call the portal API, e.g. https://www.bochum.de"),
    ] = None,
) -> None:
    """Create a portal; prints its search page path as the last line."""
    try:
        data = PortalCreate(
            slug=slug,
            name=name,
            postcodes=postcode or [],
            postcode_prefixes=postcode_prefix or [],
            center_postcode=center_postcode,
            radius_km=radius_km,
            categories_allow=category or [],
            categories_block=block_category or [],
            providers_allow=provider or [],
            providers_block=block_provider or [],
            moderation=moderation,
            languages=language or ["de", "en"],
            cors_origins=cors_origin or [],
        )
    except ValidationError as exc:
        _fail(
            "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'portal'}: {e['msg']}" for e in exc.errors()
            )
        )
        return
    try:
        with session_scope() as session:
            service.create_portal(session=session, data=data)
    except DomainError as exc:
        _fail(exc.message)
    typer.echo(f"created portal {slug!r} ({name})")
    typer.echo(f"/p/{slug}/")


@app.command("list")
def list_() -> None:
    """One line per portal: slug, name and region."""
    with session_scope() as session:
        portals = service.list_portals(session=session)
        lines = []
        for p in portals:
            region = [*p.postcodes, *(f"{x}*" for x in p.postcode_prefixes)]
            if p.radius_km is not None:
                region.append(f"{p.radius_km:g} km um {p.center_postcode or 'Mittelpunkt'}")
            lines.append(f"{p.slug}\t{p.name}\t{', '.join(region)}\t{p.moderation}")
    if not lines:
        typer.echo("no portals yet")
    for line in lines:
        typer.echo(line)


@app.command("add-contact")
def add_contact(
    slug: Annotated[str, typer.Option(help="the portal")],
    name: Annotated[str, typer.Option(help="e.g. 'Weiterbildungsberatung VHS Bochum'")],
    street: Annotated[str | None, typer.Option()] = None,
    postcode: Annotated[str | None, typer.Option()] = None,
    city: Annotated[str | None, typer.Option()] = None,
    phone: Annotated[str | None, typer.Option()] = None,
    email: Annotated[str | None, typer.Option()] = None,
    url: Annotated[str | None, typer.Option()] = None,
    opening_hours: Annotated[
        str | None, typer.Option(help="free text, e.g. 'Mo–Do 9–16 Uhr'")
    ] = None,
) -> None:
    """Add a counselling contact (Weiterbildungsberatung); prints its id as the last line."""
    try:
        data = ContactIn.model_validate(
            {
                "name": name,
                "street": street,
                "postcode": postcode,
                "city": city,
                "phone": phone,
                "email": email,
                "url": url,
                "opening_hours": opening_hours,
            }
        )
    except ValidationError as exc:
        _fail("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()))
        return
    try:
        with session_scope() as session:
            contact = service.add_contact(session=session, slug=slug, data=data)
            contact_id = contact.id
    except DomainError as exc:
        _fail(exc.message)
    typer.echo(f"added counselling contact {name!r} to portal {slug!r}")
    typer.echo(str(contact_id))

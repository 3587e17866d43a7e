"""`bildungsraum portal ...`: portals and their counselling contacts, as the admin API has them
(create, list, update, delete; contacts, add-contact, remove-contact)."""

from typing import Annotated

import typer
from pydantic import ValidationError

from app.cli.database import catalogue_session
from app.codelists import Category
from app.errors import DomainError
from app.models.portal import ContactIn, DuplicateDisplay, Moderation, PortalCreate, PortalPatch
from app.services import portals as service

Ids = list[int] | None
Categories = list[Category] | None

app = typer.Typer(no_args_is_help=True, help="Regional portals and their counselling.")


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def _invalid(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(map(str, e['loc'])) or 'portal'}: {e['msg'].removeprefix('Value error, ')}"
        for e in exc.errors()
    )


# `portal update --clear NAME`: settings that can be emptied, by their option's name.
CLEARABLE = {
    "postcode": ["postcodes"],
    "postcode-prefix": ["postcode_prefixes"],
    "radius": ["center_postcode", "center_lat", "center_lon", "radius_km"],
    "category": ["categories_allow"],
    "block-category": ["categories_block"],
    "provider": ["providers_allow"],
    "block-provider": ["providers_block"],
    "cors-origin": ["cors_origins"],
    "imprint-url": ["imprint_url"],
    "privacy-url": ["privacy_url"],
    "sign-language-url": ["sign_language_url"],
    "accessibility-contact": ["accessibility_email", "accessibility_phone"],
}


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
    min_completeness: Annotated[
        int, typer.Option(help="offers below this completeness (0-100) wait for review")
    ] = 0,
    hide_stale: Annotated[bool, typer.Option(help="hide offers unchanged for 12 months")] = False,
    duplicates: Annotated[
        DuplicateDisplay,
        typer.Option(help="also_offered: name the other providers of a duplicate; hidden: not"),
    ] = DuplicateDisplay.also_offered,
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
            min_completeness=min_completeness,
            hide_stale=hide_stale,
            duplicates=duplicates,
        )
    except ValidationError as exc:
        _fail(_invalid(exc))
        return
    try:
        with catalogue_session() as session:
            service.create_portal(session=session, data=data)
    except DomainError as exc:
        _fail(exc.message)
    typer.echo(f"created portal {slug!r} ({name})")
    typer.echo(f"/p/{slug}/")


@app.command("list")
def list_() -> None:
    """One line per portal: slug, name and region."""
    with catalogue_session() as session:
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
        _fail(_invalid(exc))
        return
    try:
        with catalogue_session() as session:
            contact = service.add_contact(session=session, slug=slug, data=data)
            contact_id = contact.id
    except DomainError as exc:
        _fail(exc.message)
    typer.echo(f"added counselling contact {name!r} to portal {slug!r}")
    typer.echo(str(contact_id))


@app.command("update")
def update(
    slug: Annotated[str, typer.Option(help="the portal")],
    name: Annotated[str | None, typer.Option(help="the portal's title")] = None,
    postcode: Annotated[
        list[str] | None, typer.Option(help="a postcode of the region (repeat; replaces)")
    ] = None,
    postcode_prefix: Annotated[
        list[str] | None, typer.Option(help="a postcode prefix, e.g. 447 (repeat; replaces)")
    ] = None,
    center_postcode: Annotated[str | None, typer.Option(help="centre of a radius region")] = None,
    radius_km: Annotated[float | None, typer.Option(help="radius around the centre")] = None,
    category: Annotated[Categories, typer.Option(help="show only these topics")] = None,
    block_category: Annotated[Categories, typer.Option(help="hide these topics")] = None,
    provider: Annotated[Ids, typer.Option(help="show only these providers (ids)")] = None,
    block_provider: Annotated[Ids, typer.Option(help="hide these providers (ids)")] = None,
    moderation: Annotated[Moderation | None, typer.Option(help="the moderation rule")] = None,
    language: Annotated[list[str] | None, typer.Option(help="page languages: de, en")] = None,
    cors_origin: Annotated[
        list[str] | None, typer.Option(help="a website allowed to call the portal API")
    ] = None,
    min_completeness: Annotated[
        int | None, typer.Option(help="offers below this completeness (0-100) wait for review")
    ] = None,
    hide_stale: Annotated[
        bool | None,
        typer.Option("--hide-stale/--show-stale", help="hide offers unchanged for 12 months"),
    ] = None,
    imprint_url: Annotated[str | None, typer.Option(help="the operator's Impressum")] = None,
    privacy_url: Annotated[str | None, typer.Option(help="the operator's Datenschutz")] = None,
    sign_language_url: Annotated[
        str | None, typer.Option(help="information in Deutsche Gebärdensprache")
    ] = None,
    accessibility_email: Annotated[
        str | None, typer.Option(help="where citizens report barriers")
    ] = None,
    accessibility_phone: Annotated[str | None, typer.Option(help="the same by phone")] = None,
    duplicates: Annotated[
        DuplicateDisplay | None,
        typer.Option(help="also_offered: name the other providers of a duplicate; hidden: not"),
    ] = None,
    clear: Annotated[
        list[str] | None,
        typer.Option(help=f"empty a setting (repeat): {', '.join(CLEARABLE)}"),
    ] = None,
) -> None:
    """Change the settings given; a repeated option replaces the whole list. The result must
    still describe a region."""
    changes: dict[str, object] = {}
    for option in clear or []:
        if option not in CLEARABLE:
            _fail(f"--clear {option}: use one of {', '.join(CLEARABLE)}")
        for setting in CLEARABLE[option]:
            changes[setting] = [] if setting.endswith("s") else None
    given = {
        "name": name,
        "postcodes": postcode,
        "postcode_prefixes": postcode_prefix,
        "center_postcode": center_postcode,
        "radius_km": radius_km,
        "categories_allow": category,
        "categories_block": block_category,
        "providers_allow": provider,
        "providers_block": block_provider,
        "moderation": moderation,
        "languages": language,
        "cors_origins": cors_origin,
        "min_completeness": min_completeness,
        "hide_stale": hide_stale,
        "imprint_url": imprint_url,
        "privacy_url": privacy_url,
        "sign_language_url": sign_language_url,
        "accessibility_email": accessibility_email,
        "accessibility_phone": accessibility_phone,
        "duplicates": duplicates,
    }
    changes |= {k: v for k, v in given.items() if v is not None}
    if not changes:
        _fail("nothing to change: give at least one setting (see --help)")
    try:
        data = PortalPatch.model_validate(changes)
    except ValidationError as exc:
        _fail(_invalid(exc))
        return
    try:
        with catalogue_session() as session:
            service.update_portal(session=session, slug=slug, data=data)
    except DomainError as exc:
        _fail(exc.message)
    typer.echo(f"updated portal {slug!r}: {', '.join(sorted(changes))}")


@app.command("delete")
def delete(slug: Annotated[str, typer.Option(help="the portal")]) -> None:
    """Delete a portal and its counselling contacts (offers are not touched)."""
    try:
        with catalogue_session() as session:
            portal = service.get_portal(session=session, slug=slug)
            contacts = len(service.list_contacts(session=session, portal=portal))
            service.delete_portal(session=session, slug=slug)
    except DomainError as exc:
        _fail(exc.message)
    typer.echo(f"deleted portal {slug!r} and its {contacts} counselling contact(s)")


@app.command("contacts")
def contacts(slug: Annotated[str, typer.Option(help="the portal")]) -> None:
    """The portal's counselling contacts, one line each: id, name, phone, e-mail."""
    try:
        with catalogue_session() as session:
            portal = service.get_portal(session=session, slug=slug)
            rows = [
                f"{c.id}\t{c.name}\t{c.phone or ''}\t{c.email or ''}"
                for c in service.list_contacts(session=session, portal=portal)
            ]
    except DomainError as exc:
        _fail(exc.message)
        return
    if not rows:
        typer.echo(f"portal {slug!r} has no counselling contacts yet")
    for row in rows:
        typer.echo(row)


@app.command("remove-contact")
def remove_contact(
    slug: Annotated[str, typer.Option(help="the portal")],
    contact_id: Annotated[
        int, typer.Option("--id", help="the contact's id (see `portal contacts`)")
    ],
) -> None:
    """Remove a counselling contact from a portal."""
    try:
        with catalogue_session() as session:
            service.delete_contact(session=session, slug=slug, contact_id=contact_id)
    except DomainError as exc:
        _fail(exc.message)
    typer.echo(f"removed contact {contact_id} from portal {slug!r}")

"""Following a portal's search: the Atom feed of newly published matching offers and the
OpenSearch description browsers use to add the portal's search. XML is built with lxml, so
whatever a provider wrote is text in it, never markup."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

import anyio
from lxml import etree
from sqlalchemy import tuple_
from sqlmodel import Session, col, select

from app.codelists import OfferStatus
from app.db import session_scope
from app.i18n import code_label
from app.models.offer import Offer
from app.models.organisation import Organisation
from app.models.portal import Portal
from app.models.search import SearchParams
from app.search.service import matching_offer_ids
from app.services.follow_links import feed_path, search_query
from app.services.page_texts import texts
from app.services.portals import public_portal

ATOM = "http://www.w3.org/2005/Atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
OPENSEARCH_TYPE = "application/opensearchdescription+xml; charset=utf-8"
# A feed lists the newest publications its search finds: it reads publications newest first in
# batches, asks the search which of each batch it finds, and stops at FEED_ENTRIES or after
# FEED_BATCHES batches (a feed reader polls for what is new, not for the whole catalogue; a
# regional portal in a national catalogue matches only some of any batch).
FEED_BATCH = 500
FEED_BATCHES = 6
FEED_ENTRIES = 50
SUMMARY_CHARS = 400
# Characters XML 1.0 cannot carry at all; lxml refuses them, so they are dropped first.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: str | None) -> str:
    return _NOT_XML.sub("", value or "")


@dataclass(frozen=True)
class FeedEntry:
    offer_id: int
    title: str
    subtitle: str | None
    provider: str
    category: str
    summary: str
    published_at: datetime
    updated_at: datetime


Position = tuple[datetime, int]


def newest_publications(
    *, session: Session, before: Position | None = None, limit: int = FEED_BATCH
) -> list[Position]:
    """Publication time and id of offers ever published, newest first, after `before` if
    given. Offers withdrawn since are among them: the search does not find them, and
    `feed_entries` checks again. Filtering on the status here would steer the database to the
    status index and a sort of every published offer (measured ~25 ms a batch at 20k)."""
    query = select(Offer.published_at, Offer.id).where(col(Offer.published_at).is_not(None))
    if before is not None:
        query = query.where(tuple_(col(Offer.published_at), col(Offer.id)) < tuple_(*before))
    rows = session.exec(
        query.order_by(col(Offer.published_at).desc(), col(Offer.id).desc()).limit(limit)
    )
    return [(moment, offer_id) for moment, offer_id in rows if moment and offer_id]


def feed_entries(*, session: Session, offer_ids: list[int]) -> list[FeedEntry]:
    """The entries for these offers, in the given order; one withdrawn meanwhile is left out."""
    if not offer_ids:
        return []
    rows = session.exec(
        select(Offer, Organisation.name)
        .join(Organisation, col(Organisation.id) == col(Offer.organisation_id))
        .where(col(Offer.id).in_(offer_ids), Offer.status == OfferStatus.published)
    ).all()
    by_id = {offer.id: (offer, name) for offer, name in rows}
    entries = []
    for offer_id in offer_ids:
        if offer_id not in by_id:
            continue
        offer, provider = by_id[offer_id]
        published = offer.published_at or offer.updated_at
        summary = " ".join(offer.description.split())
        if len(summary) > SUMMARY_CHARS:
            summary = summary[:SUMMARY_CHARS].rsplit(" ", 1)[0] + " …"
        entries.append(
            FeedEntry(
                offer_id=offer_id,
                title=offer.title,
                subtitle=offer.subtitle,
                provider=provider,
                category=offer.category,
                summary=summary,
                published_at=published,
                updated_at=max(published, offer.updated_at),
            )
        )
    return entries


def _batch(before: Position | None) -> list[Position]:
    with session_scope() as session:
        return newest_publications(session=session, before=before, limit=FEED_BATCH)


def _entries(offer_ids: list[int]) -> list[FeedEntry]:
    with session_scope() as session:
        return feed_entries(session=session, offer_ids=offer_ids)


async def search_feed(*, slug: str, params: SearchParams, base_url: str, lang: str) -> bytes:
    """The Atom feed of a portal search: the newest publications the search finds."""
    public = await public_portal(slug)
    chosen: list[int] = []
    before: Position | None = None
    for _ in range(FEED_BATCHES):
        batch = await anyio.to_thread.run_sync(_batch, before)
        ids = [offer_id for _, offer_id in batch]
        found = await matching_offer_ids(params, scope=public.scope, offer_ids=ids)
        chosen += [i for i in ids if i in found]
        if len(chosen) >= FEED_ENTRIES or len(batch) < FEED_BATCH:
            break
        before = batch[-1]
    entries = await anyio.to_thread.run_sync(_entries, chosen[:FEED_ENTRIES])
    return atom_feed(
        portal=public.portal, params=params, entries=entries, base_url=base_url, lang=lang
    )


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def atom_feed(
    *, portal: Portal, params: SearchParams, entries: list[FeedEntry], base_url: str, lang: str
) -> bytes:
    t = texts(lang)
    query = search_query(params, lang=lang)
    page_url = f"{base_url}/p/{portal.slug}/" + (f"?{urlencode(query)}" if query else "")
    self_url = base_url + feed_path(portal.slug, params, lang=lang)
    title = (
        t.gettext("feed_title_q").format(portal=portal.name, q=params.q)
        if params.q
        else t.gettext("feed_title").format(portal=portal.name)
    )
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    feed.set("{http://www.w3.org/XML/1998/namespace}lang", lang)

    def add(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> None:
        child = etree.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            child.text = xml_text(text)

    add(feed, "id", self_url)
    add(feed, "title", title)
    add(feed, "subtitle", t.gettext("feed_subtitle"))
    updated = max((e.updated_at for e in entries), default=portal.updated_at)
    add(feed, "updated", _iso(updated))
    add(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    add(feed, "link", rel="alternate", type="text/html", href=page_url)
    author = etree.SubElement(feed, f"{{{ATOM}}}author")
    add(author, "name", portal.name)
    add(feed, "generator", "Bildungsraum")
    for e in entries:
        url = f"{base_url}/p/{portal.slug}/angebote/{e.offer_id}"
        if lang != "de":
            url += f"?lang={lang}"
        entry = etree.SubElement(feed, f"{{{ATOM}}}entry")
        add(entry, "id", f"{base_url}/p/{portal.slug}/angebote/{e.offer_id}")
        add(entry, "title", e.title + (f" – {e.subtitle}" if e.subtitle else ""), type="text")
        add(entry, "link", rel="alternate", type="text/html", href=url)
        add(entry, "published", _iso(e.published_at))
        add(entry, "updated", _iso(e.updated_at))
        entry_author = etree.SubElement(entry, f"{{{ATOM}}}author")
        add(entry_author, "name", e.provider)
        add(entry, "category", term=e.category, label=code_label("category", e.category, lang))
        add(entry, "summary", e.summary, type="text")
    return bytes(etree.tostring(feed, xml_declaration=True, encoding="utf-8"))


def opensearch_description(*, portal: Portal, base_url: str, lang: str) -> bytes:
    """The OpenSearch 1.1 description: browsers offer the portal's search from it."""
    t = texts(lang)
    doc = etree.Element(f"{{{OPENSEARCH}}}OpenSearchDescription", nsmap={None: OPENSEARCH})

    def add(tag: str, text: str | None = None, **attrs: str) -> None:
        child = etree.SubElement(doc, f"{{{OPENSEARCH}}}{tag}", attrs)
        if text is not None:
            child.text = xml_text(text)

    # The specification allows 16 characters for the short name.
    add("ShortName", portal.name[:16])
    add("Description", t.gettext("opensearch_description").format(portal=portal.name)[:1024])
    add("InputEncoding", "UTF-8")
    add("Language", lang)
    lang_part = "" if lang == "de" else f"&lang={lang}"
    add(
        "Url",
        type="text/html",
        method="get",
        template=f"{base_url}/p/{portal.slug}/?q={{searchTerms}}{lang_part}",
    )
    add(
        "Url",
        type="application/atom+xml",
        template=f"{base_url}/p/{portal.slug}/neu.atom?q={{searchTerms}}{lang_part}",
    )
    add(
        "Url",
        type="application/opensearchdescription+xml",
        rel="self",
        template=f"{base_url}/p/{portal.slug}/opensearch.xml"
        + (f"?lang={lang}" if lang != "de" else ""),
    )
    return bytes(etree.tostring(doc, xml_declaration=True, encoding="utf-8"))

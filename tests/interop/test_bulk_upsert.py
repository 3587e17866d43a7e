"""The bulk upsert of a file's offers: which delivered offers it skips as unchanged."""

import io
from collections.abc import Callable

from sqlmodel import select

from app import db
from app.models.api_key import Role
from app.models.offer import Offer
from app.services import moderation, offers
from app.services.auth import Actor
from app.services.interop import import_file
from app.services.interop.report import ImportReport
from testkit.openvhs_files import course_xml, programme

GUID = "7A1C0E52-0000-4000-8000-0000000000A1"


def _import(actor: Actor, data: bytes) -> ImportReport:
    with db.session_scope() as session:
        return import_file(
            session=session,
            actor=actor,
            organisation_id=actor.organisation_id,
            stream=io.BytesIO(data),
        )


def _offer(offer_id: int) -> Offer:
    with db.session_scope() as session:
        offer = session.get(Offer, offer_id)
        assert offer is not None
        return offer


def test_a_file_back_at_the_public_content_drops_the_waiting_revision(
    make_org: Callable[..., int],
) -> None:
    org_id = make_org(name="vhs Bochum", kind="vhs")
    provider = Actor(role=Role.provider, organisation_id=org_id, label="test")
    original = programme(course_xml(GUID, "Englisch B1 – Konversation"))
    renamed = programme(course_xml(GUID, "Englisch B1 – Konversation am Abend"))
    assert _import(provider, original).created == 1
    with db.session_scope() as session:
        offer_id = session.exec(select(Offer.id)).one()
        assert offer_id is not None
        offers.publish_offer(session=session, actor=Actor.system("test"), offer_id=offer_id)

    def counts(report: ImportReport) -> tuple[int, int]:
        return report.updated, report.unchanged

    def outcomes(report: ImportReport) -> list[str]:
        return [o.outcome for o in report.outcomes]

    waiting = _import(provider, renamed)
    assert (counts(waiting), outcomes(waiting)) == ((1, 0), ["changes_wait_for_review"])
    assert _offer(offer_id).pending_revision is not None
    back = _import(provider, original)
    assert (counts(back), outcomes(back)) == ((1, 0), ["published"])
    offer = _offer(offer_id)
    assert (offer.pending_revision, offer.title) == (None, "Englisch B1 – Konversation")
    assert offer.reviewed_at is not None
    with db.session_scope() as session:
        total, _ = moderation.moderation_queue(
            session=session, organisation_id=None, offset=0, limit=10
        )
    assert total == 0
    # Delivered once more, it is unchanged.
    assert counts(_import(provider, original)) == (0, 1)

"""Regional portals (region, rules, CORS origins) and their counselling contacts."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    StringConstraints,
    model_validator,
)
from sqlalchemy import JSON, Column, ForeignKey, Integer, Text
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from app.codelists import Category
from app.i18n import LANGUAGES
from app.models.organisation import Postcode
from app.models.types import DbId, InputModel, UTCDateTime, utcnow

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")]
PostcodePrefix = Annotated[str, StringConstraints(pattern=r"^\d{1,4}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# An origin as browsers send it: scheme, host and optional port, no path.
Origin = Annotated[
    str, StringConstraints(max_length=200, pattern=r"^https?://[A-Za-z0-9.-]+(?::\d{1,5})?$")
]
# A page language: one with a catalogue in app/locale (app/i18n.py).
UiLanguage = Annotated[str, StringConstraints(pattern=rf"^({'|'.join(LANGUAGES)})$")]


# A map tile server's URL template: http(s), a host (a `{s}` subdomain allowed) and a path
# with the {z}/{x}/{y} placeholders; no quotes, spaces or angle brackets (it goes into CSP).
def _tile_placeholders(url: str) -> str:
    if not all(p in url for p in ("{z}", "{x}", "{y}")):
        raise ValueError("a tile URL needs the placeholders {z}, {x} and {y}")
    return url


TileUrl = Annotated[
    str,
    StringConstraints(
        max_length=300, pattern=r"^https?://[A-Za-z0-9.{}-]+(?::\d{1,5})?/[^\s\"'<>;,]*$"
    ),
    AfterValidator(_tile_placeholders),
]
Attribution = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)]
Hours = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]
Completeness = Annotated[int, Field(ge=0, le=100)]
# A page citizens are sent to: http(s) only, so a link can never run script.
PageUrl = Annotated[HttpUrl, Field(max_length=500)]


class Moderation(StrEnum):
    # Offers of trusted providers are shown as soon as they publish.
    trusted_publish = "trusted_publish"
    # Only offers an admin has reviewed are shown.
    review_all = "review_all"


class DuplicateDisplay(StrEnum):
    # The canonical hit names the other providers of the same offer: "auch angeboten von …".
    also_offered = "also_offered"
    # Only the canonical offer is shown, without a word on the others.
    hidden = "hidden"


class Portal(SQLModel, table=True):
    __tablename__ = "portal"

    id: int | None = SQLField(default=None, primary_key=True)
    slug: str = SQLField(max_length=60, unique=True)
    name: str = SQLField(max_length=200)
    postcodes: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    postcode_prefixes: list[str] = SQLField(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    center_postcode: str | None = SQLField(default=None, max_length=5)
    center_lat: float | None = None
    center_lon: float | None = None
    radius_km: float | None = None
    categories_allow: list[str] = SQLField(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    categories_block: list[str] = SQLField(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    providers_allow: list[int] = SQLField(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    providers_block: list[int] = SQLField(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    moderation: str = SQLField(default=Moderation.trusted_publish.value, max_length=20)
    languages: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    cors_origins: list[str] = SQLField(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Data quality (docs/quality.md): offers below this completeness wait for an admin's review
    # before the portal shows them; stale offers (unchanged for a year) can be hidden.
    min_completeness: int = 0
    hide_stale: bool = False
    # Offers an admin marked as the same as another provider's are never a hit of their own;
    # this says whether the canonical hit names their providers.
    duplicates: str = SQLField(default=DuplicateDisplay.also_offered.value, max_length=20)
    # The operator's legal pages and accessibility contacts, linked from every page's footer.
    imprint_url: str | None = SQLField(default=None, max_length=500)
    privacy_url: str | None = SQLField(default=None, max_length=500)
    sign_language_url: str | None = SQLField(default=None, max_length=500)
    accessibility_email: str | None = SQLField(default=None, max_length=200)
    accessibility_phone: str | None = SQLField(default=None, max_length=50)
    # The map view's tiles; none: OpenStreetMap's, with its attribution (app/services/map_view.py).
    map_tile_url: str | None = SQLField(default=None, max_length=300)
    map_attribution: str | None = SQLField(default=None, max_length=300)
    map_attribution_url: str | None = SQLField(default=None, max_length=500)
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = SQLField(default_factory=utcnow, sa_type=UTCDateTime)


class CounsellingContact(SQLModel, table=True):
    """A Weiterbildungsberatung of the portal's region: the citizen's first contact point."""

    __tablename__ = "counselling_contact"

    id: int | None = SQLField(default=None, primary_key=True)
    portal_id: int = SQLField(
        sa_column=Column(
            Integer, ForeignKey("portal.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    position: int = 0
    name: str = SQLField(max_length=200)
    street: str | None = SQLField(default=None, max_length=200)
    postcode: str | None = SQLField(default=None, max_length=5)
    city: str | None = SQLField(default=None, max_length=100)
    phone: str | None = SQLField(default=None, max_length=50)
    email: str | None = SQLField(default=None, max_length=200)
    url: str | None = SQLField(default=None, max_length=500)
    opening_hours: str | None = SQLField(default=None, sa_column=Column(Text))


# --- API schemas -------------------------------------------------------------------------


class ContactIn(InputModel):
    name: Name
    street: Name | None = None
    postcode: Postcode | None = None
    city: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    phone: Phone | None = None
    email: EmailStr | None = None
    url: HttpUrl | None = None
    opening_hours: Hours | None = None


class ContactPatch(InputModel):
    not_null = frozenset({"name"})

    name: Name | None = None
    street: Name | None = None
    postcode: Postcode | None = None
    city: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    phone: Phone | None = None
    email: EmailStr | None = None
    url: HttpUrl | None = None
    opening_hours: Hours | None = None


class ContactPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    street: str | None
    postcode: str | None
    city: str | None
    phone: str | None
    email: str | None
    url: str | None
    opening_hours: str | None


class PortalFields(InputModel):
    """Everything an operator configures; the region needs postcodes, prefixes or a radius."""

    name: Name
    postcodes: list[Postcode] = Field(default_factory=list, max_length=2000)
    postcode_prefixes: list[PostcodePrefix] = Field(default_factory=list, max_length=200)
    center_postcode: Postcode | None = None
    center_lat: float | None = Field(default=None, ge=-90, le=90)
    center_lon: float | None = Field(default=None, ge=-180, le=180)
    radius_km: float | None = Field(default=None, gt=0, le=300)
    categories_allow: list[Category] = Field(default_factory=list)
    categories_block: list[Category] = Field(default_factory=list)
    providers_allow: list[DbId] = Field(default_factory=list, max_length=2000)
    providers_block: list[DbId] = Field(default_factory=list, max_length=2000)
    moderation: Moderation = Moderation.trusted_publish
    languages: list[UiLanguage] = Field(default_factory=lambda: ["de", "en"], min_length=1)
    cors_origins: list[Origin] = Field(default_factory=list, max_length=50)
    min_completeness: Completeness = Field(
        default=0,
        description="offers below this completeness (0-100) are shown once an admin reviewed them",
    )
    hide_stale: bool = Field(
        default=False, description="hide offers their provider has not changed for 12 months"
    )
    duplicates: DuplicateDisplay = Field(
        default=DuplicateDisplay.also_offered,
        description="offers marked the same as another's: also_offered names their providers "
        "under the canonical hit, hidden leaves them out without a word",
    )
    imprint_url: PageUrl | None = None
    privacy_url: PageUrl | None = None
    sign_language_url: PageUrl | None = Field(
        default=None, description="information on the portal in Deutsche Gebärdensprache (DGS)"
    )
    accessibility_email: EmailStr | None = Field(
        default=None, description="where citizens report barriers (accessibility statement)"
    )
    accessibility_phone: Phone | None = None
    map_tile_url: TileUrl | None = None
    map_attribution: Attribution | None = None
    map_attribution_url: HttpUrl | None = None

    @model_validator(mode="after")
    def _coherent_region(self) -> "PortalFields":
        check_region(self)
        return self


class PortalCreate(PortalFields):
    slug: Slug
    contacts: list[ContactIn] = Field(default_factory=list, max_length=50)


class PortalPatch(InputModel):
    """Partial update; the merged result is checked like a new portal."""

    # The centre and radius may be sent as null to remove them; the rest is required.
    not_null = frozenset(
        {
            "name",
            "postcodes",
            "postcode_prefixes",
            "categories_allow",
            "categories_block",
            "providers_allow",
            "providers_block",
            "moderation",
            "languages",
            "cors_origins",
            "min_completeness",
            "hide_stale",
            "duplicates",
        }
    )

    name: Name | None = None
    postcodes: list[Postcode] | None = Field(default=None, max_length=2000)
    postcode_prefixes: list[PostcodePrefix] | None = Field(default=None, max_length=200)
    center_postcode: Postcode | None = None
    center_lat: float | None = Field(default=None, ge=-90, le=90)
    center_lon: float | None = Field(default=None, ge=-180, le=180)
    radius_km: float | None = Field(default=None, gt=0, le=300)
    categories_allow: list[Category] | None = None
    categories_block: list[Category] | None = None
    providers_allow: list[DbId] | None = Field(default=None, max_length=2000)
    providers_block: list[DbId] | None = Field(default=None, max_length=2000)
    moderation: Moderation | None = None
    languages: list[UiLanguage] | None = Field(default=None, min_length=1)
    cors_origins: list[Origin] | None = Field(default=None, max_length=50)
    min_completeness: Completeness | None = None
    hide_stale: bool | None = None
    duplicates: DuplicateDisplay | None = None
    imprint_url: PageUrl | None = None
    privacy_url: PageUrl | None = None
    sign_language_url: PageUrl | None = None
    accessibility_email: EmailStr | None = None
    accessibility_phone: Phone | None = None
    map_tile_url: TileUrl | None = None
    map_attribution: Attribution | None = None
    map_attribution_url: HttpUrl | None = None


def check_region(p: "PortalFields") -> None:
    has_center = p.center_postcode is not None or p.center_lat is not None
    if (p.center_lat is None) != (p.center_lon is None):
        raise ValueError("give both center_lat and center_lon, or neither")
    if has_center != (p.radius_km is not None):
        raise ValueError("a radius needs a centre (center_postcode or center_lat/lon), and back")
    if not (p.postcodes or p.postcode_prefixes or has_center):
        raise ValueError("give the region: postcodes, postcode_prefixes or a centre with radius")


class PortalAdmin(BaseModel):
    """The full configuration, for admins."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    slug: str
    name: str
    postcodes: list[str]
    postcode_prefixes: list[str]
    center_postcode: str | None
    center_lat: float | None
    center_lon: float | None
    radius_km: float | None
    categories_allow: list[str]
    categories_block: list[str]
    providers_allow: list[int]
    providers_block: list[int]
    moderation: str
    languages: list[str]
    cors_origins: list[str]
    min_completeness: int
    hide_stale: bool
    duplicates: str
    imprint_url: str | None = None
    privacy_url: str | None = None
    sign_language_url: str | None = None
    accessibility_email: str | None = None
    accessibility_phone: str | None = None
    map_tile_url: str | None
    map_attribution: str | None
    map_attribution_url: str | None
    contacts: list[ContactPublic]
    created_at: datetime
    updated_at: datetime


class PortalInfo(BaseModel):
    """What anyone may know about a portal: name, region, languages, counselling contacts."""

    slug: str
    name: str
    postcodes: list[str]
    postcode_prefixes: list[str]
    center_postcode: str | None
    radius_km: float | None
    languages: list[str]
    moderation: str
    imprint_url: str | None = None
    privacy_url: str | None = None
    sign_language_url: str | None = None
    accessibility_email: str | None = None
    contacts: list[ContactPublic]

"""Bodies of the staff's announcement routes (/staff/announcements…): a draft, its
changes, and announcements as the staff see them (any state, with their history)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AwareDatetime, Field, StringConstraints

from chalicelib.domain.announcements import AnnouncementKind, Area
from chalicelib.schemas.base import Schema, Strict

if TYPE_CHECKING:
    from chalicelib.domain.announcements import Announcement
    from chalicelib.storage.announcements import AnnouncementPage

Kind = Literal["planned_works", "failure", "general"]
PostalCode = Annotated[str, StringConstraints(pattern=r"^\d{2}-\d{3}$")]
Street = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=100)]


class AnnouncementCreate(Strict):
    """A new draft: its kind, title and text, the affected area (`whole_area`, or postal
    codes and/or streets) and its validity (`ends_at` omitted: until withdrawn)."""

    kind: Kind
    title: str = Field(min_length=3, max_length=120)
    text: str = Field(min_length=3, max_length=4000)
    whole_area: bool = False
    postal_codes: list[PostalCode] = Field(default_factory=list, max_length=200)
    streets: list[Street] = Field(default_factory=list, max_length=200)
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None

    def draft_fields(self) -> dict[str, Any]:
        """Every field of a draft, as the service's Draft names them (`area` as a whole,
        none named when its fields are omitted; `ends_at` omitted is None: until
        withdrawn)."""
        return _fields(self, set(type(self).model_fields))


class AnnouncementChange(Strict):
    """Some fields of a draft; the area, when any of its fields is given, is replaced as a
    whole (the fields not given are then empty)."""

    kind: Kind | None = None
    title: str | None = Field(None, min_length=3, max_length=120)
    text: str | None = Field(None, min_length=3, max_length=4000)
    whole_area: bool | None = None
    postal_codes: list[PostalCode] | None = Field(None, max_length=200)
    streets: list[Street] | None = Field(None, max_length=200)
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None

    def draft_fields(self) -> dict[str, Any]:
        """The fields given, as the service's Draft names them."""
        return _fields(self, self.model_fields_set)


def _fields(body: Any, given: set[str]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in ("title", "text", "starts_at", "ends_at"):
        if name in given and (name == "ends_at" or getattr(body, name) is not None):
            fields[name] = getattr(body, name)
    if "kind" in given and body.kind is not None:
        fields["kind"] = AnnouncementKind(body.kind)
    if given & {"whole_area", "postal_codes", "streets"}:
        fields["area"] = Area(
            whole=bool(body.whole_area),
            postal_codes=tuple(body.postal_codes or ()),
            streets=tuple(body.streets or ()),
        )
    return fields


class StateChange(Strict):
    """Publishing or withdrawing (`{}`), with an optional note kept in the audit log."""

    note: str | None = Field(None, max_length=500, description="Powód, np. wycofania.")


class StaffAnnouncement(Schema):
    """An announcement as the staff see it: any state, who wrote it, when it changed."""

    id: str
    kind: Kind
    title: str
    text: str
    whole_area: bool
    postal_codes: list[str]
    streets: list[str]
    starts_at: str = Field(description="ISO 8601.")
    ends_at: str | None = Field(description="ISO 8601; brak: do odwołania.")
    state: Literal["draft", "published", "withdrawn"]
    created_at: str
    created_by: str
    updated_at: str
    published_at: str | None
    withdrawn_at: str | None

    @classmethod
    def from_result(cls, announcement: Announcement) -> StaffAnnouncement:
        """The body of one announcement."""
        a = announcement

        def iso(moment: Any) -> str | None:
            return moment.isoformat() if moment else None

        return cls(
            id=a.id,
            kind=str(a.kind),  # type: ignore[arg-type]
            title=a.title,
            text=a.text,
            whole_area=a.area.whole,
            postal_codes=list(a.area.postal_codes),
            streets=list(a.area.streets),
            starts_at=a.starts_at.isoformat(),
            ends_at=iso(a.ends_at),
            state=str(a.state),  # type: ignore[arg-type]
            created_at=a.created_at.isoformat(),
            created_by=a.created_by,
            updated_at=a.updated_at.isoformat(),
            published_at=iso(a.published_at),
            withdrawn_at=iso(a.withdrawn_at),
        )


class StaffAnnouncementList(Schema):
    """A page of announcements, newest first."""

    items: list[StaffAnnouncement]
    next_cursor: str | None

    @classmethod
    def from_result(cls, page: AnnouncementPage) -> StaffAnnouncementList:
        """The body of a page."""
        return cls(
            items=[StaffAnnouncement.from_result(a) for a in page.items],
            next_cursor=page.next_cursor,
        )

"""Announcement rules without AWS: street names as compared, an area's coverage, the
validity window, the order of the list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.announcements import (
    Announcement,
    AnnouncementKind,
    AnnouncementState,
    Area,
    newest_first,
    street_name,
)

T0 = datetime(2026, 12, 10, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    ("street", "name"),
    [
        ("ul. Wodna 1", "wodna"),
        ("UL.  Wodna   1/3", "wodna"),
        ("Wodna", "wodna"),
        ("al. 3 Maja 5a", "3 maja"),
        ("os. Tysiąclecia 7", "tysiąclecia"),
        ("Plac Wolności", "wolności"),
    ],
)
def test_street_names_ignore_case_spacing_prefix_and_house_number(street, name):
    assert street_name(street) == name


def test_an_area_covers_by_postal_code_or_street():
    area = Area(whole=False, postal_codes=("41-709",), streets=("ul. Lipowa",))
    assert area.covers("41-709", None)
    assert area.covers(None, "Lipowa 3")
    assert area.covers("44-100", "lipowa 3")
    assert not area.covers("44-100", "Lipowa Dolna 3")
    assert not area.covers(None, None)
    assert Area(whole=True).covers(None, None)
    assert Area(whole=True).covers("00-001", "Inna 1")


def notice(starts_at=T0, ends_at=None, state=AnnouncementState.PUBLISHED, created=T0, id="a"):
    return Announcement(
        id=id,
        kind=AnnouncementKind.GENERAL,
        title="T",
        text="Tekst.",
        area=Area(whole=True),
        starts_at=starts_at,
        ends_at=ends_at,
        state=state,
        created_at=created,
        created_by="anna-nowak",
        updated_at=created,
    )


def test_current_means_published_and_within_the_window():
    one = notice(ends_at=T0 + timedelta(hours=2))
    assert not one.is_current(T0 - timedelta(seconds=1))
    assert one.is_current(T0)
    assert one.is_current(T0 + timedelta(hours=2) - timedelta(seconds=1))
    assert not one.is_current(T0 + timedelta(hours=2))
    assert notice().is_current(T0 + timedelta(days=3650))  # until withdrawn
    for state in (AnnouncementState.DRAFT, AnnouncementState.WITHDRAWN):
        assert not notice(state=state).is_current(T0)


def test_newest_first_by_start_then_by_writing():
    early = notice(id="early", starts_at=T0 - timedelta(days=1))
    late = notice(id="late", created=T0)
    later_written = notice(id="later", created=T0 + timedelta(minutes=1))
    assert [a.id for a in newest_first([early, late, later_written])] == [
        "later",
        "late",
        "early",
    ]

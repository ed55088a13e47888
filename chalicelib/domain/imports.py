"""What the billing import hands storage and gets back: plain values, no AWS."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from chalicelib.domain.readings import reading_order

ItemKey = tuple[str, str]  # a billing item's (pk, sk)


@dataclass(frozen=True, slots=True)
class BatchVersion:
    """One version of a batch object: its key, and its S3 version id (None where the bucket
    gives none) else its ETag."""

    batch: str
    version_id: str | None
    etag: str


@dataclass(frozen=True, slots=True)
class ImportedBatch:
    """A batch version imported to the end: when, and what its lines were."""

    finished_at: str
    lines: int
    valid: int
    invalid: int


@dataclass(slots=True)
class WriteCounts:
    """What writing lines did to the stored items."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: WriteCounts) -> None:
        """Count `other` in."""
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged


@dataclass(frozen=True, slots=True)
class ReadingMark:
    """A meter's latest imported reading (`key`: the item holding it), or a reading line
    that may move it: its day (ISO), source and litres."""

    key: ItemKey
    read_on: str
    source: str
    litres: int


def moved_marks(
    changed: Iterable[ReadingMark], stored: Mapping[ItemKey, ReadingMark]
) -> list[ReadingMark]:
    """The meters' latest imported readings that `changed` readings (new or different lines)
    move, given the `stored` ones: the latest by `reading_order`; unchanged marks are left
    out, so a batch that changes no reading writes none. A changed line with the stored
    mark's date and source replaces it (a corrected reading may be lower)."""
    candidates: dict[ItemKey, dict[tuple[str, str], int]] = {}
    for line in changed:
        if line.key not in candidates:
            old = stored.get(line.key)
            candidates[line.key] = {(old.read_on, old.source): old.litres} if old else {}
        candidates[line.key][(line.read_on, line.source)] = line.litres
    marks = []
    for key, readings in candidates.items():
        (read_on, source), litres = max(readings.items(), key=lambda pair: reading_order(*pair[0]))
        mark = ReadingMark(key, read_on, source, litres)
        if mark != stored.get(key):
            marks.append(mark)
    return marks

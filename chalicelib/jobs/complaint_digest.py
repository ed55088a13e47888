"""The daily digest of complaints for staff (placeholder until step 4)."""

from __future__ import annotations


def complaint_digest() -> None:
    """Placeholder."""

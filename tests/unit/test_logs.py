"""E-mail addresses never reach a log line in full; masking stays valid JSON and fast."""

from __future__ import annotations

import io
import json
import logging
import time

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.logs import MaskingFormatter, mask_emails


def test_addresses_are_masked_wherever_they_stand():
    assert mask_emails("to jan.kowalski+ibok@example.pl.") == "to ***@example.pl."
    assert mask_emails("a@b.pl,c@d.pl") == "***@b.pl,***@d.pl"
    assert mask_emails("line one\njan@example.pl\ttab") == "line one\n***@example.pl\ttab"
    assert mask_emails("no address @ here, user@localhost") == "no address @ here, user@localhost"


@given(st.from_regex(r"[a-z0-9._+-]{1,64}@[a-z0-9-]{1,20}\.[a-z]{2,6}", fullmatch=True))
def test_any_address_loses_its_local_part(address):
    domain = address.rsplit("@", 1)[1]
    masked = mask_emails(f"Address blacklisted: {address}")
    assert masked == f"Address blacklisted: ***@{domain}"


def test_long_runs_without_an_address_stay_linear():
    hostile = "a" * 200_000 + "@"  # every position could start a local part
    started = time.perf_counter()
    mask_emails(hostile)
    mask_emails("x." * 100_000 + "@example")
    assert time.perf_counter() - started < 1.0  # quadratic matching took seconds


def test_a_logged_exception_is_valid_json_with_its_address_masked():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(MaskingFormatter())
    log = logging.getLogger("test-masking")
    log.addHandler(handler)
    try:
        raise RuntimeError("rejected:\njan@example.pl\tand\nanna@example.pl")
    except RuntimeError:
        log.exception("send failed to %s", "ola@example.pl")
    finally:
        log.removeHandler(handler)
    line = json.loads(stream.getvalue())
    text = json.dumps(line)
    assert "jan@" not in text and "anna@" not in text and "ola@" not in text
    assert line["message"] == "send failed to ***@example.pl"
    assert "***@example.pl" in line["exception"]
    assert "RuntimeError" in line["exception_name"]

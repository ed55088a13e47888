"""The local portal's page paths follow the CloudFront Function's rewrite (infra/edge.yaml)."""

from __future__ import annotations

import pytest

from scripts.local_portal import page_file


@pytest.mark.parametrize(
    ("path", "file"),
    [
        ("/", "/index.html"),
        ("/aktywacja", "/aktywacja.html"),
        ("/platnosc/powrot", "/platnosc/powrot.html"),
        ("/platnosc/", "/platnosc/index.html"),
        ("/css/portal.css", "/css/portal.css"),
        ("/js/pages/index.js", "/js/pages/index.js"),
        ("/logowanie.html", "/logowanie.html"),
    ],
)
def test_page_paths(path, file):
    assert page_file(path) == file

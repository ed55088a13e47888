"""The local portal's page paths follow the CloudFront Function's rewrite (infra/edge.yaml);
it answers only its own host names (no DNS rebinding)."""

from __future__ import annotations

import http.client
import socket

import pytest

from scripts.local_portal import PortalServer, page_file, trusted_host


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


@pytest.fixture
def portal(tmp_path):
    """The portal on a free loopback port, serving a folder with one page; its API port
    is closed, so a forwarded call answers 502."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!DOCTYPE html><title>x</title>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (site / "link.txt").symlink_to(tmp_path / "secret.txt")
    server = PortalServer("127.0.0.1", 0, _closed_port(), "http://127.0.0.1:1", root=site)
    server.serve_in_background()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(server: PortalServer, path: str, host: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=5)
    try:
        connection.putrequest("GET", path, skip_host=True)
        connection.putheader("Host", host)
        connection.endheaders()
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        connection.close()


def test_the_portal_answers_its_own_host_names(portal):
    port = portal.server_address[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}"):
        status, headers, _ = _get(portal, "/", host)
        assert status == 200, host
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/", "/api/_local/outbox", "/api/me"])
def test_another_sites_name_for_loopback_is_turned_away(portal, path):
    """DNS rebinding: a site that points its own name at 127.0.0.1 makes the browser send
    that name as Host; the portal (and the API behind it, with the outbox of reset links
    and the fake gateway) must not answer it as its own origin."""
    port = portal.server_address[1]
    for host in (f"evil.example:{port}", "evil.example", f"127.0.0.1.evil.example:{port}", ""):
        status, _, _ = _get(portal, path, host)
        assert status == 421, (host, status)


@pytest.mark.parametrize(
    ("header", "port", "trusted"),
    [
        ("127.0.0.1:8080", 8080, True),
        ("localhost:8080", 8080, True),
        ("127.0.0.1:8081", 8080, False),
        ("evil.example:8080", 8080, False),
        ("127.0.0.1", 8080, False),
        (None, 8080, False),
        ("127.0.0.1", 80, True),
    ],
)
def test_trusted_host(header, port, trusted):
    assert trusted_host(header, port) is trusted


@pytest.mark.parametrize(
    "path", ["/../secret.txt", "/%2e%2e/secret.txt", "/x/../../secret.txt", "/link.txt", "/.."]
)
def test_no_file_outside_the_folder(portal, path):
    status, _, body = _get(portal, path, f"127.0.0.1:{portal.server_address[1]}")
    assert status == 404 and b"secret" not in body

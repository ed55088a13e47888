"""The portal as `make run` serves it: `frontend/` as plain files on one origin, with
`/api/*` forwarded to the local API with the `/api` prefix taken off — the shape CloudFront
gives production (infra/edge.yaml: `/api/*` goes to API Gateway, whose stage is named
`api`), so the `__Host-` session cookie and the CSRF header work as deployed.

Page paths have no extension (`/aktywacja`, `/platnosc/powrot`); `page_file` maps them to
`frontend/<page>.html` like the edge stack's CloudFront Function does.
"""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
FRONTEND = ROOT / "frontend"
API_PREFIX = "/api"
# Headers that belong to one connection, never forwarded (RFC 9110, 7.6.1).
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".txt": "text/plain; charset=utf-8",
}


def page_file(path: str) -> str:
    """The file behind a request path, as the CloudFront Function rewrites it: `/` and
    `/x/` are `index.html` of their folder, an extensionless `/x` is `/x.html`."""
    if path.endswith("/"):
        return f"{path}index.html"
    if "." not in PurePosixPath(path).name:
        return f"{path}.html"
    return path


def trusted_host(header: str | None, port: int) -> bool:
    """True for the `Host` a browser sends to this machine's own server on `port`
    (`127.0.0.1:<port>`, `localhost:<port>`). A site that points its own name at 127.0.0.1
    (DNS rebinding) sends that name instead: answering it would make the local stack, its
    outbox of reset links and its fake gateway, that site's own origin."""
    names = ("127.0.0.1", "localhost")
    allowed = {f"{name}:{port}" for name in names} | (set(names) if port == 80 else set())
    return (header or "").strip().lower() in allowed


def security_headers(moto_origin: str, gateway_origin: str) -> dict[str, str]:
    """The edge stack's response headers policy for pages, with the local origins the
    browser talks to (presigned S3 uploads go to moto, the fake gateway is the API)."""
    return {
        "Content-Security-Policy": (
            "default-src 'self'; script-src 'self'; style-src 'self'; "
            "img-src 'self' data: blob:; "
            f"connect-src 'self' {moto_origin}; font-src 'self'; "
            f"form-action 'self' {gateway_origin}; frame-ancestors 'none'; "
            "base-uri 'none'; object-src 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(self), geolocation=(), microphone=(), payment=()",
        "Cache-Control": "no-store",
    }


class PortalHandler(BaseHTTPRequestHandler):
    """Static files from `frontend/`, `/api/*` to the API."""

    server: PortalServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_OPTIONS(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        if not trusted_host(self.headers.get("Host"), self.server.server_address[1]):
            self.close_connection = True  # an unread body must not become a request
            self._plain(421, "Nieznany host.")
            return
        path = urlsplit(self.path).path
        if path == API_PREFIX or path.startswith(f"{API_PREFIX}/"):
            self._forward(self.path[len(API_PREFIX) :] or "/")
        elif self.command in ("GET", "HEAD"):
            self._static(path)
        else:
            self._plain(405, "Metoda niedozwolona.")

    def _forward(self, target: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        upstream = http.client.HTTPConnection(self.server.api_host, self.server.api_port, 30)
        try:
            upstream.request(self.command, target, body=body, headers=headers)
            answer = upstream.getresponse()
            content = answer.read()
        except OSError:
            self._plain(502, "API nie odpowiada.")
            return
        finally:
            upstream.close()
        self.send_response(answer.status, answer.reason)
        for name, value in answer.getheaders():  # keeps every Set-Cookie
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(content)

    def _static(self, path: str) -> None:
        root = self.server.root
        candidate = (root / page_file(path).lstrip("/")).resolve()
        if not candidate.is_relative_to(root) or not candidate.is_file():
            self._plain(404, "Nie ma takiej strony.")
            return
        content = candidate.read_bytes()
        self.send_response(200)
        kind = CONTENT_TYPES.get(candidate.suffix, "application/octet-stream")
        self.send_header("Content-Type", kind)
        for name, value in self.server.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(content)

    def _plain(self, status: int, text: str) -> None:
        content = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(content)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the API logs every request already."""


class PortalServer(ThreadingHTTPServer):
    """The portal's server; `serve_in_background` runs it on a daemon thread."""

    daemon_threads = True

    def __init__(
        self, host: str, port: int, api_port: int, moto_origin: str, root: Path = FRONTEND
    ) -> None:
        super().__init__((host, port), PortalHandler)
        self.root = root.resolve()
        self.api_host, self.api_port = host, api_port
        self.headers = security_headers(moto_origin, f"http://{host}:{api_port}")

    def serve_in_background(self) -> threading.Thread:
        """Serve on a daemon thread until `shutdown()`."""
        thread = threading.Thread(target=self.serve_forever, name="portal", daemon=True)
        thread.start()
        return thread

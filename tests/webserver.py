"""A tiny multi-host web on loopback, reached as an HTTP proxy.

Scrapy sends proxy requests in absolute form (``GET http://host/path``); the
server answers from an in-memory table keyed by (host, path).  Unknown hosts get
a 404, CONNECT gets a 405: nothing ever leaves the machine.
"""

from __future__ import annotations

import gzip
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Resource:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(
        default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"}
    )
    gzip: bool = False
    #: if set, the response waits until this event is set (or 60 s): a stalled server
    stall: threading.Event | None = None
    #: body sent as is with Content-Encoding: gzip (a pre-built compression bomb)
    raw_gzip: bytes | None = None
    #: called (once) before answering, e.g. to kill a browser mid-render
    before: object = None
    #: seconds the server takes to answer (a slow server, not a synchronisation)
    latency: float = 0.0


def html(
    body: str | bytes, status: int = 200, charset: str | None = "utf-8", **headers: str
) -> Resource:
    data = body.encode("utf-8") if isinstance(body, str) else body
    ctype = "text/html" + (f"; charset={charset}" if charset else "")
    return Resource(data, status, {"Content-Type": ctype, **headers})


def redirect(location: str, status: int = 301) -> Resource:
    return Resource(b"", status, {"Location": location, "Content-Type": "text/html"})


def _not_modified(headers: dict[str, str], request) -> bool:
    """RFC 9110: If-None-Match, when sent, decides; else If-Modified-Since (exact date match
    is enough here: the test web's dates never change)."""
    etag = headers.get("ETag")
    if request.get("If-None-Match") is not None:
        return etag is not None and etag in [t.strip() for t in request["If-None-Match"].split(",")]
    since = request.get("If-Modified-Since")
    return since is not None and since == headers.get("Last-Modified")


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        pass  # a client that hung up (a crawl's timeout, a killed crawl) is not an error here


class LocalWeb:
    """``with LocalWeb(sites) as web: ... web.proxy_url ... web.requests``."""

    def __init__(
        self, sites: dict[str, dict[str, Resource]], notify_after: int | None = None
    ) -> None:
        self.sites = sites
        #: set once ``notify_after`` requests have been answered (for kill tests)
        self.reached = threading.Event()
        self._notify_after = notify_after
        self.requests: list[tuple[str, str]] = []  # (host, path-with-query)
        #: the most requests to one host being answered at the same time, by host
        self.max_in_flight: dict[str, int] = {}
        self._in_flight: dict[str, int] = {}
        #: the requests answered 304 Not Modified (a conditional request whose validator matched)
        self.not_modified: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        web = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_CONNECT(self) -> None:
                self.send_error(405, "CONNECT refused: loopback test web")

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                host = (parts.hostname or self.headers.get("Host", "")).lower()
                if parts.port and parts.port != 80:
                    host = f"{host}:{parts.port}"
                path = parts.path or "/"
                if "?" in self.path:  # an empty query ("/q?") is kept
                    path = f"{path}?{parts.query}"
                with web._lock:
                    web.requests.append((host, path))
                    if web._notify_after is not None and len(web.requests) >= web._notify_after:
                        web.reached.set()
                    web._in_flight[host] = web._in_flight.get(host, 0) + 1
                    web.max_in_flight[host] = max(
                        web.max_in_flight.get(host, 0), web._in_flight[host]
                    )
                self._host, self._answering = host, True
                try:
                    self._answer(host, path)
                finally:
                    self._answered()

            def _answered(self) -> None:
                """The answer is about to be sent: the request no longer counts as in flight
                (its client may send the next one as soon as it has read it)."""
                if self._answering:
                    self._answering = False
                    with web._lock:
                        web._in_flight[self._host] -= 1

            def _answer(self, host: str, path: str) -> None:
                resource = web.sites.get(host, {}).get(path)
                if resource is None:
                    resource = Resource(b"not found", 404, {"Content-Type": "text/plain"})
                if resource.stall is not None:
                    resource.stall.wait(60)
                if resource.latency:
                    threading.Event().wait(resource.latency)
                if resource.before is not None:
                    action, resource.before = resource.before, None
                    action()
                body = resource.body
                if resource.status == 200 and _not_modified(resource.headers, self.headers):
                    with web._lock:
                        web.not_modified.append((host, path))
                    self._answered()
                    self.send_response(304)
                    for name in ("ETag", "Last-Modified"):
                        if name in resource.headers:
                            self.send_header(name, resource.headers[name])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self._answered()
                self.send_response(resource.status)
                for name, value in resource.headers.items():
                    self.send_header(name, value)
                if resource.raw_gzip is not None:
                    body = resource.raw_gzip
                    self.send_header("Content-Encoding", "gzip")
                elif resource.gzip:
                    body = gzip.compress(body)
                    self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_HEAD = do_GET

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.proxy_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LocalWeb:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for site in self.sites.values():  # release stalled handlers
            for resource in site.values():
                if resource.stall is not None:
                    resource.stall.set()
        self.server.shutdown()
        self.server.server_close()

    def fetched(self, host: str) -> list[str]:
        with self._lock:
            return [p for h, p in self.requests if h == host]

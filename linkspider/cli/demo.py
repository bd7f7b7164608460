"""``linkspider demo``: crawl a small bundled web on loopback and show the answers.

No internet is needed or used: the sites of :mod:`linkspider.cli.demo_web` are
served by a proxy on 127.0.0.1 that answers only for them (and refuses
``CONNECT``); the crawl (``scrapy crawl discover``, in a child process) sends
every request to it through ``http_proxy``.  The dataset goes to a temporary
directory (or ``--keep DIR``), then ``backlinks`` and ``refdomains`` of the
shop the other sites link to are printed, as ``linkspider`` prints them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from linkspider.cli.demo_web import FOCUS, REDIRECTS, SEEDS, SITES


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The crawl opens up to CONCURRENT_REQUESTS connections to this one proxy at once: a
    # listen backlog of 5 (the default) leaves the rest to TCP's SYN retries on a busy machine.
    request_queue_size = 128

    def handle_error(self, request, client_address) -> None:
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_CONNECT(self) -> None:
        self.send_error(405, "CONNECT refused: the demo web is plain HTTP on loopback")

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        host = (parts.hostname or self.headers.get("Host", "")).lower()
        path = parts.path or "/"
        if host in REDIRECTS:
            self._send(301, b"", {"Location": REDIRECTS[host]})
        elif host in SITES and path in SITES[host]:
            body = SITES[host][path].encode("utf-8")
            self._send(200, body, {"Content-Type": "text/html; charset=utf-8"})
        else:
            self._send(404, b"not found", {"Content-Type": "text/plain"})

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve() -> tuple[_Server, str]:
    server = _Server(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def crawl(proxy: str, output: str) -> subprocess.CompletedProcess:
    """``scrapy crawl discover`` over the demo web, every request through ``proxy``."""
    env = {
        **os.environ,
        "http_proxy": proxy,
        "https_proxy": proxy,
        "HTTP_PROXY": proxy,
        "HTTPS_PROXY": proxy,
        "no_proxy": "",
        "NO_PROXY": "",
        "SCRAPY_SETTINGS_MODULE": "linkspider.settings",
    }
    command = [
        sys.executable, "-m", "scrapy", "crawl", "discover",
        "-a", f"seeds={','.join(SEEDS)}", "-a", "scope=web", "-a", "render=never",
        # every demo page, whatever order the sites answer in: a page's depth is that of the
        # first link to it the crawl saw (the forum's thread is 1 hop from its seed, or 3
        # through the blog's comments, and the old shop one more)
        "-a", "max_depth=10",
        "-a", "crawl_id=demo",
        "-s", f"LINKSPIDER_OUTPUT={output}",
        "-s", "LINKSPIDER_EXTRACT_WORKERS=0",
        "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0",
        "-s", "LOG_LEVEL=ERROR", "-s", "TELNETCONSOLE_ENABLED=False",
    ]  # fmt: skip
    return subprocess.run(command, cwd=output, env=env, capture_output=True, text=True, timeout=300)


def demo(keep: str | None) -> int:
    from linkspider.cli import build_parser, commands

    output = os.path.abspath(keep) if keep else tempfile.mkdtemp(prefix="linkspider-demo-")
    os.makedirs(output, exist_ok=True)
    server, proxy = serve()
    try:
        print(f"serving {len(SITES)} demo sites on {proxy} (loopback only); crawling them ...")
        started = time.perf_counter()
        result = crawl(proxy, output)
        if result.returncode != 0:
            tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
            print(f"linkspider: the demo crawl failed: {tail[0]}", file=sys.stderr)
            return 1
        print(f"crawled in {time.perf_counter() - started:.1f} s into {output}\n")
        for argv in (["backlinks", FOCUS, "--sort", "value"], ["refdomains", FOCUS]):
            commands.run(build_parser().parse_args([*argv, "--data", output]))
            print()
        where = f"--data {output}" if keep else "--data DIR (with: linkspider demo --keep DIR)"
        print(f"Next: linkspider anchors {FOCUS} {where}; linkspider sql; linkspider --help")
        return 0
    finally:
        server.shutdown()
        server.server_close()
        if not keep:
            shutil.rmtree(output, ignore_errors=True)

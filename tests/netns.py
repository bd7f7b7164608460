"""A private network of our own: run inside ``unshare -n -m`` by tests/test_safety.py.

    unshare -n -m python -m tests.netns OUTPUT_DIR [--site SITE.json] -- SCRAPY_ARGS...

In a fresh network namespace (loopback only, nothing reaches a real network)
and a mount namespace of its own, this sets up:

* the address 93.184.215.14 on the loopback interface: a "public" web server
  (any host name, one site: a small default one, or ``SITE.json``, a mapping of
  path to ``{"status", "headers", "body"}``) listens there on port 80;
* "internal admin" servers that must never be reached, on 127.0.0.1:80 and on
  10.0.0.7 and 169.254.169.254 (cloud metadata), also added to loopback;
* a DNS server on 127.0.0.1:53, made the system's resolver (/etc/resolv.conf
  and /etc/hosts are bind-mounted over), answering:
  ``rebind.example.net``: 93.184.215.14 the first time, 127.0.0.1 after that
  (DNS rebinding); ``private.example.net`` and ``loopback-name.example.net``:
  127.0.0.1; ``public.example.net`` and ``evil.example.net``: 93.184.215.14;

then runs ``scrapy crawl discover`` with the given arguments (no proxy) and
prints a JSON report: the requests each server got, the DNS questions asked,
the crawl's exit status and log tail.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PUBLIC = "93.184.215.14"
INTERNAL = ("127.0.0.1", "10.0.0.7", "169.254.169.254")
NAMES = {
    "private.example.net": "127.0.0.1",
    "loopback-name.example.net": "127.0.0.1",
    "public.example.net": PUBLIC,
    "evil.example.net": PUBLIC,
}

questions: list[tuple[str, int]] = []
served = {"public": [], "internal": []}
site: dict = {}


def answer(name: str, qtype: int) -> str | None:
    if qtype != 1:  # A only; AAAA and the rest: no answer
        return None
    if name == "rebind.example.net":
        asked = sum(1 for n, t in questions if n == name and t == 1)
        return PUBLIC if asked == 1 else "127.0.0.1"
    return NAMES.get(name)


def dns_server(sock: socket.socket) -> None:
    while True:
        data, peer = sock.recvfrom(512)
        ident, _flags, _count = struct.unpack(">HHH", data[:6])
        labels, i = [], 12
        while data[i]:
            labels.append(data[i + 1 : i + 1 + data[i]].decode())
            i += data[i] + 1
        question = data[12 : i + 5]
        qtype = struct.unpack(">H", data[i + 1 : i + 3])[0]
        name = ".".join(labels).lower()
        questions.append((name, qtype))
        address = answer(name, qtype)
        known = name.endswith(".example.net")
        flags = 0x8180 if known else 0x8183  # NOERROR / NXDOMAIN
        reply = struct.pack(">HHHHHH", ident, flags, 1, 1 if address else 0, 0, 0) + question
        if address:
            reply += struct.pack(">HHHIH", 0xC00C, 1, 1, 0, 4) + socket.inet_aton(address)
        sock.sendto(reply, peer)


def web_server(address: str, kind: str) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            served[kind].append((self.headers.get("Host"), self.path))
            status, headers = 200, {"Content-Type": "text/html; charset=utf-8"}
            if kind == "internal":
                body = b"<title>INTERNAL ADMIN</title><a href='/?token=SECRET123'>admin</a>"
            elif self.path in site:
                page = site[self.path]
                status, headers = page.get("status", 200), {**headers, **page.get("headers", {})}
                body = page.get("body", "").encode()
            elif self.path == "/robots.txt":
                body = b"User-agent: *\nAllow: /\n"
            elif site:
                status, body = 404, b"not found"
            else:
                body = b"<title>public</title><a href='/next'>next</a><a href='/'>home</a>"
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    Handler.do_POST = Handler.do_HEAD = Handler.do_GET
    server = ThreadingHTTPServer((address, 80), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> int:
    out = Path(sys.argv[1])
    options = sys.argv[2 : sys.argv.index("--")]
    scrapy_args = sys.argv[sys.argv.index("--") + 1 :]
    if options[:1] == ["--site"]:
        site.update(json.loads(Path(options[1]).read_text()))
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    for address in (PUBLIC, *INTERNAL[1:]):
        subprocess.run(["ip", "addr", "add", f"{address}/32", "dev", "lo"], check=True)
    etc = Path(tempfile.mkdtemp())
    (etc / "resolv.conf").write_text("nameserver 127.0.0.1\noptions attempts:1 timeout:2\n")
    (etc / "hosts").write_text("127.0.0.1 localhost\n::1 localhost ip6-localhost\n")
    for name in ("resolv.conf", "hosts"):
        subprocess.run(["mount", "--bind", str(etc / name), f"/etc/{name}"], check=True)
    dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dns.bind(("127.0.0.1", 53))
    threading.Thread(target=dns_server, args=(dns,), daemon=True).start()
    web_server(PUBLIC, "public")
    for address in INTERNAL:
        web_server(address, "internal")
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    stats = out / "stats.json"
    command = [
        sys.executable, "-m", "scrapy", "crawl", "discover", *scrapy_args,
        "-s", f"LINKSPIDER_OUTPUT={out}", "-s", f"LINKSPIDER_STATS_FILE={stats}",
        "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "DOWNLOAD_TIMEOUT=10",
    ]  # fmt: skip
    crawl = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    print(
        json.dumps(
            {
                "returncode": crawl.returncode,
                "log": (crawl.stdout + crawl.stderr)[-30000:],
                "questions": questions,
                "served": served,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

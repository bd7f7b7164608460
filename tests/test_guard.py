"""The browser's guard proxy: a rendered page reaches no private address, by any path.

With a real Chromium (render=always), a hostile site tries every way a page can
make the browser send a request: a navigation redirect, a script redirect, a
meta refresh, fetch, XHR, an iframe, a script, an image, a WebSocket, to
loopback, a LAN address, cloud metadata, IPv6 loopback and a name that
resolves to loopback.  The internal servers must receive nothing, and nothing
of theirs may reach the dataset.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.chromium import require_browser
from tests.conftest import CrawlRun, run_crawl, run_in_netns
from tests.webserver import LocalWeb, html, redirect


def hostile_script(targets: list[str], ws: str) -> str:
    """Every request a page can make, synchronously where it can be (so that each one
    is sent before the page's load event ends the render)."""
    xhrs = "".join(
        f"try {{ var x = new XMLHttpRequest(); x.open('GET', {t!r}, false); x.send(); }} catch (e) {{}}\n"
        for t in targets
    )
    fetches = "".join(f"fetch({t!r}).catch(function () {{}});\n" for t in targets)
    return f"""
        var ws = new WebSocket({ws!r});
        {fetches}
        {xhrs}
        var frame = document.createElement('iframe'); frame.src = {targets[0]!r};
        document.body.appendChild(frame);
        var script = document.createElement('script'); script.src = {targets[0] + "/script.js"!r};
        document.body.appendChild(script);
        var image = new Image(); image.src = {targets[0] + "/image.png"!r};
        document.getElementById('root').innerHTML = '<a href="/ok">ok</a>';
    """


def app_shell(script: str) -> str:
    return f'<html><body><div id="root"></div><script>{script}</script></body></html>'


class Internal:
    """A loopback server that must never be reached: it records whatever reaches it."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        internal = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                internal.requests.append(self.requestline)
                body = b"<title>INTERNAL ADMIN</title><a href='/?token=SECRET123'>admin</a>"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_rendered_page_cannot_reach_private_addresses_through_the_user_proxy(tmp_path):
    """The guard chains to the user's proxy (here the test web): refused requests never
    reach it, nor the internal server beside it."""
    require_browser()
    internal = Internal()
    base = f"http://127.0.0.1:{internal.port}"
    targets = [
        f"{base}/api",
        f"http://localhost:{internal.port}/by-name",
        f"http://[::1]:{internal.port}/v6",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7/lan",
        "http://[64:ff9b::7f00:1]/nat64",
    ]
    sites = {
        "evil.test": {
            "/": html(
                app_shell(hostile_script(targets, f"ws://127.0.0.1:{internal.port}/ws"))
                + '<a href="/redirect">r</a><a href="/js-redirect">j</a><a href="/refresh">m</a>'
            ),
            "/redirect": redirect(f"{base}/admin", 302),
            "/js-redirect": html(app_shell(f"location.href = {base + '/admin'!r};")),
            "/refresh": html(f'<meta http-equiv="refresh" content="0; url={base}/admin"><p>x</p>'),
        }
    }
    try:
        with LocalWeb(sites) as web:
            run = run_crawl(
                web.proxy_url,
                tmp_path,
                "-a", "seeds=evil.test", "-a", "render=always", "-a", "max_depth=1",
                settings={"LINKSPIDER_RENDER_TIMEOUT": "10"},
            )  # fmt: skip
    finally:
        internal.close()
    assert run.returncode == 0, run.log[-3000:]
    assert internal.requests == []
    # nothing private reached the user's proxy either: each request was refused, by the
    # page's request filter (literal private addresses) or, below it, by the guard
    assert {host for host, _ in web.requests} == {"evil.test"}, web.requests
    refused = run.log.count("guard proxy refused")
    assert f"guard proxy refused CONNECT 127.0.0.1:{internal.port}" in run.log  # the WebSocket
    assert f"guard proxy refused GET 127.0.0.1:{internal.port}" in run.log  # redirects
    assert run.stats["linkspider/render/guard_refused"] == refused
    dataset = json.dumps(run.pages("true", "url, title, error, render_error")) + json.dumps(
        run.links("true", "target_url, anchor_text")
    )
    assert "INTERNAL" not in dataset and "SECRET" not in dataset
    assert ("http://evil.test/ok",) in run.links("rendered", "target_url")


def test_a_rendered_page_cannot_reach_private_addresses_on_a_network(tmp_path):
    """In a private network namespace, with no proxy: the guard resolves names itself and
    connects to exactly the addresses it checked; a name that resolves to loopback, and
    the LAN and metadata addresses, are refused (their servers listen there, unreached)."""
    require_browser()
    targets = [
        "http://loopback-name.example.net/by-name",
        "http://127.0.0.1/api",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.7/lan",
    ]
    site = {
        "/": {"body": app_shell(hostile_script(targets, "ws://loopback-name.example.net/ws"))
              + '<a href="/redirect">r</a>'},
        "/redirect": {"status": 302, "headers": {"Location": "http://loopback-name.example.net/admin"}},
    }  # fmt: skip
    (tmp_path / "site.json").write_text(json.dumps(site))
    report = run_in_netns(
        tmp_path / "out",
        "-a", "seeds=http://evil.example.net/", "-a", "render=always", "-a", "max_depth=1",
        "-s", "LINKSPIDER_RENDER_TIMEOUT=10",
        options=("--site", str(tmp_path / "site.json")),
    )  # fmt: skip
    assert report["returncode"] == 0, report["log"]
    assert report["served"]["internal"] == []
    assert "guard proxy refused GET loopback-name.example.net:80" in report["log"], report["log"]
    run = CrawlRun(0, "", {}, tmp_path / "out")
    dataset = json.dumps(run.pages("true", "url, title, error")) + json.dumps(
        run.links("true", "target_url")
    )
    assert "INTERNAL" not in dataset and "SECRET" not in dataset
    assert ("http://evil.example.net/ok",) in run.links("rendered", "target_url")


@pytest.mark.parametrize(
    ("destination", "refused"),
    [
        ("127.0.0.1", "127.0.0.1 is not a public address"),
        ("[::ffff:10.0.0.1]", "::ffff:10.0.0.1 is not a public address"),
        ("db.internal", "db.internal is a special-use private name"),
        ("name.example.com", "name.example.com resolves to 10.1.2.3, not a public address"),
        ("public.example.com", None),
        ("shop.test", None),
    ],
)
def test_the_guard_checks_each_destination_as_the_downloader_does(destination, refused):
    import asyncio

    from linkspider.guard import GuardProxy, Refused

    async def resolve(host, port):
        return {"name.example.com": ["93.184.215.14", "10.1.2.3"]}.get(host, ["93.184.215.14"])

    guard = GuardProxy(resolve=resolve)
    if refused is None:
        asyncio.run(guard.check(destination, 80))
    else:
        with pytest.raises(Refused, match=refused.replace(".", r"\.")):
            asyncio.run(guard.check(destination, 80))

"""No SSRF: private, loopback, link-local and metadata targets are refused by default."""

from __future__ import annotations

from tests.conftest import run_crawl
from tests.webserver import LocalWeb, html, redirect


def sites():
    return {
        "a.test": {
            "/": html('<a href="/to-metadata">x</a><a href="http://10.0.0.7/admin">lan</a>'),
            "/to-metadata": redirect("http://169.254.169.254/latest/meta-data/", 302),
        },
        "localhost": {"/": html("<p>the local machine</p>")},
        "169.254.169.254": {"/latest/meta-data/": html("secret")},
    }


def test_private_seeds_and_redirect_hops_are_refused(tmp_path):
    with LocalWeb(sites()) as web:
        port = web.server.server_address[1]
        run = run_crawl(
            web.proxy_url,
            tmp_path,
            "-a",
            f"seeds=http://127.0.0.1:{port}/,localhost,db.internal,http://[::1]/,a.test",
            "-a",
            "scope=web",
        )
    assert run.returncode == 0, run.log[-2000:]
    hosts = {h for h, _ in web.requests}
    assert hosts == {"a.test"}, web.requests  # nothing else was ever asked for
    errors = dict(run.pages("error LIKE 'refused%'", "url, error"))
    assert errors == {
        f"http://127.0.0.1:{port}/": "refused: 127.0.0.1 is not a public address",
        "http://localhost/": "refused: localhost is a special-use private name",
        "http://db.internal/": "refused: db.internal is a special-use private name",
        "http://[::1]/": "refused: ::1 is not a public address",
        "http://169.254.169.254/latest/meta-data/": "refused: 169.254.169.254 is not a public address",
        "http://10.0.0.7/admin": "refused: 10.0.0.7 is not a public address",
    }
    assert run.stats["linkspider/refused/private_address"] == 6
    assert f"seed http://127.0.0.1:{port}/ refused" in run.log
    assert "LINKSPIDER_ALLOW_PRIVATE_ADDRESSES=True" in run.log
    # the redirect itself is still an edge
    assert run.links("link_type = 'redirect'", "target_url") == [
        ("http://169.254.169.254/latest/meta-data/",)
    ]


def test_setting_allows_private_targets(tmp_path):
    with LocalWeb(sites()) as web:
        run = run_crawl(
            web.proxy_url,
            tmp_path,
            "-a",
            "seeds=localhost",
            settings={"LINKSPIDER_ALLOW_PRIVATE_ADDRESSES": "True"},
        )
    assert run.returncode == 0
    assert ("localhost", "/") in web.requests
    assert run.pages("true", "url, status") == [("http://localhost/", 200)]


def test_names_resolving_to_private_addresses_are_refused(monkeypatch):
    import asyncio
    import socket

    import pytest
    from scrapy import Request
    from scrapy.utils.test import get_crawler

    from linkspider.safety import PrivateAddressMiddleware, PrivateAddressRefused

    answers = {"intranet.example.com": "10.0.0.5", "public.example.com": "93.184.215.14"}
    asked = []

    async def fake_getaddrinfo(self, host, port, **kwargs):
        asked.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], 0))]

    monkeypatch.setattr(asyncio.BaseEventLoop, "getaddrinfo", fake_getaddrinfo)
    crawler = get_crawler()
    crawler.stats.open_spider()
    middleware = PrivateAddressMiddleware.from_crawler(crawler)

    async def check(url):
        return await middleware.process_request(Request(url, meta={"depth": 1}))

    with pytest.raises(PrivateAddressRefused, match=r"resolves to 10\.0\.0\.5"):
        asyncio.run(check("http://intranet.example.com/"))
    assert asyncio.run(check("http://public.example.com/x")) is None
    assert asyncio.run(check("http://public.example.com/y")) is None
    assert asked == ["intranet.example.com", "public.example.com"]  # cached
    assert (
        asyncio.run(check("http://shop.test/")) is None and "shop.test" not in asked
    )  # never looked up

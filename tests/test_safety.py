"""No SSRF: private, loopback, link-local and metadata targets are refused by default."""

from __future__ import annotations

import json

from tests.conftest import CrawlRun, run_crawl, run_in_netns
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


def test_the_resolver_refuses_private_answers_and_trusts_the_configured_proxy(monkeypatch):
    from scrapy.resolver import CachingThreadedResolver
    from twisted.internet import defer, reactor

    from linkspider.safety import GuardedResolver, ResolvedToPrivateAddress

    answers = {"intranet.example.com": "10.0.0.5", "public.example.com": "93.184.215.14"}
    answers["proxy.corp"] = "10.1.1.1"
    monkeypatch.setattr(
        CachingThreadedResolver, "getHostByName", lambda self, name, timeout=(): defer.succeed(answers[name])
    )  # fmt: skip
    resolver = GuardedResolver(reactor, 0, 5.0)
    resolver.trusted = frozenset({"proxy.corp"})
    results = []
    for name in ("intranet.example.com", "public.example.com", "proxy.corp"):
        resolver.getHostByName(name).addBoth(results.append)
    refused, public, proxy = results
    assert refused.check(ResolvedToPrivateAddress)
    assert (
        str(refused.value)
        == "refused: intranet.example.com resolves to 10.0.0.5, not a public address"
    )
    assert (public, proxy) == ("93.184.215.14", "10.1.1.1")


IPV6_FORMS = {
    "http://[2002:7f00:1::]/": "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "http://[64:ff9b::7f00:1]/": "64:ff9b::7f00:1",  # NAT64
    "http://[::7f00:1]/": "::7f00:1",  # IPv4-compatible
    "http://[::ffff:0:7f00:1]/": "::ffff:0:7f00:1",  # IPv4-translated
    "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/": "64:ff9b::a9fe:a9fe",  # NAT64 of metadata
    "http://[::ffff:a00:7]/": "::ffff:a00:7",  # IPv4-mapped 10.0.0.7
}


def test_ipv6_forms_that_embed_a_private_ipv4_are_refused(tmp_path):
    links = "".join(f'<a href="{url}">x</a>' for url in IPV6_FORMS)
    with LocalWeb({"v6.test": {"/": html(links)}}) as web:
        run = run_crawl(web.proxy_url, tmp_path, "-a", "seeds=v6.test", "-a", "scope=web")
    assert run.returncode == 0, run.log[-2000:]
    assert {h for h, _ in web.requests} == {"v6.test"}
    errors = dict(run.pages("error LIKE 'refused%'", "url, error"))
    assert errors == {
        url: f"refused: {address} is not a public address" for url, address in IPV6_FORMS.items()
    }


def test_dns_rebinding_cannot_reach_a_private_address(tmp_path):
    """A name that resolves to a public address first and to 127.0.0.1 after: the crawl
    asks once, connects to what it checked, and never reaches the internal server."""
    report = run_in_netns(
        tmp_path,
        "-a", "seeds=http://rebind.example.net/,http://private.example.net/,http://public.example.net/",
        "-a", "max_depth=2",
    )  # fmt: skip
    assert report["returncode"] == 0, report["log"]
    assert report["served"]["internal"] == []
    assert [q for q in report["questions"] if q == ["rebind.example.net", 1]] == [
        ["rebind.example.net", 1]
    ]
    public = sorted(
        path for host, path in report["served"]["public"] if host == "rebind.example.net"
    )
    assert public == ["/", "/next", "/robots.txt"]
    pages = CrawlRun(0, "", {}, tmp_path)
    rows = dict(pages.pages("true", "url, coalesce(error, status::varchar)"))
    assert rows == {
        "http://rebind.example.net/": "200",
        "http://rebind.example.net/next": "200",
        "http://public.example.net/": "200",
        "http://public.example.net/next": "200",
        "http://private.example.net/": "refused: private.example.net resolves to 127.0.0.1, not a public address",
    }
    assert "INTERNAL" not in json.dumps(pages.pages("true", "title"))

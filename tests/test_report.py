"""``linkspider report``: one self-contained HTML page whose embedded figures are the
CLI's answers, drawn by a real Chromium with every network request refused.

The web of tests/test_changes.py is crawled twice (before and after its churn), ranked,
and reported for t.test."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from linkspider.cli.report_html import CHARTS
from tests.chromium import BROWSER, require_browser
from tests.test_changes import crawl, webs
from tests.test_cli import LINKSPIDER
from tests.webserver import LocalWeb

_DATA = re.compile(
    r'<script type="application/json" id="linkspider-data">(.*?)</script>', re.DOTALL
)
#: set to a path to keep the screenshot (the README's is docs/report.png)
SCREENSHOT = os.environ.get("LINKSPIDER_REPORT_SCREENSHOT")


def cli(data: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LINKSPIDER, *args, "--data", str(data)], capture_output=True, text=True, timeout=120
    )


def answer(data: Path, *args: str) -> list[dict]:
    proc = cli(data, *args, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def embedded(page: str) -> dict:
    match = _DATA.search(page)
    assert match, "no script#linkspider-data"
    return json.loads(match.group(1))


@pytest.fixture(scope="module")
def reported(tmp_path_factory) -> tuple[Path, Path, dict]:
    tmp = tmp_path_factory.mktemp("report")
    data = tmp / "data"
    before, after, _ = webs()
    crawl(data, before, "r1")
    crawl(data, after, "r2")
    ranked = cli(data, "rank", "--crawl", "all")
    assert ranked.returncode == 0, ranked.stderr
    out = tmp / "report.html"
    proc = cli(data, "report", "t.test", "-o", str(out), "--top", "5")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    return data, out, embedded(out.read_text(encoding="utf-8"))


def test_embedded_figures_are_the_cli_answers(reported):
    data, _, figures = reported
    assert figures["report"]["crawl"] == "r2" and figures["report"]["previous_crawl"] == "r1"
    every = answer(data, "backlinks", "t.test", "--sort", "value")
    assert figures["backlinks"] == every[:5]  # same keys, same values, same order
    refdomains = answer(data, "refdomains", "t.test")
    assert figures["referring_domains"] == refdomains[:5]
    assert any(r["authority"] is not None for r in refdomains)  # ranked: authority shown
    assert figures["anchors"] == answer(data, "anchors", "t.test")[:5]
    changes = answer(data, "changes", "t.test")
    for change in ("lost", "new"):
        rows = [r for r in changes if r["change"] == change]
        assert rows, change
        assert figures[change] == rows[:5]
    lost = [r for r in changes if r["change"] == "lost"]
    assert {r["reason"] for r in lost} >= {"link_removed", "page_gone", "page_redirected"}

    summary = figures["summary"]
    assert summary["backlinks"] == len(every)
    assert summary["referring_domains"] == len(refdomains)
    assert summary["linking_pages"] == len({r["source_url"] for r in every})
    assert summary["dofollow_links"] == sum(r["dofollow"] for r in every)
    assert summary["dofollow_share"] == round(summary["dofollow_links"] / len(every), 4)
    for change in ("new", "lost", "changed"):
        assert summary[change] == sum(r["change"] == change for r in changes)

    # per crawl: what backlinks and refdomains say of each crawl
    r1 = answer(data, "backlinks", "t.test", "--crawl", "r1")
    trend = {c["crawl_id"]: c for c in figures["crawls"]}
    assert list(trend) == ["r1", "r2"]
    assert (trend["r1"]["backlinks"], trend["r2"]["backlinks"]) == (len(r1), len(every))
    assert trend["r1"]["referring_domains"] == len(
        answer(data, "refdomains", "t.test", "--crawl", "r1")
    )
    assert trend["r1"]["new"] is None and (trend["r2"]["new"], trend["r2"]["lost"]) == (
        summary["new"], summary["lost"]
    )  # fmt: skip

    # the distributions count every backlink once
    total = len(every)
    assert sum(figures["attributes"].values()) == total
    assert figures["attributes"]["sponsored"] == sum(r["sponsored"] for r in every)
    assert {r["region"]: r["links"] for r in figures["regions"]} == _count(every, "region")
    assert {r["link_type"]: r["links"] for r in figures["link_types"]} == _count(every, "link_type")
    bins = figures["link_values"]
    assert len(bins) == 10 and sum(b["links"] for b in bins) == total
    assert bins[9]["links"] == sum(r["link_value"] >= 0.9 for r in every)


def _count(rows: list[dict], key: str) -> dict:
    out: dict = {}
    for row in rows:
        out[row[key]] = out.get(row[key], 0) + 1
    return out


def _open(page_path: Path, check) -> None:
    """Open the page in Chromium, every request refused; ``check(page, requests, errors)``."""
    from playwright.sync_api import sync_playwright

    require_browser()
    with LocalWeb({}) as web, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=BROWSER,
            proxy={"server": web.proxy_url, "bypass": "<-loopback>"},
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update"],
        )  # fmt: skip
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            requests: list[str] = []
            context.route(  # the page itself; nothing else, and nothing leaves
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url == page_path.as_uri() else route.abort()
                ),
            )
            page = context.new_page()
            errors: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: m.type in ("error", "warning") and errors.append(m.text))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_path.as_uri(), wait_until="load")
            check(page, requests, errors)
        finally:
            browser.close()
        assert web.requests == []  # not one request reached the proxy


_PIXELS = """() => [...document.querySelectorAll('canvas')].map((c) => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let painted = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) painted++;
  return [c.id, c.width, c.height, painted];
})"""


def test_every_chart_drawn_offline_in_chromium(reported, tmp_path):
    _, out, figures = reported

    def check(page, requests, errors):
        assert requests == [out.as_uri()], requests  # the file itself, nothing else
        assert errors == []
        drawn = page.evaluate(_PIXELS)
        assert [d[0] for d in drawn] == [f"chart-{c[0]}" for c in CHARTS]  # all 8 charts
        for chart_id, width, height, painted in drawn:
            assert width > 100 and height > 100, chart_id
            assert painted > 500, f"{chart_id} is blank"
        assert page.evaluate("window.linkspiderCharts.length") == len(CHARTS)
        in_page = page.evaluate(
            "JSON.parse(document.getElementById('linkspider-data').textContent)"
        )
        assert in_page == figures
        shown = page.locator("#top-backlinks tbody tr").count()
        assert shown == 5 and page.locator("#lost-backlinks tbody tr").count() == 5
        assert (
            page.locator("#figure-backlinks .value").inner_text()
            == f"{figures['summary']['backlinks']:,}"
        )
        assert page.locator("#figure-lost .value").inner_text() == f"-{figures['summary']['lost']}"
        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 50_000
        if SCREENSHOT:
            page.screenshot(path=SCREENSHOT, full_page=False)
        pdf = page.pdf(format="A4")  # printable
        assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 2

    _open(out, check)


def test_hostile_text_stays_text(reported, tmp_path):
    from linkspider.cli.report_html import render

    _, _, figures = reported
    evil = '</script><script>window.pwned=1</script><img src="http://evil.test/x" onerror="window.pwned=2">'
    figures = json.loads(json.dumps(figures))
    figures["report"]["target"] = evil
    for row in figures["backlinks"] + figures["lost"]:
        row["anchor_text"] = evil
        row["source_url"] = "javascript:window.pwned=3"
    for row in figures["anchors"]:
        row["anchor"] = evil
    for row in figures["referring_domains"]:
        row["source_domain"] = evil
    page_path = tmp_path / "evil.html"
    page_path.write_text(render(figures), encoding="utf-8")

    def check(page, requests, errors):
        assert requests == [page_path.as_uri()] and errors == []
        assert page.evaluate("window.pwned") is None
        assert page.locator("h1 .target").inner_text() == evil
        assert page.locator("a[href^='javascript:']").count() == 0
        assert page.evaluate(_PIXELS)  # the charts still drew, with the text as labels

    _open(page_path, check)


def test_one_crawl_and_no_backlinks_still_make_a_page(reported, tmp_path):
    data, _, _ = reported
    out = tmp_path / "r1.html"
    proc = cli(data, "report", "t.test", "--crawl", "r1", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    figures = embedded(out.read_text(encoding="utf-8"))
    assert figures["report"]["previous_crawl"] is None and figures["lost"] == []
    assert [c["crawl_id"] for c in figures["crawls"]] == ["r1"]
    assert "crawl again to see new and lost links" in out.read_text(encoding="utf-8")
    assert 'id="chart-changes"' not in out.read_text(encoding="utf-8")

    nothing = cli(data, "report", "nobody-links-here.test")  # to stdout
    assert nothing.returncode == 0, nothing.stderr
    figures = embedded(nothing.stdout)
    assert figures["summary"]["backlinks"] == 0 and figures["backlinks"] == []
    assert "no backlinks" in nothing.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (("t.test", "--crawl", "nope"), "no crawl 'nope'"),
        (("t.test", "-o", "/nonexistent-dir/r.html"), "no directory"),
        (("t.test", "--top", "0"), "expected a whole number >= 1"),
        (("t.test", "--format", "json"), "unrecognized arguments"),
    ],
)
def test_errors_are_one_line(reported, args, message):
    data, _, _ = reported
    proc = cli(data, "report", *args)
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1

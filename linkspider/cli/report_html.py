"""The report's page: one HTML file that needs nothing but itself.

Headline figures and tables are HTML written here (escaped: anchor texts and
URLs come from the web); the charts are drawn in the browser by Chart.js
(``linkspider/_vendor/chartjs``, MIT, 210 KB, inlined) from the figures
embedded as JSON in ``<script type="application/json" id="linkspider-data">``
(:mod:`linkspider.cli.report` gathers them), by ``report.js``.  A Content
Security Policy allows inline scripts and styles and nothing else: the page
loads no URL, whatever the data holds.

>>> embed_json({"a": "</script><b>&"})
'{"a": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
"""

from __future__ import annotations

import html
import json
from importlib import resources
from typing import Any

#: The page's policy: inline scripts and styles, images from data: URLs, nothing else.
CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:"

#: The charts, in page order: id, title, and what the caption says.
CHARTS = (
    ("trend", "Backlinks and referring domains per crawl", "every crawl kept, up to this one"),
    ("changes", "New and lost backlinks per crawl", "against the crawl before each"),
    ("anchors", "Anchor texts", "the most frequent; an image link counts its alt"),
    ("attributes", "Dofollow, nofollow, sponsored, ugc", "each link counted once: sponsored, else ugc, else nofollow, else dofollow"),
    ("refdomains", "Top referring domains", "links from each; authority is the domain's harmonic-centrality percentile"),
    ("values", "Link value distribution", "backlinks per tenth of link_value"),
    ("regions", "Where on the page", "DOM region of the linking element"),
    ("link_types", "Link types", "text, image and area links, and redirect, canonical and refresh (no element)"),
)  # fmt: skip


def embed_json(data: Any) -> str:
    """JSON that is safe inside ``<script>``: no ``<``, ``>``, ``&`` or line separators."""
    text = json.dumps(data, ensure_ascii=False, default=str)
    for char, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return text


def render(data: dict[str, Any]) -> str:
    """The whole page."""
    report, summary = data["report"], data["summary"]
    title = f"Backlinks of {report['target']}"
    present = _charts_present(data)
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="linkspider">',
        f"<title>{_e(title)} - linkspider</title>",
        f"<style>{_asset('report.css')}</style>",
        "</head><body>",
        "<header>",
        f"<h1>Backlinks of <span class=target>{_e(report['target'])}</span></h1>",
        f"<p class=meta>{_e(_meta(report, data['crawls']))}</p>",
        "</header>",
        _figures(summary, report),
        '<section class=charts aria-label="charts">',
    ]
    for chart_id, chart_title, caption in CHARTS:
        if chart_id in present:
            parts.append(
                f'<figure class=chart-card id="figure-{chart_id}"><h2>{_e(chart_title)}</h2>'
                f'<div class=chart><canvas id="chart-{chart_id}" role="img" '
                f'aria-label="{_e(chart_title)}"></canvas></div>'
                f"<figcaption>{_e(caption)}</figcaption></figure>"
            )
    parts.append("</section>")
    missing = [t for i, t, _ in CHARTS if i not in present]
    if missing:
        parts.append(
            f"<p class=note>No data for: {_e(', '.join(missing))}"
            f"{_e(_why_missing(data, present))}.</p>"
        )
    parts += [
        _backlinks_table(data["backlinks"], summary["backlinks"], report["top"]),
        _changes_table("lost", data["lost"], summary["lost"], report),
        _changes_table("new", data["new"], summary["new"], report),
        _refdomains_table(data["referring_domains"], summary["referring_domains"]),
        "<footer><p>Made by <code>linkspider report</code> from "
        f"<code>{_e(report['data'])}</code>. The figures behind this page are embedded in it as "
        "JSON (<code>script#linkspider-data</code>); the same rows as <code>linkspider backlinks "
        "--sort value</code>, <code>refdomains</code>, <code>anchors</code> and "
        "<code>changes</code> with <code>--format json</code>.</p></footer>",
        f'<script type="application/json" id="linkspider-data">{embed_json(data)}</script>',
        f"<script>{_asset('chart', vendor=True)}</script>",
        f"<script>{_asset('report.js')}</script>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _charts_present(data: dict[str, Any]) -> set[str]:
    present = {"trend"} if data["crawls"] else set()
    if len(data["crawls"]) > 1:
        present.add("changes")
    if data["summary"]["backlinks"]:
        present.add("attributes")
    for chart_id, key in (
        ("anchors", "anchors"),
        ("refdomains", "referring_domains"),
        ("values", "link_values"),
        ("regions", "regions"),
        ("link_types", "link_types"),
    ):
        if data[key]:
            present.add(chart_id)
    return present


def _why_missing(data: dict[str, Any], present: set[str]) -> str:
    if not data["summary"]["backlinks"]:
        return " (no backlinks in this crawl with these filters)"
    if "changes" not in present:
        return " (one crawl: crawl again to see new and lost links)"
    return ""


def _meta(report: dict[str, Any], crawls: list[dict[str, Any]]) -> str:
    shown = report["crawls"]
    which = f"crawl {shown[0]}" if len(shown) == 1 else f"{len(shown)} crawls"
    started = next((c["started_at"] for c in crawls if c["crawl_id"] == report["crawl"]), None)
    text = f"{report['kind']} {report['target']} · {which}"
    if started:
        text += f" (started {started[:16].replace('T', ' ')} UTC)"
    if report["previous_crawl"]:
        text += f" · compared with crawl {report['previous_crawl']}"
    filters = report["filters"]
    chosen = [
        name
        for name, on in (
            ("internal links included", filters["internal"]),
            ("dofollow only", filters["dofollow"]),
            (f"regions {', '.join(filters['region'] or [])}", filters["region"]),
        )
        if on
    ]
    text += " · " + ("; ".join(chosen) if chosen else "external links")
    return (
        text + f" · generated {report['generated_at']} by linkspider {report['linkspider_version']}"
    )


def _figures(summary: dict[str, Any], report: dict[str, Any]) -> str:
    since = f"since crawl {report['previous_crawl']}" if report["previous_crawl"] else "one crawl"
    share = summary["dofollow_share"]
    cards = [
        ("backlinks", "Backlinks", _n(summary["backlinks"]), f"from {_n(summary['linking_pages'])} pages"),
        ("referring_domains", "Referring domains", _n(summary["referring_domains"]), ""),
        ("dofollow_share", "Dofollow", "-" if share is None else f"{share:.0%}", f"{_n(summary['dofollow_links'])} links pass credit"),
        ("new", "New", _signed(summary["new"], "+"), since),
        ("lost", "Lost", _signed(summary["lost"], "-"), since),
    ]  # fmt: skip
    items = "".join(
        f'<div class=figure id="figure-{key}"><div class=label>{_e(label)}</div>'
        f"<div class=value>{_e(value)}</div><div class=sub>{_e(sub)}</div></div>"
        for key, label, value, sub in cards
    )
    return f'<section class=figures aria-label="headline figures">{items}</section>'


def _backlinks_table(rows: list[dict[str, Any]], total: int, top: int) -> str:
    body = "".join(
        "<tr>"
        f"<td>{_url(r['source_url'])}</td>"
        f"<td>{_e(_anchor(r))}</td>"
        f"<td>{_url(r['target_url'])}</td>"
        f"<td>{_e(r['region'])}</td>"
        f"<td>{_e(_follow(r))}</td>"
        f"<td>{_e(r['anchor_class'])}</td>"
        f"<td class=num>{_f(r['authority'])}</td>"
        f"<td class=num>{_f(r['link_value'])}</td>"
        f"<td>{_e(_day(r.get('first_seen')))}</td>"
        "</tr>"
        for r in rows
    )
    head = "".join(
        f"<th{' class=num' if n in ('authority', 'value') else ''}>{n}</th>"
        for n in ("source", "anchor", "target", "region", "follow", "anchor class", "authority",
                  "value", "first seen")
    )  # fmt: skip
    return _table_section(
        "top-backlinks",
        "Top backlinks by link value",
        _shown(len(rows), total),
        head,
        body,
        "no backlinks",
    )


def _changes_table(change: str, rows: list[dict[str, Any]], total: int | None, report) -> str:
    title = {"lost": "Lost backlinks", "new": "New backlinks"}[change]
    if report["previous_crawl"] is None:
        return (
            f'<section class=table id="{change}-backlinks"><h2>{title}</h2>'
            "<p class=note>One crawl: crawl again to see new and lost links.</p></section>"
        )
    body = "".join(
        "<tr>"
        f"<td>{_url(r['source_url'])}</td>"
        f"<td>{_e(r['anchor_text'])}</td>"
        f"<td>{_url(r['target_url'])}</td>"
        f"<td>{_e(', '.join(r['reasons'] or []))}</td>"
        f"<td>{_e(r['region'])}</td>"
        "</tr>"
        for r in rows
    )
    head = "".join(f"<th>{n}</th>" for n in ("source", "anchor", "target", "reason", "region"))
    return _table_section(
        f"{change}-backlinks",
        f"{title} since crawl {report['previous_crawl']}",
        _shown(len(rows), total or 0),
        head,
        body,
        f"no {change} backlinks",
    )


def _refdomains_table(rows: list[dict[str, Any]], total: int) -> str:
    body = "".join(
        "<tr>"
        f"<td>{_e(r['source_domain'])}</td>"
        f"<td class=num>{_n(r['links'])}</td>"
        f"<td class=num>{_n(r['pages'])}</td>"
        f"<td class=num>{_n(r['dofollow_links'])}</td>"
        f"<td class=num>{_f(r['authority'])}</td>"
        f"<td>{_e(_day(r.get('last_fetched')))}</td>"
        "</tr>"
        for r in rows
    )
    head = "".join(
        f"<th{' class=num' if n not in ('domain', 'last fetched') else ''}>{n}</th>"
        for n in ("domain", "links", "pages", "dofollow", "authority", "last fetched")
    )
    return _table_section(
        "referring-domains",
        "Top referring domains",
        _shown(len(rows), total),
        head,
        body,
        "no referring domains",
    )


def _table_section(key: str, title: str, note: str, head: str, body: str, empty: str) -> str:
    if not body:
        return f'<section class=table id="{key}"><h2>{_e(title)}</h2><p class=note>{empty}</p></section>'
    return (
        f'<section class=table id="{key}"><h2>{_e(title)}</h2><p class=note>{_e(note)}</p>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></section>"
    )


def _shown(shown: int, total: int) -> str:
    if shown >= total:
        return f"all {total:,}"
    return f"the first {shown:,} of {total:,} (linkspider report --top N shows more)"


def _anchor(row: dict[str, Any]) -> str:
    if row.get("link_type") in ("image", "area") and row.get("img_alt") is not None:
        return f"[image] {row['img_alt']}"
    return row.get("anchor_text") or ""


def _follow(row: dict[str, Any]) -> str:
    kinds = [k for k in ("sponsored", "ugc") if row.get(k)]
    if not row.get("dofollow"):
        kinds.insert(0, "nofollow")
    return ", ".join(kinds) or "dofollow"


def _url(url: str | None) -> str:
    if not url:
        return ""
    text = _e(url)
    if url.startswith(("http://", "https://")):
        return f'<a href="{text}" rel="noreferrer noopener nofollow">{text}</a>'
    return text


def _day(value: str | None) -> str:
    return value[:10] if value else ""


def _n(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _f(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def _signed(value: int | None, sign: str) -> str:
    if value is None:
        return "-"
    return f"{sign}{value:,}" if value else "0"


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _asset(name: str, vendor: bool = False) -> str:
    if vendor:
        path = resources.files("linkspider") / "_vendor" / "chartjs" / "chart.umd.min.js"
    else:
        path = resources.files("linkspider.cli") / name
    text = path.read_text(encoding="utf-8")
    # inlined in <script>/<style>: no end tag may appear inside
    return text.replace("</script", "<\\/script").replace("</style", "<\\/style")

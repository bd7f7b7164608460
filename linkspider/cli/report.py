"""``linkspider report TARGET -o report.html``: TARGET's backlinks as one HTML page.

The figures are gathered here, by the same SQL the other commands run
(:mod:`linkspider.cli.queries`), and the page is drawn by
:mod:`linkspider.cli.report_html`.  Rows are serialized by DuckDB exactly as
``--format json`` writes them, so ``backlinks``, ``referring_domains``,
``anchors``, ``lost`` and ``new`` in the page's embedded JSON equal what
``linkspider backlinks TARGET --sort value``, ``refdomains``, ``anchors`` and
``changes`` print (their first ``--top`` rows).

The report is of one crawl (``--crawl``, default the latest; with ``all``, the
tables and headline figures are of every crawl, as for the other commands);
new and lost are counted against the crawl before it, and the per-crawl charts
cover every crawl up to it whose files are kept (``linkspider prune`` removes
the rest).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from datetime import UTC, datetime
from typing import Any

from linkspider.cli import output, queries
from linkspider.cli.commands import target_of
from linkspider.cli.dataset import Dataset
from linkspider.pipelines.layout import bucket
from linkspider.sql import sql_string
from linkspider.value import Weights, value_sql

#: Bins of the link value histogram (link_value is in [0, 1]).
VALUE_BINS = 10

#: One bucket per link for the attribute chart: sponsored, else ugc, else nofollow, else dofollow.
ATTRIBUTE_SQL = """SELECT
    count(*) FILTER (WHERE NOT sponsored AND NOT ugc AND dofollow) AS dofollow,
    count(*) FILTER (WHERE NOT sponsored AND NOT ugc AND NOT dofollow) AS nofollow,
    count(*) FILTER (WHERE sponsored) AS sponsored,
    count(*) FILTER (WHERE ugc AND NOT sponsored) AS ugc
FROM report_backlinks"""

#: A crawl's counts: the ``links`` view restricted to TARGET and the filters.
_PER_CRAWL = """SELECT crawl_id, count(*) AS backlinks,
       count(DISTINCT source_domain) AS referring_domains,
       count(*) FILTER (WHERE dofollow) AS dofollow_links
FROM links WHERE {where}{filters}
GROUP BY crawl_id"""


def run(args: argparse.Namespace, dataset: Dataset, crawls: list[str]) -> int:
    """The ``report`` command: gather the figures, write the page (whole or not at all)."""
    from linkspider.cli.report_html import render

    data = collect(dataset, args, crawls)
    page = render(data)
    if args.output is None:
        import sys

        sys.stdout.write(page)
        return 0
    with output.atomic(args.output) as tmp, open(tmp, "w", encoding="utf-8") as handle:
        handle.write(page)
    return 0


def collect(dataset: Dataset, args: argparse.Namespace, crawls: list[str]) -> dict[str, Any]:
    """Every figure of the report, as the page embeds them."""
    target, where, params = target_of(args)
    filters = queries.filters(args.internal, args.dofollow, args.region)
    partition = bucket(target.domain)
    known = dataset.crawl_ids()
    current = crawls[-1]
    trend = known[: known.index(current) + 1]
    previous = trend[-2] if len(trend) > 1 else None
    con = dataset.con
    top = args.top

    # the crawl(s) of the report: the views and SQL of `backlinks`, `refdomains`, `anchors`
    dataset.define_views(crawls, links_bucket=partition)
    edges = queries.BACKLINK_EDGES.format(where=where)
    valued = value_sql(edges, Weights.parse(args.weight))
    backlinks_sql = queries.BACKLINKS.sql.format(
        valued=valued, filters=filters, order=queries.BACKLINK_ORDER["value"]
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE report_backlinks AS {backlinks_sql}", params)
    by_value = f"SELECT * FROM report_backlinks ORDER BY {queries.BACKLINK_ORDER['value']}"
    data: dict[str, Any] = {
        "report": {
            "target": target.value,
            "kind": target.kind,
            "domain": target.domain,
            "crawls": crawls,
            "crawl": current,
            "previous_crawl": previous,
            "data": dataset.root,
            "filters": {
                "internal": args.internal,
                "dofollow": args.dofollow,
                "region": args.region,
                "weights": args.weight or [],
            },
            "top": top,
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "linkspider_version": _version(),
        },
    }
    summary = con.execute(
        """SELECT count(*), count(DISTINCT source_domain), count(DISTINCT source_url),
                  count(*) FILTER (WHERE dofollow), count(link_value)
           FROM report_backlinks"""
    ).fetchone()
    backlinks, refdomains, pages, dofollow, valued_links = summary
    data["summary"] = {
        "backlinks": backlinks,
        "referring_domains": refdomains,
        "linking_pages": pages,
        "dofollow_links": dofollow,
        "dofollow_share": round(dofollow / backlinks, 4) if backlinks else None,
        "new": None,
        "lost": None,
        "changed": None,
    }
    data["backlinks"] = rows(con, f"{by_value} LIMIT {int(top)}", {})
    data["referring_domains"] = rows(
        con,
        queries.REFDOMAINS.sql.format(where=where, filters=filters) + f"\nLIMIT {int(top)}",
        params,
    )
    data["anchors"] = rows(
        con,
        queries.ANCHORS.sql.format(where=where, filters=filters) + f"\nLIMIT {int(top)}",
        params,
    )
    attributes = con.execute(ATTRIBUTE_SQL)
    data["attributes"] = dict(
        zip((d[0] for d in attributes.description), attributes.fetchone(), strict=True)
    )
    data["regions"] = _counts(con, "region")
    data["link_types"] = _counts(con, "link_type")
    data["link_values"] = _histogram(con) if valued_links else []

    # every kept crawl up to the report's: counts, and new / lost against the one before
    dataset.define_views(trend, links_bucket=partition)
    records = dataset.records()
    counted = {
        r[0]: r[1:]
        for r in con.execute(_PER_CRAWL.format(where=where, filters=filters), params).fetchall()
    }
    changes_sql = queries.CHANGES.sql.format(where=where, filters=filters)
    per_crawl = []
    for i, crawl_id in enumerate(trend):
        started = (records.get(crawl_id) or {}).get("started_at")
        links, domains, follow = counted.get(crawl_id, (0, 0, 0))
        row = {
            "crawl_id": crawl_id,
            "started_at": started.isoformat() if started is not None else None,
            "backlinks": links,
            "referring_domains": domains,
            "dofollow_links": follow,
            "new": None,
            "lost": None,
            "changed": None,
        }
        if i:
            pair = {**params, "from_crawl": trend[i - 1], "to_crawl": crawl_id}
            changes = f"({changes_sql})"
            if crawl_id == current:  # kept: its lost and new rows are the tables' too
                con.execute(f"CREATE OR REPLACE TEMP TABLE report_changes AS {changes_sql}", pair)
                changes, pair = "report_changes", {}
            for change, count in con.execute(
                f"SELECT change, count(*) FROM {changes} GROUP BY change", pair
            ).fetchall():
                row[change] = count
            for change in ("new", "lost", "changed"):
                row[change] = row[change] or 0
        per_crawl.append(row)
    data["crawls"] = per_crawl
    data["lost"], data["new"] = [], []
    if previous is not None:
        for change in ("lost", "new"):
            data[change] = rows(
                con,
                f"SELECT * FROM report_changes WHERE change = {sql_string(change)} "
                f"LIMIT {int(top)}",
                {},
            )
        for change in ("new", "lost", "changed"):
            data["summary"][change] = per_crawl[-1][change]
    return data


def rows(con, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of ``sql`` exactly as ``--format json`` writes them (DuckDB's JSON)."""
    with tempfile.TemporaryDirectory(prefix="linkspider-report-") as tmp:
        path = os.path.join(tmp, "rows.json")
        con.execute(f"COPY ({sql}) TO {sql_string(path)} (FORMAT json, ARRAY true)", params)
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)


def _counts(con, column: str) -> list[dict[str, Any]]:
    """Backlinks per value of ``column``, most first."""
    result = con.execute(
        f"SELECT {column}, count(*) AS links FROM report_backlinks "
        f"GROUP BY {column} ORDER BY links DESC, {column}"
    )
    return [{column: value, "links": links} for value, links in result.fetchall()]


def _histogram(con) -> list[dict[str, Any]]:
    """Backlinks per tenth of link_value (every bin, empty ones too)."""
    counts = dict(
        con.execute(
            f"SELECT least(floor(link_value * {VALUE_BINS}), {VALUE_BINS - 1})::INT AS bin, "
            "count(*) FROM report_backlinks WHERE link_value IS NOT NULL GROUP BY bin"
        ).fetchall()
    )
    return [
        {"from": i / VALUE_BINS, "to": (i + 1) / VALUE_BINS, "links": counts.get(i, 0)}
        for i in range(VALUE_BINS)
    ]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("linkspider")
    except PackageNotFoundError:  # pragma: no cover - a source tree without install
        return "unknown"

"""The ``linkspider`` command, called as a user calls it (a subprocess), over two crawls
of a generated multi-site web whose every link is known in advance.

The web's truth comes from the generator, not from the dataset: each page's
links (target, anchor, image alt, rel) are chosen first and then written as
HTML.  Crawl ``c1`` writes the source-sorted ``outlinks/`` copy; crawl ``c2``
(the latest) is a recrawl after churn written without it, so ``outlinks`` must
fall back to ``links/`` there.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest

from pipelines.layout import parse_part_name
from tests.conftest import REPO, run_crawl
from tests.webserver import LocalWeb, html

#: host -> its registered domain (written by hand: the truth does not use linkspider.psl)
HOSTS = {
    "www.alpha.com": "alpha.com",
    "blog.alpha.com": "alpha.com",
    "beta.org": "beta.org",
    "www.gamma.co.uk": "gamma.co.uk",
    "delta.net": "delta.net",
    "shop.delta.net": "delta.net",
    "epsilon.io": "epsilon.io",
}
#: linked to, never crawled
UNCRAWLED = {"www.zeta.de": "zeta.de"}
DOMAINS = sorted(set(HOSTS.values()) | set(UNCRAWLED.values()))
RELS = ("", "", "", "nofollow", "sponsored", "ugc", "ugc nofollow", "noopener")
WORDS = [
    "kettle",
    "lamp",
    "review",
    "guide",
    "best",
    "cheap",
    "shop",
    "news",
    "blog",
    "story",
    "deal",
    "home",
    "garden",
]
FILLER = (
    "This paragraph is long enough to read as the body of an article, with sentences, "
    "commas, and the ordinary rhythm of prose that a reader would expect to find here. "
)
EDGE_KEYS = ("source_url", "target_url", "anchor_text", "img_alt", "nofollow", "sponsored", "ugc")


def domain_of(host: str) -> str:
    return {**HOSTS, **UNCRAWLED}[host]


def generate(seed: int) -> tuple[dict, list[dict]]:
    """The web (host -> path -> Resource) and its edges (one dict per <a href>)."""
    rng = random.Random(seed)
    paths = {host: ["/", *(f"/a{i}" for i in range(1, 5))] for host in HOSTS}
    targets = [(h, p) for h, ps in paths.items() for p in ps] + [
        ("www.zeta.de", "/"),
        ("www.zeta.de", "/offer"),
    ]
    sites: dict = {}
    edges: list[dict] = []
    for host, host_paths in paths.items():
        # a sitewide footer link: every page of every other site links to beta.org
        sitewide = ("www.zeta.de", "/") if host == "beta.org" else ("beta.org", "/")
        sites[host] = {}
        for path in host_paths:
            source = f"http://{host}{path}"
            links: list[tuple[str, str, str | None, str]] = []  # url, text, alt, rel
            nav = [
                (f"http://{host}{p}", f"page {p.strip('/') or 'home'}", None, "")
                for p in host_paths
            ]
            main = []
            for _ in range(rng.randint(2, 6)):
                target_host, target_path = rng.choice([t for t in targets if t[0] != host])
                url = f"http://{target_host}{target_path}"
                rel = rng.choice(RELS)
                if rng.random() < 0.2:
                    main.append((url, "", " ".join(rng.sample(WORDS, 2)), rel))
                else:
                    main.append((url, " ".join(rng.sample(WORDS, rng.randint(1, 3))), None, rel))
                if rng.random() < 0.15:  # the same link twice on a page: two edges
                    main.append(main[-1])
            footer = [(f"http://{sitewide[0]}{sitewide[1]}", "our friends", None, "")]
            links = nav + main + footer

            def anchor(url: str, text: str, alt: str | None, rel: str) -> str:
                rel_attr = f' rel="{rel}"' if rel else ""
                inner = f'<img src="/i.png" alt="{alt}">' if alt is not None else text
                return f'<a href="{url}"{rel_attr}>{inner}</a>'

            body = (
                "<!doctype html><html><head><meta charset=utf-8><title>"
                f"{host}{path}</title></head><body><header><nav>"
                + " ".join(anchor(*link) for link in nav)
                + "</nav></header><main><article><h1>An article</h1>"
                + "".join(f"<p>{FILLER}{anchor(*link)} {FILLER}</p>" for link in main)
                + "</article></main><footer>"
                + anchor(*footer[0])
                + "</footer></body></html>"
            )
            sites[host][path] = html(body)
            for url, text, alt, rel in links:
                target_host = url.split("/")[2]
                words = rel.split()
                edges.append(
                    {
                        "source_url": source,
                        "source_domain": HOSTS[host],
                        "source_host": host,
                        "target_url": url,
                        "target_host": target_host,
                        "target_domain": domain_of(target_host),
                        "anchor_text": text,
                        "img_alt": alt,
                        "nofollow": "nofollow" in words,
                        "sponsored": "sponsored" in words,
                        "ugc": "ugc" in words,
                        "external": domain_of(target_host) != HOSTS[host],
                    }
                )
    for edge in edges:
        edge["dofollow"] = not (edge["nofollow"] or edge["sponsored"] or edge["ugc"])
    return sites, edges


WEB1, TRUTH1 = generate(1)
WEB2, TRUTH2 = generate(2)  # the same sites after churn: other links, other anchors
SEEDS = ",".join(f"http://{host}/" for host in HOSTS)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "data"
    for crawl_id, web, settings in (
        ("c1", WEB1, {}),
        ("c2", WEB2, {"LINKSPIDER_SOURCE_INDEX": "False"}),
    ):
        with LocalWeb(web) as server:
            run = run_crawl(
                server.proxy_url,
                out,
                "-a", f"seeds={SEEDS}", "-a", "scope=site", "-a", "render=never",
                "-a", f"crawl_id={crawl_id}",
                settings=settings,
            )  # fmt: skip
        assert run.returncode == 0, run.log[-3000:]
    return out


LINKSPIDER = str(Path(sys.executable).with_name("linkspider"))


def cli(*args: str, data: Path | None = None, stdin: str | None = None, env=None):
    command = [LINKSPIDER, *args] + (["--data", str(data)] if data is not None else [])
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
        env={**os.environ, **(env or {})},
        cwd=REPO,
    )


def answer(*args: str, data: Path) -> list[dict]:
    proc = cli(*args, "--format", "json", "--limit", "0", data=data)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def many(calls: list[tuple], data: Path) -> list[list[dict]]:
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda args: answer(*args, data=data), calls))


def edge_key(row: dict) -> tuple:
    return tuple(row[k] for k in EDGE_KEYS)


def truth_backlinks(truth: list[dict], domain: str) -> Counter:
    return Counter(edge_key(e) for e in truth if e["target_domain"] == domain and e["external"])


def truth_refdomains(truth: list[dict], domain: str) -> list[dict]:
    by_source: dict[str, list[dict]] = defaultdict(list)
    for edge in truth:
        if edge["target_domain"] == domain and edge["external"]:
            by_source[edge["source_domain"]].append(edge)
    rows = [
        {
            "source_domain": source,
            "links": len(found),
            "pages": len({e["source_url"] for e in found}),
            "dofollow_links": sum(e["dofollow"] for e in found),
        }
        for source, found in by_source.items()
    ]
    return sorted(rows, key=lambda r: (-r["links"], r["source_domain"]))


def sql_rows(data: Path, query: str, **params) -> list[dict]:
    con = duckdb.connect()
    rel = con.execute(
        query.replace("LINKS", f"read_parquet('{data}/links/*/*.parquet', hive_partitioning=true)"),
        params,
    )
    names = [d[0] for d in rel.description]
    return [dict(zip(names, row, strict=True)) for row in rel.fetchall()]


REFDOMAINS_SQL = """SELECT source_domain, count(*) AS links, count(DISTINCT source_url) AS pages,
    count(*) FILTER (WHERE NOT (nofollow OR sponsored OR ugc)) AS dofollow_links
FROM LINKS WHERE crawl_id = $crawl AND target_domain = $domain AND is_external
GROUP BY source_domain ORDER BY links DESC, source_domain"""


def counts(rows: list[dict]) -> list[dict]:
    keys = ("source_domain", "links", "pages", "dofollow_links")
    return [{k: r[k] for k in keys} for r in rows]


# -- answers equal the truth and the SQL -------------------------------------------


@pytest.mark.parametrize(("crawl", "truth"), [("latest", TRUTH2), ("c1", TRUTH1)])
def test_backlinks_and_refdomains_of_every_domain_equal_the_web_and_the_sql(dataset, crawl, truth):
    crawl_id = "c2" if crawl == "latest" else crawl
    calls = [(cmd, d, "--crawl", crawl) for d in DOMAINS for cmd in ("backlinks", "refdomains")]
    answers = dict(zip(calls, many(calls, dataset), strict=True))
    linked = 0
    for domain in DOMAINS:
        backlinks = answers[("backlinks", domain, "--crawl", crawl)]
        assert Counter(edge_key(r) for r in backlinks) == truth_backlinks(truth, domain), domain
        assert {r["crawl_id"] for r in backlinks} <= {crawl_id}
        assert all(
            r["dofollow"] == (not (r["nofollow"] or r["sponsored"] or r["ugc"])) for r in backlinks
        )
        refdomains = answers[("refdomains", domain, "--crawl", crawl)]
        assert counts(refdomains) == truth_refdomains(truth, domain), domain
        assert counts(refdomains) == counts(
            sql_rows(dataset, REFDOMAINS_SQL, crawl=crawl_id, domain=domain)
        )
        assert all(r["first_fetched"] <= r["last_fetched"] for r in refdomains)
        linked += len(backlinks)
    assert linked == sum(e["external"] for e in truth)


def test_backlinks_columns_hosts_urls_and_filters(dataset):
    rows = answer("backlinks", "alpha.com", data=dataset)
    required = [
        "source_url",
        "source_domain",
        "target_url",
        "anchor_text",
        "img_alt",
        "rel",
        "nofollow",
        "sponsored",
        "ugc",
        "region",
        "link_type",
        "position",
        "fetched_at",
        "crawl_id",
        "dofollow",
    ]
    assert rows and all(set(required) <= set(r) for r in rows)
    assert {r["link_type"] for r in rows if r["img_alt"] is not None} == {"image"}

    # a host is that host only; a URL is that page only
    host = answer("backlinks", "blog.alpha.com", data=dataset)
    assert Counter(edge_key(r) for r in host) == Counter(
        edge_key(e) for e in TRUTH2 if e["target_host"] == "blog.alpha.com" and e["external"]
    )
    url_rows = answer("backlinks", "http://beta.org/a1", data=dataset)
    assert Counter(edge_key(r) for r in url_rows) == Counter(
        edge_key(e) for e in TRUTH2 if e["target_url"] == "http://beta.org/a1" and e["external"]
    )
    # --as domain reads a host as its registered domain
    as_domain = answer("backlinks", "blog.alpha.com", "--as", "domain", data=dataset)
    assert Counter(map(edge_key, as_domain)) == truth_backlinks(TRUTH2, "alpha.com")

    dofollow = answer("backlinks", "beta.org", "--dofollow", data=dataset)
    assert Counter(map(edge_key, dofollow)) == Counter(
        edge_key(e)
        for e in TRUTH2
        if e["target_domain"] == "beta.org" and e["external"] and e["dofollow"]
    )
    internal = answer("backlinks", "beta.org", "--internal", data=dataset)
    assert Counter(map(edge_key, internal)) == Counter(
        edge_key(e) for e in TRUTH2 if e["target_domain"] == "beta.org"
    )
    main = answer("backlinks", "beta.org", "--region", "main,footer", data=dataset)
    everything = answer("backlinks", "beta.org", data=dataset)
    assert main == [r for r in everything if r["region"] in ("main", "footer")]
    assert {r["region"] for r in main} == {"main", "footer"}  # the footer link is sitewide

    limited = cli("backlinks", "beta.org", "--limit", "2", "--format", "json", data=dataset)
    assert json.loads(limited.stdout) == everything[:2]


def test_outlinks_from_the_source_index_and_without_it(dataset):
    for crawl, truth in (("c1", TRUTH1), ("c2", TRUTH2)):
        for source in ("alpha.com", "www.gamma.co.uk", "http://delta.net/a2"):
            rows = answer("outlinks", source, "--crawl", crawl, "--internal", data=dataset)
            field = (
                "source_url"
                if source.startswith("http")
                else ("source_host" if source.startswith("www.") else "source_domain")
            )
            expected = Counter(edge_key(e) for e in truth if e[field] == source)
            assert expected and Counter(map(edge_key, rows)) == expected, (crawl, source)
            assert [(r["source_url"], r["position"]) for r in rows] == sorted(
                (r["source_url"], r["position"]) for r in rows
            )
    # c1 was written with the source index, c2 without (its outlinks come from links/)
    # (by the crawl id the file name carries: its random part can hold "c2" too)
    crawls = {parse_part_name(p.name).crawl_id for p in (dataset / "outlinks").rglob("*.parquet")}
    assert crawls == {"c1"}


def test_anchors_count_image_alts_and_shares(dataset):
    rows = answer("anchors", "alpha.com", data=dataset)
    expected = Counter(
        e["img_alt"] if e["img_alt"] is not None else e["anchor_text"]
        for e in TRUTH2
        if e["target_domain"] == "alpha.com" and e["external"]
    )
    assert {r["anchor"]: r["links"] for r in rows} == dict(expected)
    assert sum(r["share"] for r in rows) == pytest.approx(1, abs=1e-3)
    assert [r["links"] for r in rows] == sorted((r["links"] for r in rows), reverse=True)


def test_top_domains_hosts_and_pages(dataset):
    external = [e for e in TRUTH2 if e["external"]]
    for by, key in (
        ("domains", "target_domain"),
        ("hosts", "target_host"),
        ("pages", "target_url"),
    ):
        rows = answer("top", "--by", by, data=dataset)
        name = {"domains": "domain", "hosts": "host", "pages": "url"}[by]
        refdomains: dict[str, set] = defaultdict(set)
        links: Counter = Counter()
        for edge in external:
            refdomains[edge[key]].add(edge["source_domain"])
            links[edge[key]] += 1
        assert {r[name]: (r["refdomains"], r["links"]) for r in rows} == {
            k: (len(v), links[k]) for k, v in refdomains.items()
        }
        order = [(-r["refdomains"], -r["links"], r[name]) for r in rows]
        assert order == sorted(order)


def test_crawls_lists_both_with_their_metadata(dataset):
    rows = answer("crawls", data=dataset)
    assert [r["crawl_id"] for r in rows] == ["c1", "c2"]
    links = sql_rows(dataset, "SELECT crawl_id, count(*) AS n FROM LINKS GROUP BY ALL")
    edges = {r["crawl_id"]: r["n"] for r in links}
    for row, truth in zip(rows, (TRUTH1, TRUTH2), strict=True):
        assert row["status"] == "finished"
        assert row["finish_reason"] == "finished"
        assert row["pages"] == sum(len(paths) for paths in WEB1.values())
        assert row["edges"] == edges[row["crawl_id"]] == len(truth)
        assert row["scope"] == "site"
        assert row["seeds"] == [f"http://{host}/" for host in HOSTS]
        assert row["started_at"] <= row["finished_at"]
        assert row["runs"] == 1
        assert json.loads(row["spider_arguments"])["crawl_id"] == row["crawl_id"]
        assert json.loads(row["settings"])["LINKSPIDER_SOURCE_INDEX"] == (row["crawl_id"] == "c1")
    assert [r["outlinks"] for r in rows] == [True, False]  # c2: LINKSPIDER_SOURCE_INDEX=False
    # LINKSPIDER_RANK_ON_CLOSE: each finished crawl has its authority
    assert sorted(p.name for p in (dataset / "ranks").iterdir()) == [
        "ranks-c1.parquet", "ranks-c2.parquet",
    ]  # fmt: skip
    ranked = answer("sql", "SELECT DISTINCT node FROM ranks WHERE level = 'domain'", data=dataset)
    assert sorted(r["node"] for r in ranked) == DOMAINS


def test_crawl_all_reads_every_crawl(dataset):
    rows = answer("backlinks", "beta.org", "--crawl", "all", data=dataset)
    assert Counter(r["crawl_id"] for r in rows) == {
        "c1": sum(truth_backlinks(TRUTH1, "beta.org").values()),
        "c2": sum(truth_backlinks(TRUTH2, "beta.org").values()),
    }


def test_output_formats_and_files(dataset, tmp_path):
    as_json = answer("refdomains", "beta.org", data=dataset)
    jsonl = cli("refdomains", "beta.org", "--format", "jsonl", data=dataset)
    assert [json.loads(line) for line in jsonl.stdout.splitlines()] == as_json
    csv = cli("refdomains", "beta.org", "--format", "csv", data=dataset)
    lines = csv.stdout.splitlines()
    assert lines[0].split(",")[:4] == ["source_domain", "links", "pages", "dofollow_links"]
    assert len(lines) == len(as_json) + 1
    target = tmp_path / "refdomains.parquet"
    proc = cli("refdomains", "beta.org", "--format", "parquet", "-o", str(target), data=dataset)
    assert proc.returncode == 0 and proc.stdout == ""
    rel = duckdb.sql(f"FROM '{target}'")
    written = [dict(zip(rel.columns, row, strict=True)) for row in rel.fetchall()]
    assert counts(written) == counts(as_json)
    # -o picks the format from the extension; a table goes to a file as plain text
    by_name = tmp_path / "by-name.json"
    assert cli("refdomains", "beta.org", "-o", str(by_name), data=dataset).returncode == 0
    assert json.loads(by_name.read_text()) == as_json
    text = tmp_path / "refdomains.txt"
    assert cli("refdomains", "beta.org", "-o", str(text), data=dataset).returncode == 0
    assert "refdomains of domain beta.org" in text.read_text() and "\x1b[" not in text.read_text()
    table = cli("backlinks", "beta.org", env={"COLUMNS": "200"}, data=dataset)
    assert table.returncode == 0
    assert "backlinks of domain beta.org" in table.stdout
    assert any(e["source_url"] in table.stdout for e in TRUTH2 if e["target_domain"] == "beta.org")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "by-name.json",
        "refdomains.parquet",
        "refdomains.txt",
    ]  # fmt: skip (and no temporary file left behind)


# -- sql ---------------------------------------------------------------------------


def test_sql_query_stdin_and_macros(dataset):
    total = answer("sql", "SELECT count(*) AS n FROM links", data=dataset)
    assert total == [{"n": len(TRUTH2)}]
    macro = answer("sql", "SELECT * FROM refdomains('gamma.co.uk')", data=dataset)
    assert counts(macro) == truth_refdomains(TRUTH2, "gamma.co.uk")
    proc = cli(
        "sql", "--format", "json", data=dataset,
        stdin="SELECT 1 AS one;\nSELECT count(*) AS n FROM backlinks('alpha.com');\n",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [{"n": sum(truth_backlinks(TRUTH2, "alpha.com").values())}]
    outlinks = answer("sql", "SELECT count(*) AS n FROM outlinks_of('beta.org')", data=dataset)
    assert outlinks == [
        {"n": sum(1 for e in TRUTH2 if e["source_domain"] == "beta.org" and e["external"])}
    ]


def test_older_files_read_as_the_current_schema(dataset, tmp_path):
    """A crawl written before schema version 6 put redirects, canonicals and refreshes in
    region ``body``: the views read them as ``meta``, leave its other rows alone, and
    ``--region`` knows every region of the schema."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from linkspider.cli import REGIONS as CLI_REGIONS
    from linkspider.regions import REGIONS

    assert CLI_REGIONS == REGIONS
    old = tmp_path / "data"
    shutil.copytree(dataset, old)
    path = next((old / "links").glob("*/part-c1-*.parquet"))
    table = pq.read_table(path)
    types = table.column("link_type").to_pylist()
    types[0] = "redirect"  # as an old crawl stored a redirect: region body
    regions = ["body"] * table.num_rows
    for name, values in (("link_type", types), ("region", regions)):
        table = table.set_column(table.schema.get_field_index(name), name, pa.array(values))
    pq.write_table(table, path)
    record = next((old / "crawls").glob("crawl-c1.parquet"))
    rows = pq.read_table(record)
    version = rows.schema.get_field_index("schema_version")
    pq.write_table(rows.set_column(version, "schema_version", pa.array([5], pa.int16())), record)
    query = f"SELECT link_type, region, count(*) AS n FROM links WHERE source_url = '{table.column('source_url')[0]}' AND target_bucket = '{path.parent.name.split('=')[1]}' GROUP BY ALL ORDER BY ALL"
    found = answer("sql", "--crawl", "c1", query, data=old)
    assert {r["region"] for r in found if r["link_type"] == "redirect"} == {"meta"}
    assert {r["region"] for r in found if r["link_type"] != "redirect"} <= {"body"}
    current = answer(
        "sql", "--crawl", "c2", "SELECT count(*) AS n FROM links WHERE region = 'meta'", data=old
    )
    assert current == [{"n": 0}]


def test_print_views_run_in_a_plain_duckdb(dataset):
    proc = cli("sql", "--print-views", "--crawl", "all", data=dataset)
    assert proc.returncode == 0, proc.stderr
    con = duckdb.connect()
    con.execute(proc.stdout)
    for domain in DOMAINS:
        rel = con.execute(
            "SELECT source_domain, count(*) AS links FROM backlinks($d) "
            "WHERE crawl_id = 'c1' GROUP BY ALL ORDER BY links DESC, source_domain",
            {"d": domain},
        )
        assert [{"source_domain": s, "links": n} for s, n in rel.fetchall()] == [
            {"source_domain": r["source_domain"], "links": r["links"]}
            for r in truth_refdomains(TRUTH1, domain)
        ]
    assert con.execute("SELECT count(*) FROM crawls").fetchall() == [(2,)]
    outlinks = con.execute(
        "SELECT crawl_id, count(*) FROM outlinks_of('beta.org', internal := true) GROUP BY ALL ORDER BY 1"
    ).fetchall()
    assert outlinks == [
        (crawl, sum(1 for e in truth if e["source_domain"] == "beta.org"))
        for crawl, truth in (("c1", TRUTH1), ("c2", TRUTH2))
    ]


# -- errors: one line, exit status 2, no traceback ----------------------------------


def assert_clean_error(proc, *words: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("linkspider: "), proc.stderr
    assert "Traceback" not in proc.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])


def test_errors_are_one_line_and_exit_2(dataset, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    cases = [
        (("backlinks", "beta.org", "--data", str(tmp_path / "missing")), "no data directory"),
        (("backlinks", "beta.org", "--data", str(empty)), "no linkspider dataset"),
        (("backlinks", "beta.org", "--crawl", "nope", "--data", str(dataset)), "nope"),
        (("backlinks", "not a host", "--data", str(dataset)), "not a URL"),
        (("backlinks", "ftp://beta.org/", "--data", str(dataset)), "ftp://beta.org/"),
        (("backlinks", "beta.org", "--region", "middle", "--data", str(dataset)), "middle"),
        (("backlinks", "beta.org", "--limit", "-1", "--data", str(dataset)), "-1"),
        (("backlinks", "beta.org", "--format", "xml", "--data", str(dataset)), "xml"),
        (("backlinks", "beta.org", "--format", "parquet", "--data", str(dataset)), "-o"),
        (("backlinks", "beta.org", "--as", "page", "--data", str(dataset)), "page"),
        (("sql", "SELEC nonsense", "--data", str(dataset)), ("sql: the query failed", "SELEC")),
        (("sql", "SELECT * FROM no_such_table", "--data", str(dataset)), "no_such_table"),
        (("sql", "SELECT * FROM links WHERE nosuchcolumn", "--data", str(dataset)), "nosuchcolumn"),
        (("frobnicate",), "frobnicate"),
        (("backlinks",), "TARGET"),
        (
            ("backlinks", "beta.org", "-o", str(tmp_path / "no" / "dir" / "x.json"), "--data",
             str(dataset)),
            "no directory",
        ),
    ]  # fmt: skip
    with ThreadPoolExecutor(4) as pool:
        procs = list(pool.map(lambda case: cli(*case[0]), cases))
    for (_, words), proc in zip(cases, procs, strict=True):
        assert_clean_error(proc, *(words if isinstance(words, tuple) else (words,)))


def test_a_corrupt_parquet_file_is_one_line(dataset, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(dataset, broken)
    from linkspider.pipelines.layout import bucket

    victim = sorted((broken / "links" / f"target_bucket={bucket('beta.org')}").glob("*.parquet"))[0]
    victim.write_bytes(victim.read_bytes()[: victim.stat().st_size // 2])
    assert_clean_error(cli("backlinks", "beta.org", "--crawl", "all", data=broken), "cannot read")
    # the other partitions still answer
    other = next(d for d in DOMAINS if bucket(d) != bucket("beta.org"))
    assert cli("backlinks", other, "--crawl", "all", data=broken).returncode == 0


def test_the_command_never_imports_scrapy(dataset):
    probe = (
        "import sys; from linkspider.cli import main; "
        f"code = main(['backlinks', 'beta.org', '--format', 'json', '--data', {str(dataset)!r}]); "
        "heavy = sorted(m for m in ('scrapy', 'twisted', 'tldextract', 'requests') if m in sys.modules); "
        "print(code, heavy, file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO)
    assert proc.stderr.strip().splitlines()[-1] == "0 []"


def test_help_and_version():
    proc = cli("--help")
    assert proc.returncode == 0
    for command in (
        "backlinks",
        "refdomains",
        "anchors",
        "outlinks",
        "top",
        "crawls",
        "sql",
        "demo",
    ):
        assert command in proc.stdout
    version = cli("--version")
    assert version.returncode == 0 and version.stdout.startswith("linkspider ")


# -- crawl ids ---------------------------------------------------------------------


def test_reusing_a_crawl_id_is_refused_and_changes_nothing(dataset):
    before = sorted(str(p.relative_to(dataset)) for p in dataset.rglob("*.parquet"))
    with LocalWeb(WEB1) as server:
        run = run_crawl(
            server.proxy_url, dataset,
            "-a", f"seeds={SEEDS}", "-a", "scope=site", "-a", "crawl_id=c1",
        )  # fmt: skip
        assert server.requests == []
    assert run.returncode == 2
    assert "c1" in run.log and "Traceback" not in run.log
    assert sorted(str(p.relative_to(dataset)) for p in dataset.rglob("*.parquet")) == before


# -- the demo ----------------------------------------------------------------------


def test_demo_shows_backlinks_and_refdomains_of_the_shop(tmp_path):
    keep = tmp_path / "demo"
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    proc = subprocess.run(
        [LINKSPIDER, "demo", "--keep", str(keep)],
        capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "backlinks of domain shop.example" in proc.stdout
    assert "refdomains of domain shop.example" in proc.stdout
    refdomains = answer("refdomains", "shop.example", data=keep)
    pages = duckdb.sql(
        f"SELECT url, status, error, depth FROM read_parquet('{keep}/pages/*.parquet') ORDER BY url"
    ).fetchall()
    assert {r["source_domain"] for r in refdomains} == {
        "news.example",
        "blog.example",
        "wiki.example",
        "forum.example",
        "old-shop.example",
    }, "\n".join([*map(str, pages), proc.stdout, proc.stderr])  # every page row, not elided

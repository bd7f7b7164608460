"""``history/``: first/last seen and lost links kept up to date at the end of each crawl,
surviving ``linkspider prune`` of the crawls that saw them first.

The web of tests/test_changes.py is crawled three times: before the churn (h1), after it
(h2), then, after ``prune --keep 1`` deleted h1's files, before it again (h3)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from linkspider.pipelines.layout import Inventory, read_history_manifest

from linkspider import history, schema
from tests.test_changes import crawl as changes_crawl
from tests.test_changes import webs
from tests.test_cli import LINKSPIDER

#: the losses of h2 (every lost change of test_changes, with its reason)
LOST_IN_H2 = {
    ("http://a.test/p1", "http://t.test/1", 1, "link_removed"),
    ("http://a.test/p2", "http://t.test/2", 2, "link_removed"),
    ("http://c.test/p1", "http://t.test/11", 1, "page_gone"),
    ("http://c.test/p2", "http://t.test/12", 1, "page_gone"),
    ("http://c.test/p3", "http://t.test/13", 1, "page_redirected"),
    ("http://c.test/p4", "http://t.test/14", 1, "page_error"),
    ("http://d.test/p1", "http://t.test/8", 1, "noindex"),
    ("http://d.test/p4", "http://t.test/17", 1, "not_recrawled"),
}


def crawl(out: Path, web: dict, crawl_id: str) -> None:
    run = changes_crawl(out, web, crawl_id)
    assert "linkspider/history_seconds" in run.log


def rows(out: Path) -> dict[tuple, dict]:
    files = [f.path for f in Inventory.scan(str(out)).files("history")]
    table = pq.ParquetDataset(files).read() if files else None
    return {
        (r["source_url"], r["target_url"], r["occurrence"]): r
        for r in (table.to_pylist() if table is not None else [])
    }


def cli(out: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LINKSPIDER, *args, "--data", str(out)], capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def histories(tmp_path_factory):
    out = tmp_path_factory.mktemp("history") / "data"
    before, after, _ = webs()
    crawl(out, before, "h1")
    first = rows(out)
    crawl(out, after, "h2")
    second = rows(out)
    pruned = cli(out, "prune", "--keep", "1", "--format", "json")
    assert pruned.returncode == 0, pruned.stderr
    after_prune = rows(out)
    crawl(out, before, "h3")
    third = rows(out)
    return out, first, second, json.loads(pruned.stdout), after_prune, third


def test_first_crawl_sees_everything_once(histories):
    _, first, *_ = histories
    assert first and all(r["times_seen"] == 1 and r["lost_at"] is None for r in first.values())
    assert {r["first_crawl"] for r in first.values()} == {"h1"}
    assert first[("http://a.test/p2", "http://t.test/2", 2)]["anchor_text"] == "again"


def test_losses_new_links_and_changes_after_churn(histories):
    _, first, second, *_ = histories
    lost = {
        (k[0], k[1], k[2], r["lost_reason"]) for k, r in second.items() if r["lost_at"] is not None
    }
    external = {x for x in lost if x[1].startswith("http://t.test/")}
    assert external == LOST_IN_H2
    for key in ((s, t, o) for s, t, o, _ in LOST_IN_H2):
        row = second[key]
        assert row["lost_crawl"] == "h2" and row["last_crawl"] == "h1"
        assert row["last_seen"] == first[key]["last_seen"] < row["lost_at"]
    new = second[("http://a.test/p3", "http://t.test/3", 1)]
    assert (new["first_crawl"], new["times_seen"], new["lost_at"]) == ("h2", 1, None)
    assert second[("http://d.test/p5", "http://t.test/9", 1)]["first_crawl"] == "h2"
    kept = second[("http://a.test/p2", "http://t.test/2", 1)]  # the first of the two stays
    assert (kept["times_seen"], kept["first_crawl"], kept["last_crawl"]) == (2, "h1", "h2")
    changed = second[("http://b.test/p3", "http://t.test/6", 1)]
    assert changed["anchor_text"] == "new words" and changed["lost_at"] is None
    assert second[("http://b.test/p1", "http://t.test/4", 1)]["nofollow"] is True
    assert second[("http://d.test/p2", "http://t.test/15", 1)]["region"] == "footer"
    # nothing else changed state: every other external edge of h1 is live and seen twice
    lost_keys = {(s, t, o) for s, t, o, _ in LOST_IN_H2}
    for key in first:
        if key[1].startswith("http://t.test/") and key not in lost_keys:
            assert (second[key]["lost_at"], second[key]["times_seen"]) == (None, 2), key


def test_prune_keeps_first_seen_and_the_history_needs_no_old_crawl(histories):
    out, first, second, pruned, after_prune, third = histories
    assert [(p["crawl_id"], p["pruned"]) for p in pruned] == [("h1", True)]
    assert after_prune == second  # prune deletes files, not history
    assert not Inventory.scan(str(out)).files("links", {"h1"})
    assert not Inventory.scan(str(out)).files("pages", {"h1"})
    crawls = json.loads(cli(out, "crawls", "--format", "json").stdout)
    assert [(c["crawl_id"], c["pruned_at"] is not None) for c in crawls] == [
        ("h1", True), ("h2", False), ("h3", False)
    ]  # fmt: skip
    # h3 (the web before the churn again) is applied on top of the history alone
    back = third[("http://a.test/p1", "http://t.test/1", 1)]
    assert back["first_seen"] == first[("http://a.test/p1", "http://t.test/1", 1)]["first_seen"]
    assert (back["first_crawl"], back["last_crawl"], back["times_seen"]) == ("h1", "h3", 2)
    assert back["lost_at"] is None and back["lost_reason"] is None  # it came back
    gone = third[("http://a.test/p3", "http://t.test/3", 1)]  # new in h2, removed in h3
    assert (gone["lost_reason"], gone["lost_crawl"], gone["last_crawl"]) == (
        "link_removed", "h3", "h2"
    )  # fmt: skip
    still = third[("http://a.test/p2", "http://t.test/2", 1)]
    assert (still["times_seen"], still["first_crawl"]) == (3, "h1")
    assert read_history_manifest(str(out))["crawls"] == ["h1", "h2", "h3"]


def test_backlinks_show_first_and_last_seen(histories):
    out, first, *_ = histories
    proc = cli(out, "backlinks", "t.test", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    got = {(r["source_url"], r["target_url"]): r for r in json.loads(proc.stdout)}
    edge = got[("http://a.test/p1", "http://t.test/1")]
    first_seen = first[("http://a.test/p1", "http://t.test/1", 1)]["first_seen"]
    assert edge["first_seen"].startswith(first_seen.strftime("%Y-%m-%d %H:%M:%S"))
    assert edge["last_seen"] >= edge["fetched_at"] and edge["first_seen"] < edge["last_seen"]
    fresh = got[("http://a.test/p3", "http://t.test/10")]
    assert fresh["first_seen"] < fresh["fetched_at"]  # seen in h1, h2 and h3


def test_history_command(histories):
    out, *_ = histories
    proc = cli(out, "history", "t.test", "--lost", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    lost = {(r["source_url"], r["target_url"], r["lost_reason"]) for r in json.loads(proc.stdout)}
    assert ("http://a.test/p3", "http://t.test/3", "link_removed") in lost
    assert ("http://c.test/p1", "http://t.test/11", "page_gone") not in lost  # back in h3
    live = json.loads(cli(out, "history", "t.test", "--live", "--format", "json").stdout)
    assert live and all(r["status"] == "live" and r["lost_at"] is None for r in live)
    proc = cli(out, "history")
    assert proc.returncode == 2 and "TARGET" in proc.stderr
    assert cli(out, "history", "--update").returncode == 0  # nothing pending: a no-op
    assert read_history_manifest(str(out))["crawls"] == ["h1", "h2", "h3"]


def test_an_update_that_fails_leaves_the_previous_version(histories, tmp_path, monkeypatch):
    out, *_ = histories
    copy = tmp_path / "data"
    subprocess.run(["cp", "-r", str(out), str(copy)], check=True)
    before = rows(copy)
    manifest = read_history_manifest(str(copy))
    # a fourth crawl's files: h3's, renamed (same edges, later)
    con = duckdb.connect()
    inventory = Inventory.scan(str(copy))
    for table in (schema.LINKS, schema.PAGES):
        for f in inventory.files(table.name, {"h3"}):
            target = f.path.replace("part-h3-", "part-h4-")
            con.execute(
                f"COPY (SELECT * EXCLUDE (crawl_id), 'h4' AS crawl_id FROM read_parquet('{f.path}', hive_partitioning = false)) TO '{target}' (FORMAT parquet)"
            )
    calls = {"n": 0}
    real = history.write_atomically

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(history, "write_atomically", flaky)
    with pytest.raises(OSError):
        history.update_history(str(copy))
    assert read_history_manifest(str(copy)) == manifest
    assert rows(copy) == before
    leftovers = [n for _, _, names in os.walk(copy / "history") for n in names if "-00004-" in n]
    assert leftovers == []
    monkeypatch.setattr(history, "write_atomically", real)
    applied = history.update_history(str(copy))
    assert [a.crawl_id for a in applied] == ["h4"] and not applied[0].judged  # no crawls/ row
    after = rows(copy)
    assert after.keys() == before.keys()
    seen = after[("http://a.test/p1", "http://t.test/1", 1)]
    assert (seen["times_seen"], seen["last_crawl"]) == (3, "h4")

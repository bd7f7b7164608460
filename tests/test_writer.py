"""The Parquet dataset: reverse-index layout, pruning, atomic files, append-only, bounded buffers."""

from __future__ import annotations

import os
import random
import re
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from linkspider.pipelines import writer as writer_module
from linkspider.pipelines.layout import bucket, bucket_sql, target_bucket
from linkspider.pipelines.writer import DatasetWriter

from linkspider.extract import Edge
from linkspider.items import CrawledPage

DOMAINS = [f"d{i}.com" for i in range(300)]


def fill(writer: DatasetWriter, pages: int = 600, per_page: int = 50, seed: int = 1) -> int:
    rnd = random.Random(seed)
    total = 0
    for p in range(pages):
        targets = rnd.choices(DOMAINS, k=per_page)
        edges = [
            Edge(
                f"http://{d}/x{rnd.randint(0, 99)}",
                "",
                d,
                d,
                f"a{i}",
                None,
                None,
                ("nofollow",),
                True,
                "main",
                "text",
                i,
                True,
            )
            for i, d in enumerate(targets)
        ]
        src = f"src{p % 40}.org"
        writer.add(
            CrawledPage(f"http://{src}/p{p}", src, src, 200, datetime.now(UTC), 1, edges=edges)
        )
        total += len(edges)
    return total


def files(root: Path, table: str = "links") -> list[Path]:
    return sorted((root / table).rglob("*.parquet"))


def all_files(root: Path) -> list[Path]:
    """Every part file: links/, outlinks/ (the same rows by source) and pages/."""
    return files(root) + files(root, "outlinks") + files(root, "pages")


LINKS = "read_parquet('{root}/links/*/*.parquet', hive_partitioning=true)"


def test_backlinks_query_reads_one_partition_and_prunes_row_groups(tmp_path):
    w = DatasetWriter(str(tmp_path), "c1", flush_rows=10_000, row_group_size=256)
    fill(w)
    w.close()
    con = duckdb.connect()
    src = LINKS.format(root=tmp_path)
    query = f"SELECT source_url, target_url FROM {src} WHERE target_bucket = {bucket_sql('?')} AND target_domain = ?"
    got = sorted(con.execute(query, ["d7.com", "d7.com"]).fetchall())
    want = sorted(
        con.execute(
            f"SELECT source_url, target_url FROM {src} WHERE target_domain = 'd7.com'"
        ).fetchall()
    )
    assert got == want and len(got) > 50
    plan = "\n".join(
        row[1] for row in con.execute("EXPLAIN ANALYZE " + query, ["d7.com", "d7.com"]).fetchall()
    )
    scanned, total = map(int, re.search(r"Scanning Files: (\d+)/(\d+)", plan).groups())
    in_bucket = len(
        list((tmp_path / "links" / f"target_bucket={target_bucket('d7.com')}").glob("*.parquet"))
    )
    assert (scanned, total) == (in_bucket, len(files(tmp_path)))
    assert scanned < total / 8
    rg_read, rg_total = map(int, re.search(r"Row Groups Scanned: (\d+) / (\d+)", plan).groups())
    assert rg_read <= rg_total / 4, plan


def test_files_are_sorted_zstd_and_without_partition_column(tmp_path):
    w = DatasetWriter(str(tmp_path), "c1", flush_rows=5_000)
    fill(w, pages=200)
    w.close()
    for path in files(tmp_path):
        table = pq.read_table(path, partitioning=None)
        assert "target_bucket" not in table.column_names
        keys = list(
            zip(
                table.column("target_domain").to_pylist(),
                table.column("target_url").to_pylist(),
                strict=True,
            )
        )
        assert keys == sorted(keys)
        assert {target_bucket(d) for d, _ in keys} == {path.parent.name.split("=")[1]}
        meta = pq.ParquetFile(path).metadata
        assert meta.row_group(0).column(0).compression == "ZSTD"
        assert meta.row_group(0).column(0).statistics.has_min_max


def test_flushes_by_size_so_memory_is_bounded(tmp_path):
    w = DatasetWriter(str(tmp_path), "c1", flush_rows=2_000)
    rows_seen = []
    original = w.add

    def add(page):
        original(page)
        rows_seen.append(w.links.rows)

    w.add = add
    total = fill(w, pages=200, per_page=50)
    w._wait()
    before_close = sum(pq.ParquetFile(p).metadata.num_rows for p in files(tmp_path))
    w.close()
    assert max(rows_seen) < 2_000 + 50
    assert before_close >= total - 2_050  # everything but the last buffer is on disk before close
    assert duckdb.sql(f"SELECT count(*) FROM {LINKS.format(root=tmp_path)}").fetchall() == [
        (total,)
    ]
    assert duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{tmp_path}/pages/*.parquet')"
    ).fetchall() == [(200,)]


def test_new_crawl_appends_without_touching_earlier_files(tmp_path):
    w = DatasetWriter(str(tmp_path), "first")
    first = fill(w, pages=50)
    w.close()
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in all_files(tmp_path)}
    w = DatasetWriter(str(tmp_path), "second")
    second = fill(w, pages=30, seed=2)
    w.close()
    after = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in all_files(tmp_path)}
    assert all(after[p] == before[p] for p in before)
    counts = dict(
        duckdb.sql(
            f"SELECT crawl_id, count(*) FROM {LINKS.format(root=tmp_path)} GROUP BY ALL"
        ).fetchall()
    )
    assert counts == {"first": first, "second": second}


def test_failed_write_leaves_no_file_and_is_reported(tmp_path, monkeypatch):
    real = writer_module.pq.ParquetWriter.write_batch

    def half_then_fail(self, batch, **kwargs):
        real(self, batch.slice(0, max(1, batch.num_rows // 2)), **kwargs)
        raise OSError("disk full")

    monkeypatch.setattr(writer_module.pq.ParquetWriter, "write_batch", half_then_fail)
    errors = []
    w = DatasetWriter(
        str(tmp_path), "c1", inc_stat=lambda key, n: errors.append(key), retry_pauses=(0,)
    )
    fill(w, pages=5)
    with pytest.raises(writer_module.WriteFailed, match="disk full"):
        w.close()
    assert errors == ["linkspider/write_errors"]
    leftovers = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert leftovers == []


def test_hidden_temp_files_are_invisible_to_queries(tmp_path):
    w = DatasetWriter(str(tmp_path), "c1")
    total = fill(w, pages=10)
    w.close()
    bucket_dir = files(tmp_path)[0].parent
    (bucket_dir / ".part-c1-99999-deadbeef.parquet.abc123.tmp").write_bytes(b"PAR1 partial garbage")
    assert duckdb.sql(f"SELECT count(*) FROM {LINKS.format(root=tmp_path)}").fetchall() == [
        (total,)
    ]
    assert os.path.exists(bucket_dir)


def test_compaction_merges_one_crawl_into_one_sorted_file_per_bucket(tmp_path):
    from linkspider.pipelines.compact import compact_crawl

    other = DatasetWriter(str(tmp_path), "other", flush_rows=2_000)
    fill(other, pages=40, seed=3)
    other.close()
    other_files = {p: p.stat().st_mtime_ns for p in all_files(tmp_path)}

    w = DatasetWriter(str(tmp_path), "c1", flush_rows=2_000, flush_page_rows=50)
    total = fill(w, pages=300)
    w.close()
    query = f"SELECT * EXCLUDE (target_bucket) FROM {LINKS.format(root=tmp_path)} WHERE crawl_id = 'c1' ORDER BY ALL"
    before_rows = duckdb.sql(query).fetchall()
    pages_before = duckdb.sql(
        f"SELECT * FROM read_parquet('{tmp_path}/pages/*.parquet') WHERE crawl_id = 'c1' ORDER BY ALL"
    ).fetchall()
    replaced = []
    n_before, n_after = compact_crawl(
        str(tmp_path),
        "c1",
        w.next_sequence,
        row_group_size=512,
        on_replace=lambda *args: replaced.append(args),
    )
    assert n_before > n_after
    assert duckdb.sql(query).fetchall() == before_rows and len(before_rows) == total
    assert (
        duckdb.sql(
            f"SELECT * FROM read_parquet('{tmp_path}/pages/*.parquet') WHERE crawl_id = 'c1' ORDER BY ALL"
        ).fetchall()
        == pages_before
    )
    c1 = [p for p in all_files(tmp_path) if "-c1-" in p.name]
    assert len(c1) == n_after == len({p.parent for p in c1})  # one file per directory
    for path in c1:
        if path.parent.name == "pages":
            continue
        table = "outlinks" if "outlinks" in path.parts else "links"
        side = "source" if table == "outlinks" else "target"
        keys = duckdb.sql(
            f"SELECT {side}_domain, {side}_url FROM read_parquet('{path}')"
        ).fetchall()
        assert keys == sorted(keys)
        assert len(keys) and all(bucket(d) == path.parent.name.split("=")[1] for d, _ in keys)
    (sequence, new_files, old_files) = replaced[0]
    assert sequence == w.next_sequence and len(new_files) == n_after and len(old_files) == n_before
    assert {p: p.stat().st_mtime_ns for p in other_files} == other_files  # other crawls untouched
    assert not list(tmp_path.glob(".compact-*")) and not list(tmp_path.rglob("*.tmp"))


def test_compaction_that_runs_out_of_memory_leaves_valid_files(tmp_path):
    from linkspider.pipelines.compact import CompactionIncomplete, compact_crawl

    w = DatasetWriter(str(tmp_path), "c1", flush_rows=5_000)
    total = fill(w, pages=400)
    w.close()
    before = sorted(all_files(tmp_path))
    with pytest.raises(CompactionIncomplete):
        compact_crawl(str(tmp_path), "c1", w.next_sequence, memory_limit="1MB")
    assert sorted(all_files(tmp_path)) == before
    assert duckdb.sql(f"SELECT count(*) FROM {LINKS.format(root=tmp_path)}").fetchall() == [
        (total,)
    ]
    assert not list(tmp_path.rglob("*.tmp")) and not list(tmp_path.glob(".compact-*"))
    assert main_cli([str(tmp_path), "c1", "--memory", "256MB"]) == 0  # later, with more memory
    assert duckdb.sql(f"SELECT count(*) FROM {LINKS.format(root=tmp_path)}").fetchall() == [
        (total,)
    ]
    assert len(files(tmp_path)) < len(before)


def main_cli(argv):
    from linkspider.pipelines.compact import main

    return main(argv)


def test_compaction_with_quotes_and_spaces_in_the_output_path(tmp_path):
    from linkspider.pipelines.compact import compact_crawl

    root = tmp_path / "it's a dir; DROP TABLE x"
    w = DatasetWriter(str(root), "c1", flush_rows=3_000)
    total = fill(w, pages=200)
    w.close()
    before, after = compact_crawl(str(root), "c1", w.next_sequence)
    assert before > after
    con = duckdb.connect()
    rows = con.execute(
        "SELECT count(*) FROM read_parquet(?, hive_partitioning=true)",
        [f"{root}/links/*/*.parquet"],
    ).fetchall()
    assert rows == [(total,)]


def many_flushes(root):
    """A crawl of small flushes: (writer, total rows, the bucket with most files, its file count)."""
    w = DatasetWriter(str(root), "c1", flush_rows=1_500)
    total = fill(w, pages=400)
    w.close()
    biggest = max({p.parent for p in files(root)}, key=lambda d: len(list(d.glob("*.parquet"))))
    return w, total, biggest, len(list(biggest.glob("*.parquet")))


def test_compaction_of_a_bucket_too_big_for_one_merge(tmp_path):
    """A huge bucket becomes a few sorted files of at most about max_rows rows."""
    from linkspider.pipelines.compact import compact_crawl

    w, total, biggest, n_files = many_flushes(tmp_path)
    rows = duckdb.sql(f"SELECT count(*) FROM read_parquet('{biggest}/*.parquet')").fetchall()[0][0]
    assert n_files >= 8
    budget = rows // 3 + 1  # about three merged files for that bucket
    n_before, n_after = compact_crawl(str(tmp_path), "c1", w.next_sequence, max_rows=budget)
    assert n_before > n_after
    merged = list(biggest.glob("*.parquet"))
    assert 2 <= len(merged) <= 4
    for path in merged:
        keys = duckdb.sql(
            f"SELECT target_domain, target_url FROM read_parquet('{path}')"
        ).fetchall()
        assert keys == sorted(keys)
    assert duckdb.sql(f"SELECT count(*) FROM {LINKS.format(root=tmp_path)}").fetchall() == [
        (total,)
    ]


def test_compaction_halves_a_merge_that_runs_out_of_memory(tmp_path, monkeypatch):
    import duckdb as duckdb_module
    from linkspider.pipelines import compact

    w, total, biggest, n_files = many_flushes(tmp_path)
    assert n_files >= 8
    real = compact._merge_directory
    calls = []

    class TooBig:
        """A DuckDB connection that cannot merge more than 3 files at once."""

        def __init__(self, con):
            self.con = con

        def execute(self, sql):
            return self.con.execute(sql)

        def sql(self, query):
            sources = query.count(".parquet'")
            if "ORDER BY" in query and sources > 3:
                calls.append(sources)
                raise duckdb_module.OutOfMemoryException("out of memory (simulated)")
            return self.con.sql(query)

    monkeypatch.setattr(
        compact, "_merge_directory", lambda con, *args, **kwargs: real(TooBig(con), *args, **kwargs)
    )
    n_before, n_after = compact.compact_crawl(str(tmp_path), "c1", w.next_sequence)
    assert n_before > n_after
    assert calls and max(calls) == n_files  # the whole bucket was tried first
    merged = list(biggest.glob("*.parquet"))
    assert 1 < len(merged) < n_files
    assert duckdb.sql(f"SELECT count(*) FROM {LINKS.format(root=tmp_path)}").fetchall() == [
        (total,)
    ]
    assert not list(tmp_path.rglob("*.tmp"))


def test_compaction_memory_limit_is_checked_before_it_reaches_sql(tmp_path, capsys):
    from linkspider.pipelines.compact import compact_crawl

    w = DatasetWriter(str(tmp_path), "c1", flush_rows=100)
    fill(w, pages=10, per_page=20)
    w.close()
    with pytest.raises(ValueError, match="expected a size such as 512MB"):
        compact_crawl(str(tmp_path), "c1", w.next_sequence, memory_limit="1GB'; DROP TABLE x; --")
    with pytest.raises(SystemExit) as exit_info:
        main_cli([str(tmp_path), "c1", "--memory", "lots"])
    assert exit_info.value.code == 2
    assert "expected a size such as 512MB" in capsys.readouterr().err


class ListCommitter:
    """Records commits; hands out what prepare() is given as 'discovered'."""

    def __init__(self) -> None:
        self.discovered: list[str] = []
        self.commits: list[tuple[int, list[str], list[str], object]] = []

    def prepare(self) -> object:
        taken, self.discovered = self.discovered, []
        return taken

    def commit(self, sequence, files, page_urls, prepared) -> None:
        self.commits.append((sequence, files, page_urls, prepared))


def test_a_transient_write_failure_is_retried_and_leaves_no_partial_files(tmp_path, monkeypatch):
    real = writer_module.write_atomically
    calls = {"n": 0}

    def flaky(rows, path, *args):
        calls["n"] += 1
        if calls["n"] == 3:  # a bucket file of the first flush: the flush is half on disk
            raise OSError(28, "No space left on device")
        return real(rows, path, *args)

    monkeypatch.setattr(writer_module, "write_atomically", flaky)
    committer = ListCommitter()
    w = DatasetWriter(str(tmp_path), "c1", committer=committer, retry_pauses=(0,))
    total = fill(w, pages=50, per_page=20)
    w.close()
    assert w.failure is None
    assert len(committer.commits) == 1
    committed = set(committer.commits[0][1])
    on_disk = {os.path.relpath(p, tmp_path) for p in all_files(tmp_path)}
    assert on_disk == committed  # the failed attempt's files were removed
    assert duckdb.sql(f"SELECT count(*) FROM {LINKS.format(root=tmp_path)}").fetchall() == [
        (total,)
    ]


def test_a_write_that_keeps_failing_stops_the_writer_and_loses_no_earlier_flush(
    tmp_path, monkeypatch
):
    real = writer_module.write_atomically
    broken = {"on": False}

    def sometimes(rows, path, *args):
        if broken["on"]:
            raise OSError(30, "Read-only file system")
        return real(rows, path, *args)

    monkeypatch.setattr(writer_module, "write_atomically", sometimes)
    committer = ListCommitter()
    w = DatasetWriter(str(tmp_path), "c1", committer=committer, retry_pauses=(0, 0))
    committer.discovered = ["http://a.test/1"]
    fill(w, pages=30, per_page=10, seed=1)
    w.flush()
    w._wait()  # the first flush is on disk and committed, with its discovered URL
    broken["on"] = True
    committer.discovered = ["http://a.test/2"]
    fill(w, pages=30, per_page=10, seed=2)
    w.flush()  # taken and handed to the writer thread, which will fail
    committer.discovered = ["http://a.test/3"]
    fill(w, pages=30, per_page=10, seed=3)
    with pytest.raises(writer_module.WriteFailed, match="Read-only file system"):
        w.flush()  # the failure surfaces before the next flush takes anything
    assert committer.discovered == ["http://a.test/3"]  # not taken: nothing lost
    with pytest.raises(writer_module.WriteFailed):
        w.flush()
    w.close()  # writes nothing more, raises nothing more
    assert [c[3] for c in committer.commits] == [["http://a.test/1"]]
    on_disk = {os.path.relpath(p, tmp_path) for p in all_files(tmp_path)}
    assert on_disk == set(committer.commits[0][1])

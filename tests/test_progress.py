"""Crawl progress: the ``linkspider/`` counters equal what the dataset holds, shown live on a
terminal (a pseudo-terminal here), as log lines otherwise, and not at all when off."""

from __future__ import annotations

import os
import pty
import re
import subprocess

import duckdb
import pytest

from linkspider.config import ConfigError, LinkspiderConfig
from tests.conftest import REPO, crawl_command, proxy_env, run_crawl
from tests.webserver import LocalWeb, html

SITES = ("a.test", "b.test", "c.test")


def web() -> dict:
    """Three sites of eight pages, each page a little slow, one missing page linked per site."""
    sites = {}
    for site in SITES:
        pages = {}
        for i in range(8):
            links = "".join(f'<a href="/p{j}">page {j}</a>' for j in range(8) if j != i)
            links += '<a href="/gone">gone</a><a href="http://t.test/">out</a>'
            pages["/" if i == 0 else f"/p{i}"] = html(f"<html><body>{links}</body></html>")
            pages["/" if i == 0 else f"/p{i}"].latency = 0.02
        pages["/p0"] = pages["/"]
        sites[site] = pages
    return sites


def seeds() -> tuple[str, ...]:
    return ("-a", f"seeds={','.join(f'http://{s}/' for s in SITES)}", "-a", "scope=site",
            "-a", "render=never")  # fmt: skip


def dataset_counts(out) -> dict:
    pages = f"read_parquet('{out}/pages/*.parquet')"
    links = f"read_parquet('{out}/links/*/*.parquet', hive_partitioning = true)"
    (rows, domains, errors), = duckdb.sql(
        f"SELECT count(*), count(DISTINCT domain), count(error) FROM {pages}"
    ).fetchall()  # fmt: skip
    ((edges,),) = duckdb.sql(f"SELECT count(*) FROM {links}").fetchall()
    return {"linkspider/pages": rows, "linkspider/domains": domains,
            "linkspider/page_errors": errors, "linkspider/edges": edges}  # fmt: skip


def test_log_lines_when_not_a_terminal_and_stats_equal_the_dataset(tmp_path):
    with LocalWeb(web()) as server:
        run = run_crawl(
            server.proxy_url, tmp_path / "out", *seeds(),
            settings={"LINKSPIDER_PROGRESS_INTERVAL": "0.2"},
        )  # fmt: skip
    assert run.returncode == 0, run.log[-3000:]
    counts = dataset_counts(run.out)
    assert counts["linkspider/pages"] == 30 and counts["linkspider/page_errors"] == 3
    assert {k: run.stats[k] for k in counts} == counts
    assert run.stats["linkspider/queue"] == 0 and run.stats["linkspider/in_progress"] == 0
    assert run.stats["linkspider/elapsed_seconds"] > 0
    assert run.stats["linkspider/pages_per_second"] > 0
    lines = re.findall(r"progress: (.*)", run.log)
    assert lines and lines[-1].endswith("(done)")
    final = lines[-1]
    assert final.startswith(f"{counts['linkspider/pages']:,} pages (")
    for number, word in ((counts["linkspider/edges"], "edges"), (3, "domains"), (3, "errors"),
                         (0, "rendered"), (0, "queue")):  # fmt: skip
        assert (f"{number:,} {word}" if word != "queue" else f"queue {number}") in final
    assert "\x1b[2K" not in run.log  # no terminal control in a log


def test_live_line_on_a_terminal(tmp_path):
    out = tmp_path / "out"
    cmd = crawl_command(out, *seeds())
    master, slave = pty.openpty()
    with LocalWeb(web()) as server:
        env = {**proxy_env(server.proxy_url), "TERM": "xterm"}
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                                stdout=slave, stderr=slave)  # fmt: skip
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait(timeout=120) == 0
    os.close(master)
    text = b"".join(chunks).decode("utf-8", "replace")
    assert "progress:" not in text  # no log lines on a terminal
    drawn = re.findall(r"\r\x1b\[2K([^\r\n]*)", text)
    assert drawn, text[-2000:]
    final = drawn[-1]
    assert final.startswith("30 pages (") and "3 domains" in final and "3 errors" in final
    assert re.search(re.escape(final) + r"\r?\n", text)  # left on screen, a line of its own
    # log records are written whole, each on its own line, never glued to the status line
    closed = [line for line in text.splitlines() if "Spider closed (finished)" in line]
    assert closed and all("pages (" not in line for line in closed)


def test_off_shows_nothing_and_keeps_the_stats(tmp_path):
    with LocalWeb(web()) as server:
        run = run_crawl(
            server.proxy_url, tmp_path / "out", *seeds(),
            settings={"LINKSPIDER_PROGRESS": "off", "LINKSPIDER_PROGRESS_INTERVAL": "0.1"},
        )  # fmt: skip
    assert run.returncode == 0, run.log[-3000:]
    assert "progress:" not in run.log
    assert run.stats["linkspider/pages"] == 30 and run.stats["linkspider/edges"] > 0


@pytest.mark.parametrize(
    "value, mode",
    [("auto", "auto"), ("LIVE", "live"), ("false", "off"), ("1", "auto"), ("log", "log")],
)
def test_progress_setting(value, mode):
    assert LinkspiderConfig.from_settings({"LINKSPIDER_PROGRESS": value}).progress == mode


def test_progress_setting_errors():
    with pytest.raises(ConfigError, match="LINKSPIDER_PROGRESS='sometimes': expected one of auto"):
        LinkspiderConfig.from_settings({"LINKSPIDER_PROGRESS": "sometimes"})
    with pytest.raises(ConfigError, match="LINKSPIDER_PROGRESS_INTERVAL='0'"):
        LinkspiderConfig.from_settings({"LINKSPIDER_PROGRESS_INTERVAL": "0"})

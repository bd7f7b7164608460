"""A dataset in object storage (``LINKSPIDER_OUTPUT=s3://bucket/prefix``), against a real
S3-compatible server (moto's, started on loopback by the tests).

A crawl into a bucket holds exactly what the same crawl into a directory holds; readers
never see a partial or temporary object; the end of the crawl (compaction, ranks, history,
``crawls/``) runs there; ``linkspider`` answers from the bucket as from the directory;
DuckDB reads the bucket with its own ``httpfs``; the workers of a shared crawl need no
shared disk; a killed crawl resumed from ``JOBDIR`` leaves no doubled rows."""

from __future__ import annotations

import collections
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from linkspider.pipelines.layout import parse_crawl_file_name, parse_manifest_name, parse_part_name

from linkspider import storage
from linkspider.config import ConfigError, LinkspiderConfig
from linkspider.extract import extract
from tests.conftest import REPO, crawl_command, proxy_env, run_crawl_env
from tests.test_resume import generated_web
from tests.test_shared import RedisServer
from tests.webserver import LocalWeb

HOSTS = ["h0.site.test", "h1.site.test", "h2.site.test"]
ARGS = (
    "-a", f"seeds={','.join(HOSTS)}", "-a", "max_depth=100",
    "-a", "max_pages_per_domain=100000", "-a", "render=never",
)  # fmt: skip
SETTINGS = {"LINKSPIDER_FLUSH_PAGE_ROWS": "15", "LINKSPIDER_FLUSH_ROWS": "150"}
EDGE = "source_url, target_url, position, anchor_text, rel, region, link_type, crawl_id"
BUCKET = "linkspider-test"


class S3Server:
    """moto's S3 server on a free loopback port, with one bucket; stopped on exit."""

    def __enter__(self) -> S3Server:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", "0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        for line in self.proc.stderr:  # werkzeug says where it listens once it does
            if "Running on http://" in line:
                self.endpoint = line.split("Running on ", 1)[1].split()[0].rstrip("/")
                break
        else:
            raise RuntimeError("moto's server did not start")
        threading.Thread(target=self.proc.stderr.read, daemon=True).start()  # keep it drained
        self.env = {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
        from pyarrow import fs

        _, _, hostport = self.endpoint.partition("://")
        admin = fs.S3FileSystem(
            endpoint_override=hostport, scheme="http", access_key="testing",
            secret_key="testing", region="us-east-1", allow_bucket_creation=True,
        )  # fmt: skip
        admin.create_dir(BUCKET)
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def s3():
    with S3Server() as server:
        saved = {k: os.environ.get(k) for k in server.env}
        os.environ.update(server.env)  # this process's readers (linkspider.storage)
        storage.filesystem.cache_clear()
        try:
            yield server
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            storage.filesystem.cache_clear()


@pytest.fixture(scope="module")
def web():
    return {h: pages for h, pages in generated_web(25).items() if h in HOSTS}


def truth(web: dict, crawl_id: str) -> collections.Counter:
    """The edges a crawl of ``web`` must record: the pure extraction of every page."""
    rows: collections.Counter = collections.Counter()
    for host, pages in web.items():
        for path, resource in pages.items():
            url = f"http://{host}{path}"
            for e in extract(resource.body, url, resource.headers).edges:
                edge = (url, e.target_url, e.position, e.anchor_text, tuple(e.rel), e.region)
                rows[(*edge, e.link_type, crawl_id)] += 1
    return rows


def download(root: str, into: Path) -> Path:
    """A copy of the bucket's dataset in a directory."""
    remote = storage.Remote(root)
    for relative in remote.list():
        remote.download(relative, str(into / relative))
    return into


def s3_crawl(server: LocalWeb, s3: S3Server, prefix: str, work: Path, *args: str, **settings: str):
    tmp = work / "tmp"  # the crawl's temporary directory: its staging is made there
    tmp.mkdir(parents=True, exist_ok=True)
    return run_crawl_env(
        server.proxy_url, work, *ARGS, *args,
        settings={**SETTINGS, "LINKSPIDER_OUTPUT": f"s3://{BUCKET}/{prefix}", **settings},
        extra_env={**s3.env, "TMPDIR": str(tmp)},
    )  # fmt: skip


def remote_con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    storage.register(con)
    return con


def edges(con, root: str) -> collections.Counter:
    rows = con.sql(
        f"SELECT {EDGE} FROM read_parquet('{root}/links/*/*.parquet', hive_partitioning = true)"
    ).fetchall()
    return collections.Counter(
        tuple(tuple(v) if isinstance(v, list) else v for v in r) for r in rows
    )


def holds_the_web(root: str, web: dict) -> None:
    """The bucket's crawl c1 has the edges of the web and each of its pages once."""
    assert edges(remote_con(), root) == truth(web, "c1")
    urls = [
        r[0]
        for r in remote_con()
        .sql(f"SELECT url FROM read_parquet('{root}/pages/*.parquet')")
        .fetchall()
    ]
    assert len(urls) == len(set(urls)) == sum(len(pages) for pages in web.values())


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).with_name("linkspider")), *args], cwd=REPO, capture_output=True,
        text=True, timeout=120, env={**os.environ, **(env or {})},
    )  # fmt: skip


def dataset_names(prefix: str) -> list[str]:
    return sorted(storage.Remote(f"s3://{BUCKET}/{prefix}").list())


def is_dataset_file(relative: str) -> bool:
    table, _, rest = relative.partition("/")
    name = rest.rsplit("/", 1)[-1]
    if table in ("links", "outlinks", "pages"):
        part = parse_part_name(name)
        return part is not None and not part.temporary
    if table in ("crawls", "ranks", "page_ranks"):
        return parse_crawl_file_name(table, name) is not None
    return table == "history" and (
        parse_manifest_name(name) is not None or name.startswith("history-")
    )


class Watcher(threading.Thread):
    """Lists the bucket over and over while a crawl writes it, and opens every object it
    sees: each must be a whole Parquet file with a dataset name."""

    def __init__(self, prefix: str) -> None:
        super().__init__(daemon=True)
        self.remote = storage.Remote(f"s3://{BUCKET}/{prefix}")
        self.stop = threading.Event()
        self.seen: set[str] = set()
        self.problems: list[str] = []

    def run(self) -> None:
        while not self.stop.is_set():
            for relative in self.remote.list():
                if relative in self.seen:
                    continue
                if not is_dataset_file(relative):
                    self.problems.append(f"not a dataset file: {relative}")
                elif relative.endswith(".parquet"):
                    try:
                        with self.remote.fs.open_input_file(self.remote.key(relative)) as f:
                            pq.read_metadata(f)
                    except FileNotFoundError:
                        continue  # replaced by the compaction meanwhile
                    except Exception as exc:  # a partial object
                        self.problems.append(f"{relative}: {exc}")
                self.seen.add(relative)


def test_a_crawl_into_a_bucket_holds_the_web_and_answers_as_a_directory(tmp_path, s3, web):
    watcher = Watcher("crawl")
    watcher.start()
    # c2 leaves its ranks and history to the linkspider command, run on the bucket
    later = {"LINKSPIDER_RANK_ON_CLOSE": "False", "LINKSPIDER_HISTORY_ON_CLOSE": "False"}
    with LocalWeb(web) as server:
        runs = [
            s3_crawl(server, s3, "crawl", tmp_path / c, "-a", f"crawl_id={c}", **settings)
            for c, settings in (("c1", {}), ("c2", later))
        ]
    watcher.stop.set()
    watcher.join(timeout=60)
    for run in runs:
        assert run.returncode == 0, run.log[-3000:]
        assert "published crawl" in run.log
        assert not list((run.out / "tmp").iterdir()), "the temporary staging was not removed"
    root = f"s3://{BUCKET}/crawl"
    assert "ranks/ranks-c2.parquet" not in dataset_names("crawl")
    for command in (("history", "--update"), ("rank", "--crawl", "c2")):
        done = cli(*command, "--data", root)
        assert done.returncode == 0, done.stderr
    # readers saw whole files with dataset names only, flushes before the end among them
    assert watcher.problems == []
    assert any(parse_part_name(n.rsplit("/", 1)[-1]) for n in watcher.seen)
    con = remote_con()
    assert edges(con, root) == truth(web, "c1") + truth(web, "c2")
    names = dataset_names("crawl")
    # compacted: one file per crawl and partition; ranks and the history of both crawls
    links = [n for n in names if n.startswith("links/")]
    assert len(links) == len(
        {(n.split("/")[1], parse_part_name(n.split("/")[2]).crawl_id) for n in links}
    )
    assert {
        "ranks/ranks-c1.parquet",
        "ranks/ranks-c2.parquet",
        "page_ranks/page-ranks-c2.parquet",
    } <= set(names)
    manifest = json.loads(storage.Remote(root).read_bytes("history/_manifest-00002.json"))
    assert manifest["crawls"] == ["c1", "c2"]
    assert {f"history/{n}" for n in manifest["files"]} | {"history/_manifest-00002.json"} == {
        n for n in names if n.startswith("history/")
    }
    # the linkspider command answers from the bucket as from a copy of it in a directory
    local = download(root, tmp_path / "copy")
    for command in (
        ("backlinks", "h1.site.test", "--format", "json", "--limit", "1000"),
        ("refdomains", "h2.site.test", "--format", "json"),
        ("history", "h0.site.test", "--format", "json", "--limit", "1000"),
        ("crawls", "--format", "csv"),
    ):
        answers = [cli(*command, "--data", data) for data in (root, str(local))]
        assert answers[0].returncode == 0, answers[0].stderr
        if command[0] == "crawls":  # times differ; what was crawled does not
            rows = [[line.split(",")[:2] for line in a.stdout.splitlines()] for a in answers]
            assert rows[0] == rows[1]
        else:
            assert json.loads(answers[0].stdout) == json.loads(answers[1].stdout), command


def test_duckdb_reads_the_bucket_with_httpfs(s3, tmp_path):
    """A warehouse user's DuckDB, with the httpfs extension (DuckDB 1.5 and its extension
    from PyPI: DuckDB 2.0's httpfs is only on DuckDB's own site), reads the bucket."""
    root = f"s3://{BUCKET}/crawl"
    if not storage.Remote(root).list():
        pytest.skip(
            "runs after test_a_crawl_into_a_bucket_holds_the_web_and_answers_as_a_directory"
        )
    uv = shutil.which("uv")
    assert uv, "uv is the project's package manager"
    hostport = s3.endpoint.partition("://")[2]
    script = tmp_path / "read.py"
    script.write_text(
        f"""
import glob, json, os, duckdb, duckdb_extension_httpfs
path = glob.glob(os.path.join(os.path.dirname(duckdb_extension_httpfs.__file__), "extensions", "*", "httpfs.duckdb_extension"))[0]
con = duckdb.connect()
con.execute(f"LOAD '{{path}}'")
con.execute(\"\"\"CREATE SECRET (TYPE s3, KEY_ID 'testing', SECRET 'testing', REGION 'us-east-1',
    ENDPOINT '{hostport}', URL_STYLE 'path', USE_SSL false)\"\"\")
rows = con.sql(\"\"\"SELECT target_bucket, count(*) FROM read_parquet('{root}/links/*/*.parquet', hive_partitioning = true)
    WHERE target_bucket = 'b' || left(md5('h1.site.test'), 1) AND target_domain = 'h1.site.test' GROUP BY ALL\"\"\").fetchall()
print(json.dumps([duckdb.__version__, rows]))
"""
    )
    proc = subprocess.run(
        [uv, "run", "--no-project", "--isolated", "--with", "duckdb==1.5.5",
         "--with", "duckdb-extension-httpfs==1.5.5", "python", str(script)],
        capture_output=True, text=True, timeout=600, env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    version, rows = json.loads(proc.stdout.splitlines()[-1])
    expected = (
        remote_con()
        .sql(
            f"SELECT target_bucket, count(*) FROM read_parquet('{root}/links/*/*.parquet', hive_partitioning = true) "
            "WHERE target_domain = 'h1.site.test' GROUP BY ALL"
        )
        .fetchall()
    )
    assert version == "1.5.5" and [tuple(r) for r in rows] == expected


def test_shared_workers_need_no_shared_disk(tmp_path, s3, web):
    """Two workers of a shared crawl, each with its own staging, write one dataset in the
    bucket: the edges of one process, each page once."""
    prefix, root = "shared", f"s3://{BUCKET}/shared"
    with RedisServer() as redis, LocalWeb(web) as server:
        procs = []
        for name in ("w1", "w2"):
            work = tmp_path / name
            cmd = crawl_command(
                work, *ARGS, "-a", "crawl_id=c1",
                settings={**SETTINGS, "LINKSPIDER_OUTPUT": f"{root}", "LINKSPIDER_WORKER_ID": name,
                          "LINKSPIDER_REDIS_URL": redis.url, "LINKSPIDER_STAGING": str(work / "staging")},
            )  # fmt: skip
            log = open(work / "crawl.log", "w")  # noqa: SIM115 - closed by the child's exit
            env = {**proxy_env(server.proxy_url), **s3.env}
            procs.append(
                subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
            )
        codes = [p.wait(timeout=300) for p in procs]
        fetched = [r for r in server.requests if not r[1].startswith("/robots.txt")]
    logs = [(tmp_path / n / "crawl.log").read_text() for n in ("w1", "w2")]
    assert codes == [0, 0], [log[-3000:] for log in logs]
    assert len(fetched) == len(set(fetched))
    holds_the_web(root, web)
    assert sum(1 for n in dataset_names(prefix) if n.startswith("crawls/")) == 1


def test_a_killed_crawl_resumes_into_the_bucket_exactly(tmp_path, s3, web):
    """SIGKILL mid-crawl (flushes uploaded, some never committed), resume with the same
    JOBDIR: the bucket holds each page once and the edges of an uninterrupted crawl."""
    prefix, root = "resumed", f"s3://{BUCKET}/resumed"
    jobdir = tmp_path / "job"
    settings = {**SETTINGS, "LINKSPIDER_OUTPUT": root, "JOBDIR": str(jobdir)}
    with LocalWeb(web, notify_after=40) as server:
        cmd = crawl_command(tmp_path / "first", *ARGS, "-a", "crawl_id=c1", settings=settings)
        env = {**proxy_env(server.proxy_url), **s3.env}
        proc = subprocess.Popen(
            cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        assert server.reached.wait(timeout=120)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        run = run_crawl_env(
            server.proxy_url, tmp_path / "second", *ARGS, settings=settings, extra_env=s3.env
        )
        assert run.returncode == 0, run.log[-3000:]
        holds_the_web(root, web)
        assert all(is_dataset_file(n) for n in dataset_names(prefix))
        # a recrawl of it into the same bucket: its arguments and pages come from there
        recrawl = run_crawl_env(
            server.proxy_url, tmp_path / "third", "-a", "recrawl=c1", "-a", "crawl_id=c2",
            settings={**SETTINGS, "LINKSPIDER_OUTPUT": root}, extra_env=s3.env,
        )  # fmt: skip
    assert recrawl.returncode == 0, recrawl.log[-3000:]
    pages = sum(len(p) for p in web.values())
    assert f"recrawl of c1: {pages} pages" in recrawl.log
    fetched = remote_con().sql(
        f"SELECT count(DISTINCT url) FROM read_parquet('{root}/pages/*.parquet') WHERE crawl_id = 'c2'"
    )
    assert fetched.fetchall() == [(pages,)]


def test_a_bucket_that_cannot_be_used_is_one_line(tmp_path, s3):
    missing = f"s3://no-such-bucket-{os.getpid()}/x"
    cmd = crawl_command(
        tmp_path, "-a", "seeds=h0.site.test", settings={"LINKSPIDER_OUTPUT": missing}
    )
    proc = subprocess.run(
        cmd, cwd=REPO, capture_output=True, text=True, timeout=120, env={**os.environ, **s3.env}
    )
    assert proc.returncode == 2
    assert "no bucket" in proc.stderr and "Traceback" not in proc.stderr
    for data in (missing, "s3:///prefix"):
        answer = cli("crawls", "--data", data)
        assert answer.returncode == 2 and len(answer.stderr.strip().splitlines()) == 1
    with pytest.raises(ConfigError, match="expected a directory, or `s3://bucket/prefix`"):
        LinkspiderConfig.from_settings({"LINKSPIDER_OUTPUT": "s3:///prefix"})


def test_a_bucket_lost_mid_crawl_stops_the_crawl_as_failed(tmp_path, web):
    """The S3 server goes away while the crawl writes: the uploads fail after the write
    retries, the crawl stops and exits 1 saying why (no row is counted as written)."""
    with S3Server() as lost, LocalWeb(web, notify_after=30) as server:
        cmd = crawl_command(
            tmp_path, *ARGS, "-a", "crawl_id=c1",
            settings={**SETTINGS, "LINKSPIDER_OUTPUT": f"s3://{BUCKET}/lost",
                      "LINKSPIDER_WRITE_RETRY_PAUSES": "0.1", "JOBDIR": str(tmp_path / "job")},
        )  # fmt: skip
        env = {**proxy_env(server.proxy_url), **lost.env}
        proc = subprocess.Popen(
            cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert server.reached.wait(timeout=120)
        lost.proc.kill()
        log, _ = proc.communicate(timeout=300)
    assert proc.returncode == 1, log[-3000:]
    assert "linkspider: crawl failed: writing the dataset" in log
    assert "Traceback" not in log.split("linkspider: crawl failed", 1)[1]

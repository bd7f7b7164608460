from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parent.parent
#: Test inputs that live in the repository (origins and licences: tests/data/README.md).
DATA = REPO / "tests" / "data"


def bench_script(name: str):
    """``bench/NAME.py`` as a module, loaded by path: tests check what a benchmark measures
    with its own code (bench/ is not a package, and its scripts' names must not shadow
    anything on ``sys.path``)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", REPO / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class CrawlRun:
    returncode: int
    log: str
    stats: dict
    out: Path

    def links(self, where: str = "true", columns: str = "*") -> list[tuple]:
        return duckdb.sql(
            f"SELECT {columns} FROM read_parquet('{self.out}/links/*/*.parquet', hive_partitioning=true) "
            f"WHERE {where} ORDER BY source_url, position"
        ).fetchall()

    def pages(self, where: str = "true", columns: str = "*") -> list[tuple]:
        return duckdb.sql(
            f"SELECT {columns} FROM read_parquet('{self.out}/pages/*.parquet') WHERE {where} ORDER BY url"
        ).fetchall()


def proxy_env(proxy_url: str) -> dict[str, str]:
    """Environment that routes every request of a crawl to the loopback web."""
    env = {k: v for k, v in os.environ.items() if k.lower() != "no_proxy"}
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env[name] = proxy_url
    env["no_proxy"] = env["NO_PROXY"] = ""
    return env


def crawl_command(out: Path, *args: str, settings: dict | None = None) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    stats_file = out / "stats.json"
    cmd = [sys.executable, "-m", "scrapy", "crawl", "discover", *args]
    all_settings = {
        "LINKSPIDER_OUTPUT": str(out),
        "LINKSPIDER_STATS_FILE": str(stats_file),
        "AUTOTHROTTLE_ENABLED": "0",
        "DOWNLOAD_DELAY": "0",
        "LOG_LEVEL": "INFO",
        **(settings or {}),
    }
    for key, value in all_settings.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


def run_crawl_env(
    proxy_url: str,
    out: Path,
    *args: str,
    settings: dict | None = None,
    extra_env: dict | None = None,
    timeout: int = 300,
) -> CrawlRun:
    """run_crawl with extra environment variables for the crawl process."""
    cmd = crawl_command(out, *args, settings=settings)
    env = {**proxy_env(proxy_url), **(extra_env or {})}
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)
    stats_file = out / "stats.json"
    stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    return CrawlRun(proc.returncode, proc.stdout + proc.stderr, stats, out)


def start_crawl(
    proxy_url: str, out: Path, *args: str, settings: dict | None = None
) -> subprocess.Popen:
    """A crawl running in the background (for kill and signal tests)."""
    cmd = crawl_command(out, *args, settings=settings)
    log = open(out / "crawl.log", "w")  # noqa: SIM115 - closed by the child's exit
    return subprocess.Popen(
        cmd, cwd=REPO, env=proxy_env(proxy_url), stdout=log, stderr=subprocess.STDOUT
    )


def run_crawl(
    proxy_url: str, out: Path, *args: str, settings: dict | None = None, timeout: int = 300
) -> CrawlRun:
    cmd = crawl_command(out, *args, settings=settings)
    stats_file = out / "stats.json"
    proc = subprocess.run(
        cmd, cwd=REPO, env=proxy_env(proxy_url), capture_output=True, text=True, timeout=timeout
    )
    stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    return CrawlRun(proc.returncode, proc.stdout + proc.stderr, stats, out)


def run_in_netns(out: Path, *scrapy_args: str, options: tuple[str, ...] = ()) -> dict:
    """A crawl inside a private network of its own (tests/netns.py): its JSON report."""
    if shutil.which("unshare") is None or shutil.which("ip") is None or os.geteuid() != 0:
        if os.environ.get("CI"):
            pytest.fail("CI must run the network namespace tests (root, unshare, iproute2)")
        pytest.skip("needs root, unshare and ip to build a private network")
    command = ["unshare", "-n", "-m", sys.executable, "-m", "tests.netns", str(out), *options]
    proc = subprocess.run(
        [*command, "--", *scrapy_args], cwd=REPO, capture_output=True, text=True, timeout=400
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


@pytest.fixture
def corpus() -> Path:
    return DATA / "readability-dev"

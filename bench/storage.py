"""A crawl into object storage (``LINKSPIDER_OUTPUT=s3://...``) against one into a directory.

    uv run python bench/storage.py [--pages 3000] [--hosts 20] [--rounds 3] [--lookups 5]
                                   [--json OUT]

Generates the web of ``bench/crawl.py`` and serves it with nginx on loopback; starts moto's
S3 server on loopback (an S3-compatible server in Python: slower than S3 or MinIO, so
the figures bound the cost from above).  Each round crawls the web twice with the
settings of a real crawl (compaction, ranks and history at the end): into a directory
(the baseline) and into a bucket, alternating which goes first.  Reported: wall seconds
(median), their ratio, the bytes uploaded (the bucket's size), then the time of
``linkspider backlinks HOST --format json`` on each (median of ``--lookups``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import crawl as crawl_bench  # noqa: E402

BUCKET = "bench"


def start_moto() -> tuple[subprocess.Popen, dict[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", "0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    for line in proc.stderr:
        if "Running on http://" in line:
            endpoint = line.split("Running on ", 1)[1].split()[0].rstrip("/")
            break
    else:
        raise SystemExit("moto's server did not start")
    import threading

    threading.Thread(target=proc.stderr.read, daemon=True).start()
    env = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    from pyarrow import fs

    fs.S3FileSystem(
        endpoint_override=endpoint.partition("://")[2], scheme="http", access_key="bench",
        secret_key="bench", region="us-east-1", allow_bucket_creation=True,
    ).create_dir(BUCKET)  # fmt: skip
    return proc, env


def crawl(output: str, seeds: str, proxy: str, crawl_id: str, env: dict) -> float:
    cmd = [
        sys.executable, "-m", "scrapy", "crawl", "discover",
        "-a", f"seeds={seeds}", "-a", "max_depth=1000", "-a", "max_pages_per_domain=10000000",
        "-a", "render=never", "-a", f"crawl_id={crawl_id}",
        *crawl_bench.settings_args({**crawl_bench.COMMON, "LINKSPIDER_OUTPUT": output}),
    ]  # fmt: skip
    started = time.perf_counter()
    proc = subprocess.run(
        cmd, cwd=REPO, env={**crawl_bench.proxy_env(proxy), **env}, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(f"crawl {crawl_id} into {output} failed:\n{proc.stderr[-4000:]}")
    return wall


def lookup(data: str, host: str, env: dict) -> float:
    linkspider = str(Path(sys.executable).with_name("linkspider"))
    started = time.perf_counter()
    proc = subprocess.run(
        [linkspider, "backlinks", host, "--data", data, "--format", "json", "--crawl", "all"],
        env={**os.environ, **env}, capture_output=True, text=True,
    )  # fmt: skip
    if proc.returncode:
        raise SystemExit(f"lookup in {data} failed: {proc.stderr}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--lookups", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="linkspider-storage-bench-"))
    root.chmod(0o755)
    nginx = moto = None
    try:
        hosts = crawl_bench.generate(root / "www", args.pages, args.hosts)
        nginx, proxy = crawl_bench.start_nginx(root, root / "www")
        moto, env = start_moto()
        os.environ.update(env)
        from linkspider.storage import Remote

        seeds = ",".join(hosts)
        walls: dict[str, list[float]] = {"directory": [], "bucket": []}
        for round_ in range(args.rounds):
            order = ["directory", "bucket"] if round_ % 2 == 0 else ["bucket", "directory"]
            for kind in order:
                work = root / f"r{round_}-{kind}"
                work.mkdir()
                output = str(work / "data") if kind == "directory" else f"s3://{BUCKET}/r{round_}"
                wall = crawl(output, seeds, proxy, f"r{round_}", {})
                walls[kind].append(wall)
                print(f"round {round_ + 1} {kind:9}: {wall:6.1f} s")
        data = {"directory": str(root / "r0-directory" / "data"), "bucket": f"s3://{BUCKET}/r0"}
        uploaded = sum(Remote(data["bucket"]).list().values())
        local_bytes = sum(p.stat().st_size for p in Path(data["directory"]).rglob("*.parquet"))
        lookups = {
            kind: [lookup(d, hosts[0], {}) for _ in range(args.lookups)] for kind, d in data.items()
        }
        summary = {
            "pages": args.pages,
            "crawl_s": {k: statistics.median(v) for k, v in walls.items()},
            "crawl_ratio": statistics.median(walls["bucket"])
            / statistics.median(walls["directory"]),
            "bucket_bytes": uploaded,
            "directory_bytes": local_bytes,
            "lookup_s": {k: statistics.median(v) for k, v in lookups.items()},
        }
        summary["lookup_ratio"] = summary["lookup_s"]["bucket"] / summary["lookup_s"]["directory"]
        print(
            f"\n| | directory | bucket (moto) | ratio |\n|---|---|---|---|\n"
            f"| crawl of {args.pages:,} pages, wall s (median of {args.rounds}) | "
            f"{summary['crawl_s']['directory']:.1f} | {summary['crawl_s']['bucket']:.1f} | "
            f"{summary['crawl_ratio']:.2f} |\n"
            f"| `backlinks {hosts[0]}`, s (median of {args.lookups}) | "
            f"{summary['lookup_s']['directory']:.2f} | {summary['lookup_s']['bucket']:.2f} | "
            f"{summary['lookup_ratio']:.2f} |\n"
            f"| dataset bytes | {local_bytes:,} | {uploaded:,} | |"
        )
        if args.json:
            args.json.write_text(
                json.dumps({"summary": summary, "walls": walls, "lookups": lookups}, indent=1)
            )
    finally:
        for proc in (nginx, moto):
            if proc is not None:
                proc.terminate()
                proc.wait()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

"""What ``linkspider report`` costs: to write, and to open in a browser.

    uv run python bench/report.py [--edges 1000000] [--crawls 3] [--domains 50] [--json OUT]

Generates ``--crawls`` crawls in linkspider's layout (bench/history.py's generator: 20
edges per page, churn between crawls; targets spread over ``--domains`` domains, so
one domain has about edges / domains backlinks per crawl), then, medians of three runs:

- writing the report of the most linked domain (``linkspider report D -o FILE``)
  against, as the baseline in the same run, ``linkspider backlinks D --sort value
  --format json`` (the one query every report runs, with its output);
- opening it in Chromium (Debian's, no network) until every chart is drawn, against the
  same page with its scripts removed (the HTML tables and figures alone).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import history as synthetic  # noqa: E402

from linkspider.render import find_browser  # noqa: E402

LINKSPIDER = str(Path(sys.executable).with_name("linkspider"))


def timed(args: list[str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"{' '.join(args)} failed: {proc.stderr.strip()}")
    return time.perf_counter() - started


def open_times(pages: list[Path], runs: int) -> list[float]:
    """Median seconds from navigation to the load event (the charts are drawn before it)."""
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=find_browser(), args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.route(
            "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
        )
        for path in pages:
            seconds = []
            for _ in range(runs + 1):  # the first is a warm-up
                page = context.new_page()
                started = time.perf_counter()
                page.goto(path.as_uri(), wait_until="load")
                page.evaluate("window.linkspiderCharts ? window.linkspiderCharts.length : 0")
                seconds.append(time.perf_counter() - started)
                page.close()
            out.append(statistics.median(seconds[1:]))
        browser.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--crawls", type=int, default=3)
    parser.add_argument("--domains", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", help="where to generate (default: a temporary directory)")
    parser.add_argument("--json", help="write the figures there")
    args = parser.parse_args()
    synthetic.DOMAINS = args.domains
    work = Path(args.dir or tempfile.mkdtemp(prefix="linkspider-bench-report-"))
    root = work / "data"
    try:
        pages, crawls = synthetic.generate(args.edges, args.crawls)
        start = datetime(2026, 1, 1, tzinfo=UTC)
        for i, edges in enumerate(crawls):
            synthetic.write_crawl(
                root, f"c{i + 1:02d}", start + timedelta(days=7 * i), pages, edges
            )
        top = subprocess.run(
            [LINKSPIDER, "top", "--data", str(root), "--format", "json", "--limit", "1"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        target = json.loads(top.stdout)[0]["domain"]
        report = work / "report.html"
        write, query = [], []
        for _ in range(args.runs):
            query.append(timed([LINKSPIDER, "backlinks", target, "--data", str(root), "--sort",
                                "value", "--format", "json", "-o", str(work / "b.json")]))  # fmt: skip
            write.append(
                timed([LINKSPIDER, "report", target, "--data", str(root), "-o", str(report)])
            )
        page = report.read_text(encoding="utf-8")
        bare = work / "bare.html"
        bare.write_text(
            re.sub(r"<script>.*?</script>", "", page, flags=re.DOTALL), encoding="utf-8"
        )
        opened, opened_bare = open_times([report, bare], args.runs)
        figures = json.loads(
            re.search(r'id="linkspider-data">(.*?)</script>', page, re.DOTALL).group(1)
        )
        result = {
            "edges_per_crawl": args.edges,
            "crawls": args.crawls,
            "target": target,
            "target_backlinks": figures["summary"]["backlinks"],
            "report_bytes": len(page.encode()),
            "write_s": statistics.median(write),
            "backlinks_json_s": statistics.median(query),
            "open_s": opened,
            "open_without_scripts_s": opened_bare,
        }
        result["write_ratio"] = result["write_s"] / result["backlinks_json_s"]
        result["open_ratio"] = opened / opened_bare
        print(
            f"{target}: {result['target_backlinks']:,} backlinks in the latest of "
            f"{args.crawls} crawls of {args.edges:,} edges; report {result['report_bytes'] / 1e3:,.0f} KB\n"
            f"write the report     {result['write_s']:.2f} s  vs backlinks --format json "
            f"{result['backlinks_json_s']:.2f} s  ({result['write_ratio']:.2f}x)\n"
            f"open, charts drawn   {opened * 1e3:.0f} ms  vs the page without scripts "
            f"{opened_bare * 1e3:.0f} ms  ({result['open_ratio']:.2f}x)"
        )
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=1))
    finally:
        if not args.dir:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

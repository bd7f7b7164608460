"""``linkspider``: answers from a linkspider dataset, without SQL.

    linkspider backlinks example.com
    linkspider refdomains example.com --dofollow --format csv -o refdomains.csv
    linkspider outlinks https://example.com/page --internal
    linkspider top --by domains
    linkspider crawls
    linkspider rank
    linkspider changes example.com
    linkspider history example.com --lost
    linkspider report example.com -o report.html
    linkspider prune --keep 3
    linkspider sql "SELECT count(*) FROM links"
    linkspider demo

Each command is one SQL query (:mod:`linkspider.cli.queries`) run by DuckDB
over the dataset's Parquet files.  This module never imports Scrapy: it starts
in a fraction of a second.  An error is one line on standard error and exit
status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import NoReturn

from linkspider import defaults

#: linkspider.regions.REGIONS (not imported: the command stays light; a test keeps them equal)
REGIONS = ("header", "nav", "main", "aside", "footer", "comment", "body", "meta")


class UsageError(ValueError):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error as one line."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


def _regions(text: str) -> list[str]:
    regions = [r.strip() for r in text.split(",") if r.strip()]
    unknown = [r for r in regions if r not in REGIONS]
    if unknown or not regions:
        raise argparse.ArgumentTypeError(
            f"unknown region {', '.join(unknown) or text!r}: use {', '.join(REGIONS)}"
        )
    return regions


def _weight(text: str) -> str:
    """An argparse type: ``NAME=W``, a weight of the link value formula."""
    from linkspider.value import Weights

    try:
        Weights.parse([text], env="")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _whole(minimum: int, note: str = "") -> Callable[[str], int]:
    """An argparse type: a whole number >= ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(
                f"{text!r}: expected a whole number >= {minimum}{note}"
            )
        return value

    return parse


_limit = _whole(0, " (0: no limit)")


def build_parser() -> argparse.ArgumentParser:
    from linkspider.cli.output import FORMATS
    from linkspider.cli.queries import TOP_KEYS
    from linkspider.cli.targets import KINDS

    def selection_options(group) -> None:
        """--data, --crawl and the edge filters: every command that reads edges has them."""
        group.add_argument(
            "--data",
            default=os.environ.get("LINKSPIDER_DATA") or "data",
            metavar="DIR",
            help="the dataset: a directory or s3://bucket/prefix (default: $LINKSPIDER_DATA, else ./data)",
        )
        group.add_argument(
            "--crawl",
            default="latest",
            metavar="ID|latest|all",
            help="which crawl to read (default: latest)",
        )
        group.add_argument("--dofollow", action="store_true", help="only links that pass credit")
        group.add_argument(
            "--region",
            type=_regions,
            metavar="R[,R...]",
            help=f"only links in these regions ({', '.join(REGIONS)})",
        )
        group.add_argument(
            "--internal",
            action="store_true",
            help="include internal links (same registered domain); default: external only",
        )

    shared = argparse.ArgumentParser(add_help=False)
    group = shared.add_argument_group("dataset and output")
    selection_options(group)
    group.add_argument(
        "--limit",
        type=_limit,
        metavar="N",
        help="at most N rows (default: 100 for a table, all for other formats; 0: all)",
    )
    group.add_argument(
        "--format",
        choices=FORMATS,
        help="default: the one -o FILE's extension names (.csv .json .jsonl .parquet), else table",
    )
    group.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write to FILE, complete or not at all (default: stdout)",
    )
    # `report` writes a page: the selection, without --limit and --format
    selection = argparse.ArgumentParser(add_help=False)
    selection_options(selection.add_argument_group("dataset and filters"))

    as_option = argparse.ArgumentParser(add_help=False)
    as_option.add_argument(
        "--as",
        dest="as_",
        choices=KINDS,
        help="read TARGET as a domain, host or URL (default: decided by its form)",
    )

    parser = _Parser(
        prog="linkspider",
        description="Backlink answers from a linkspider dataset (Parquet, read with DuckDB).",
        epilog="TARGET/SOURCE: a URL (http:// or https://: that exact page), a registered "
        "domain (example.com: every host under it) or a host (www.example.com).",
    )
    parser.add_argument("--version", action="store_true", help="print the version")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help: str, *parents) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=help, description=help, parents=list(parents))

    backlinks = command(
        "backlinks",
        "every edge pointing at TARGET, with what it is worth (authority, relevance, "
        "anchor class, position, sitewide, link_value)",
        shared,
        as_option,
    )
    backlinks.add_argument("target", metavar="TARGET")
    backlinks.add_argument(
        "--sort",
        choices=("source", "value"),
        default="source",
        help="order by source page (default) or by link_value, highest first",
    )
    backlinks.add_argument(
        "--weight",
        action="append",
        type=_weight,
        metavar="NAME=W",
        help="a weight of the link value formula (see the README's Link value; "
        "also $LINKSPIDER_VALUE_WEIGHTS=NAME=W,...)",
    )
    for name, help in (
        ("refdomains", "the registered domains linking to TARGET, with counts and authority"),
        ("anchors", "the anchor texts of TARGET's backlinks (an image link counts its alt)"),
    ):
        command(name, help, shared, as_option).add_argument("target", metavar="TARGET")
    changes = command(
        "changes",
        "new, lost and changed links between two crawls, with the reason (of TARGET's "
        "backlinks, or of every edge without TARGET)",
        shared,
        as_option,
    )
    changes.add_argument("target", nargs="?", metavar="TARGET")
    changes.add_argument(
        "--from",
        dest="from_crawl",
        metavar="CRAWL",
        help="the earlier crawl (default: the one before --to)",
    )
    changes.add_argument(
        "--to", dest="to_crawl", metavar="CRAWL", help="the later crawl (default: the latest)"
    )
    history = command(
        "history",
        "TARGET's backlinks over every crawl, pruned ones too: first and last seen, times "
        "seen, and when and why each lost one was lost (history/)",
        shared,
        as_option,
    )
    history.add_argument("target", nargs="?", metavar="TARGET")
    state = history.add_mutually_exclusive_group()
    state.add_argument("--lost", action="store_true", help="only the lost ones")
    state.add_argument("--live", action="store_true", help="only those not lost")
    history.add_argument(
        "--update",
        action="store_true",
        help="first apply the crawls not yet in the history (a crawl applies itself when it "
        "finishes, unless LINKSPIDER_HISTORY_ON_CLOSE is off); TARGET is then optional",
    )
    prune = command(
        "prune",
        "delete the files of every crawl but the newest N, after applying them to history/ "
        "(first-seen dates and lost links survive; their crawls/ rows stay, with pruned_at)",
        shared,
    )
    prune.add_argument(
        "--keep", type=_whole(1), required=True, metavar="N", help="crawls to keep (>= 1)"
    )
    prune.add_argument(
        "--dry-run", action="store_true", help="say what would be deleted, delete nothing"
    )
    report = command(
        "report",
        "TARGET's backlinks as one self-contained HTML page: headline figures, charts "
        "(per crawl, anchors, dofollow share, regions, link types, referring domains, link "
        "value) and tables of the top, lost and new backlinks; opens with no network",
        selection,
        as_option,
    )
    report.add_argument("target", metavar="TARGET")
    report.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the page to FILE, complete or not at all (default: stdout)",
    )
    report.add_argument(
        "--top",
        type=_whole(1),
        default=100,
        metavar="N",
        help="rows in each table and list of the page (default 100; figures count every row)",
    )
    report.add_argument(
        "--weight",
        action="append",
        type=_weight,
        metavar="NAME=W",
        help="a weight of the link value formula, as for backlinks",
    )
    command("outlinks", "every edge from a page, host or domain", shared, as_option).add_argument(
        "target", metavar="SOURCE"
    )
    top = command("top", "the most linked domains, hosts or pages, by referring domains", shared)
    top.add_argument("--by", choices=tuple(TOP_KEYS), default="domains")
    command("crawls", "the crawls in the dataset", shared)
    rank = command(
        "rank",
        "compute the crawl's authority: PageRank and harmonic centrality of its hosts, domains "
        "and pages (ranks/, page_ranks/)",
        shared,
    )
    rank.add_argument(
        "--exact-nodes",
        type=_limit,
        default=defaults.RANK_EXACT_NODES,
        metavar="N",
        help="exact harmonic centrality up to N nodes per level, sampled above "
        f"(default {defaults.RANK_EXACT_NODES})",
    )
    rank.add_argument(
        "--samples",
        type=_whole(1),
        default=defaults.RANK_SAMPLES,
        metavar="K",
        help=f"sources sampled above --exact-nodes (default {defaults.RANK_SAMPLES})",
    )
    rank.add_argument(
        "--no-pages",
        dest="pages",
        action="store_false",
        help="rank hosts and domains only: no page_ranks/ (the URL graph is most of the cost)",
    )
    sql = command(
        "sql",
        "DuckDB with the views (links, outlinks, pages, crawls) and macros loaded; "
        "an interactive shell without QUERY",
        shared,
    )
    sql.add_argument("query", nargs="?", metavar="QUERY")
    sql.add_argument(
        "--print-views",
        action="store_true",
        help="print the views and macros as SQL (for your own DuckDB) and exit",
    )
    demo = command(
        "demo", "crawl a small bundled web on loopback (no internet) and show the answers"
    )
    demo.add_argument("--keep", metavar="DIR", help="keep the demo dataset in DIR")
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `linkspider ... | head`
        sys.stderr.close()
        return 0
    except Exception as exc:  # a bug: one line (the traceback with LINKSPIDER_DEBUG=1)
        if os.environ.get("LINKSPIDER_DEBUG"):
            raise
        print(
            f"linkspider: internal error: {type(exc).__name__}: {exc} "
            "(run again with LINKSPIDER_DEBUG=1 for the traceback, and please report it)",
            file=sys.stderr,
        )
        return 1


def _main(argv: list[str] | None) -> int:
    import duckdb

    from linkspider.cli.dataset import DatasetError
    from linkspider.cli.output import OutputError
    from linkspider.cli.targets import TargetError
    from linkspider.value import WeightError

    args = None
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.version:
            from importlib.metadata import version

            print(f"linkspider {version('linkspider')}")
            return 0
        if args.command is None:
            parser.print_help()
            return 2
        from linkspider.cli import commands

        return commands.run(args)
    except (UsageError, DatasetError, TargetError, OutputError, WeightError) as exc:
        return _fail(str(exc))
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if getattr(args, "command", None) == "sql":  # the user's own SQL, most likely
            return _fail(f"sql: the query failed: {first}")
        return _fail(f"cannot read the dataset: {first}")
    except OSError as exc:
        return _fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))


def _fail(message: str) -> int:
    print(f"linkspider: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

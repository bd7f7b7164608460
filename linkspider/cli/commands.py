"""The ``linkspider`` commands: pick the crawls and the partition, define the views, run
the command's query (:mod:`linkspider.cli.queries`), write the answer."""

from __future__ import annotations

import argparse
import os
import sys
import time
from contextlib import contextmanager

from linkspider import schema
from linkspider.cli import output, queries
from linkspider.cli.dataset import RANK_TABLES, Dataset, DatasetError
from linkspider.cli.targets import parse_target
from linkspider.pipelines.layout import bucket, crawl_file_path
from linkspider.value import Weights, value_sql


def run(args: argparse.Namespace) -> int:
    if args.command == "demo":
        from linkspider.cli.demo import demo

        return demo(args.keep)
    dataset = Dataset(args.data)
    crawls = dataset.select(args.crawl) if args.command not in ("history", "prune") else []
    handler = {
        "backlinks": _lookup,
        "refdomains": _lookup,
        "anchors": _lookup,
        "outlinks": _lookup,
        "top": _top,
        "crawls": _crawls,
        "rank": _rank,
        "changes": _changes,
        "history": _history,
        "prune": _prune,
        "sql": _sql,
        "report": _report,
    }[args.command]
    return handler(args, dataset, crawls)


def _emit(args, con, query: queries.Query, sql: str, params: dict, title: str) -> int:
    fmt = output.choose_format(args.format, args.output)
    if fmt == "table":
        limit = 100 if args.limit is None else args.limit
        output.table(con, sql, params, query.shown, limit, title, args.output)
        return 0
    if args.limit:
        sql = f"{sql}\nLIMIT {int(args.limit)}"
    output.write(con, sql, params, fmt, args.output)
    return 0


def _lookup(args, dataset: Dataset, crawls: list[str]) -> int:
    target, where, params = target_of(args, by_source=args.command == "outlinks")
    query = {
        "backlinks": queries.BACKLINKS,
        "refdomains": queries.REFDOMAINS,
        "anchors": queries.ANCHORS,
        "outlinks": queries.OUTLINKS,
    }[args.command]
    by_source = args.command == "outlinks"
    partition = bucket(target.domain)
    dataset.define_views(
        crawls,
        links_bucket=None if by_source else partition,
        outlinks_bucket=partition if by_source else None,
    )
    filters = queries.filters(args.internal, args.dofollow, args.region)
    if args.command == "backlinks":
        edges = queries.BACKLINK_EDGES.format(where=where)
        valued = value_sql(edges, Weights.parse(args.weight))
        sql = query.sql.format(
            valued=valued, filters=filters, order=queries.BACKLINK_ORDER[args.sort]
        )
    else:
        sql = query.sql.format(where=where, filters=filters)
    title = f"{args.command} of {target.kind} {target.value} ({_crawls_title(crawls)})"
    return _emit(args, dataset.con, query, sql, params, title)


def target_of(args, by_source: bool = False):
    """The command's TARGET (SOURCE): it, its SQL condition and the condition's parameters."""
    target = parse_target(args.target, args.as_)
    where = (queries.SOURCE_WHERE if by_source else queries.TARGET_WHERE)[target.kind]
    params = {"domain": target.domain}
    if target.kind != "domain":
        params["value"] = target.value
    return target, where, params


def _changes(args, dataset: Dataset, crawls: list[str]) -> int:
    known = dataset.crawl_ids()
    after = dataset.select(args.to_crawl) if args.to_crawl else known[-1:]
    if args.from_crawl:
        before = dataset.select(args.from_crawl)
    elif known.index(after[0]) == 0:
        raise DatasetError(
            f"changes compares two crawls and no crawl of {dataset.root} is older than "
            f"{after[0]} (crawl again, or name them with --from and --to)"
        )
    else:
        before = [known[known.index(after[0]) - 1]]
    if before == after:
        raise DatasetError(f"--from and --to name the same crawl ({before[0]})")
    params = {"from_crawl": before[0], "to_crawl": after[0]}
    where = "true"
    subject = "all edges"
    partition = None
    if args.target is not None:
        target, where, target_params = target_of(args, by_source=False)
        params.update(target_params)
        partition = bucket(target.domain)
        subject = f"{target.kind} {target.value}"
    dataset.define_views(before + after, links_bucket=partition)
    sql = queries.CHANGES.sql.format(
        where=where, filters=queries.filters(args.internal, args.dofollow, args.region)
    )
    title = f"changes of {subject} from crawl {before[0]} to {after[0]}"
    return _emit(args, dataset.con, queries.CHANGES, sql, params, title)


def _history(args, dataset: Dataset, crawls: list[str]) -> int:
    if args.update:
        from linkspider.history import update_history

        with _staged(dataset) as (root, staging):
            if staging is not None:
                staging.prepare_history()
            applied_crawls = update_history(root)
            if staging is not None:
                staging.publish_history()
        for applied in applied_crawls:
            print(
                f"history: applied crawl {applied.crawl_id} "
                f"({'losses judged' if applied.judged else 'stopped crawl: what it saw only'}) "
                f"in {applied.seconds:.1f} s; {applied.rows:,} edges known",
                file=sys.stderr,
            )
        dataset.rescan()
        if args.target is None:
            return 0
    elif args.target is None:
        raise DatasetError("history needs a TARGET (or --update)")
    if not dataset.inventory.files("history"):
        raise DatasetError(
            f"{dataset.root} has no history yet: it is written when a crawl finishes "
            "(LINKSPIDER_HISTORY_ON_CLOSE), or by `linkspider history --update`"
        )
    target, where, params = target_of(args, by_source=False)
    dataset.define_views(dataset.crawl_ids()[-1:], links_bucket=bucket(target.domain))
    state = (
        queries.HISTORY_STATES["lost" if args.lost else "live"] if args.lost or args.live else ""
    )
    sql = queries.HISTORY.sql.format(
        where=where, filters=queries.filters(args.internal, args.dofollow, args.region), state=state
    )
    title = f"history of {target.kind} {target.value}"
    return _emit(args, dataset.con, queries.HISTORY, sql, params, title)


def _prune(args, dataset: Dataset, crawls: list[str]) -> int:
    import pyarrow as pa

    from linkspider.history import prune

    if dataset.remote:
        raise DatasetError(
            f"prune works on a local dataset; {dataset.root} is in object storage "
            "(delete a crawl's objects with your storage's tools, or sync it to a directory)"
        )
    done = prune(dataset.root, args.keep, dry_run=args.dry_run)
    verb = "would delete" if args.dry_run else "deleted"
    for item in done:
        if item.kept_because:
            print(f"prune: kept crawl {item.crawl_id}: {item.kept_because}", file=sys.stderr)
    gone = [i for i in done if not i.kept_because]
    print(
        f"prune: {verb} {len(gone)} crawl(s), {sum(i.files for i in gone):,} files, "
        f"{sum(i.bytes for i in gone) / 1e6:,.1f} MB; kept the newest {args.keep}",
        file=sys.stderr,
    )
    rows = pa.Table.from_pylist(
        [
            {"crawl_id": i.crawl_id, "status": i.status, "started_at": i.started_at,
             "files": i.files, "bytes": i.bytes, "pruned": not args.dry_run and not i.kept_because,
             "kept_because": i.kept_because}
            for i in done
        ],
        schema=pa.schema([("crawl_id", pa.string()), ("status", pa.string()),
                          ("started_at", pa.timestamp("us", tz="UTC")), ("files", pa.int64()),
                          ("bytes", pa.int64()), ("pruned", pa.bool_()),
                          ("kept_because", pa.string())]),
    )  # fmt: skip
    dataset.con.register("pruned_crawls", rows)
    query = queries.Query(
        "SELECT * FROM pruned_crawls ORDER BY started_at, crawl_id",
        ("crawl_id", "status", "started_at", "files", "bytes", "pruned"),
    )
    return _emit(args, dataset.con, query, query.sql, {}, f"prune of {dataset.root}")


def _report(args, dataset: Dataset, crawls: list[str]) -> int:
    from linkspider.cli import report

    return report.run(args, dataset, crawls)


def _top(args, dataset: Dataset, crawls: list[str]) -> int:
    key, name = queries.TOP_KEYS[args.by]
    dataset.define_views(crawls)
    sql = queries.TOP.sql.format(
        key=key, name=name, filters=queries.filters(args.internal, args.dofollow, args.region)
    )
    shown = tuple(c.format(name=name) for c in queries.TOP.shown)
    query = queries.Query(sql, shown)
    title = f"most linked {args.by} ({_crawls_title(crawls)})"
    return _emit(args, dataset.con, query, sql, {}, title)


def _crawls(args, dataset: Dataset, crawls: list[str]) -> int:
    # every crawl unless one is named: this is how to see what there is
    dataset.define_views(dataset.crawl_ids(pruned=True) if args.crawl == "latest" else crawls)
    sql = dataset.crawls_sql()
    query = queries.Query(sql, queries.CRAWLS.shown)
    return _emit(args, dataset.con, query, sql, {}, f"crawls in {dataset.root}")


def _rank(args, dataset: Dataset, crawls: list[str]) -> int:
    from linkspider.ranks import rank_crawl

    for crawl_id in crawls:
        started = time.perf_counter()
        with _staged(dataset) as (root, staging):
            if staging is not None:
                staging.pull_crawl(crawl_id, [schema.LINKS.name, schema.PAGES.name])
            counts = rank_crawl(
                root,
                crawl_id,
                exact_nodes=args.exact_nodes,
                samples=args.samples,
                pages=args.pages,
            )
            if staging is not None:
                written = [crawl_file_path(t, crawl_id) for t in RANK_TABLES]
                staging.publish(w for w in written if os.path.exists(staging.local(w)))
        print(
            f"crawl {crawl_id}: ranked {counts['host']:,} hosts, {counts['domain']:,} domains "
            f"and {counts['url']:,} pages in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
    dataset.rescan()  # the new ranks/ files
    dataset.define_views(crawls)
    sql = queries.RANKS.sql
    return _emit(
        args, dataset.con, queries.RANKS, sql, {}, f"most central domains ({_crawls_title(crawls)})"
    )


def _sql(args, dataset: Dataset, crawls: list[str]) -> int:
    if args.print_views:
        sys.stdout.write(dataset.define_views(crawls, portable=True) + queries.MACROS)
        return 0
    dataset.define_views(crawls)
    dataset.con.execute(queries.MACROS)
    from linkspider.cli import shell

    if args.query is not None:
        return shell.run_script(dataset.con, args.query, args)
    if sys.stdin.isatty():
        return shell.interactive(dataset, crawls, args)
    return shell.run_script(dataset.con, sys.stdin.read(), args)


def _crawls_title(crawls: list[str]) -> str:
    if len(crawls) == 1:
        return f"crawl {crawls[0]}"
    return f"{len(crawls)} crawls"


@contextmanager
def _staged(dataset: Dataset):
    """``(root, staging)`` to write in: the dataset's directory, or for a dataset in object
    storage a temporary staging (linkspider.storage) whose files the command publishes."""
    if not dataset.remote:
        yield dataset.root, None
        return
    from linkspider.storage import Staging

    staging = Staging(dataset.root)
    try:
        yield staging.root, staging
    finally:
        staging.close()

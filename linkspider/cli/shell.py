"""``linkspider sql``: DuckDB statements over the dataset's views, from the command line,
standard input or an interactive prompt."""

from __future__ import annotations

import argparse
import contextlib
import sys

import duckdb

from linkspider.cli import output

BANNER = """linkspider sql: DuckDB over {root} ({crawls})
views: links, outlinks, pages, crawls
macros: backlinks('example.com'), refdomains('example.com'), anchors('example.com'),
        outlinks_of('example.com')  (each takes internal := true to include internal links)
End a statement with ;   .quit (or Ctrl-D) to leave."""


def split_statements(script: str) -> list[str]:
    """Statements of a script, split on ``;`` outside quotes and comments.

    >>> split_statements("SELECT 'a;b'; -- c;\\nSELECT 2;")
    ["SELECT 'a;b'", '-- c;\\nSELECT 2']
    """
    statements, current, quote, i = [], [], None, 0
    while i < len(script):
        c = script[i]
        if quote:
            current.append(c)
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
            current.append(c)
        elif c == "-" and script.startswith("--", i):
            end = script.find("\n", i)
            end = len(script) if end < 0 else end
            current.append(script[i:end])
            i = end
            continue
        elif c == ";":
            statements.append("".join(current).strip())
            current = []
        else:
            current.append(c)
        i += 1
    statements.append("".join(current).strip())
    return [
        s
        for s in statements
        if s and not all(line.lstrip().startswith("--") for line in s.splitlines() if line.strip())
    ]


def run_script(con, script: str, args: argparse.Namespace) -> int:
    """Run every statement; the last one's rows are the answer (in ``--format``)."""
    statements = split_statements(script)
    if not statements:
        return 0
    for statement in statements[:-1]:
        con.execute(statement)
    last = statements[-1]
    fmt = output.choose_format(args.format, args.output)
    if fmt == "table":
        _print_table(con, last, 100 if args.limit is None else args.limit, args.output)
        return 0
    if args.limit:
        last = f"SELECT * FROM ({last}) LIMIT {int(args.limit)}"
    output.write(con, last, {}, fmt, args.output)
    return 0


def _print_table(con, statement: str, limit: int, path: str | None = None) -> None:
    rel = con.execute(statement)
    if rel.description is None:
        return
    columns = tuple(d[0] for d in rel.description)
    rows = rel.fetchmany(limit + 1) if limit else rel.fetchall()
    output.show(columns, rows, limit, "", path)


def interactive(dataset, crawls: list[str], args: argparse.Namespace) -> int:
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401 (line editing and history for input())
    which = f"crawl {crawls[0]}" if len(crawls) == 1 else f"{len(crawls)} crawls"
    print(BANNER.format(root=dataset.root, crawls=which))
    limit = 100 if args.limit is None else args.limit
    buffer: list[str] = []
    while True:
        try:
            line = input("linkspider> " if not buffer else "       ...> ")
        except EOFError:
            print()
            return 0
        except KeyboardInterrupt:
            print()
            buffer = []
            continue
        if not buffer and line.strip() in (".quit", ".exit", "\\q"):
            return 0
        buffer.append(line)
        text = "\n".join(buffer)
        if not text.rstrip().endswith(";"):
            continue
        buffer = []
        for statement in split_statements(text):
            try:
                _print_table(dataset.con, statement, limit)
            except duckdb.Error as exc:
                print(f"error: {str(exc).strip().splitlines()[0]}", file=sys.stderr)

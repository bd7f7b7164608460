"""Answers out: a terminal table, CSV, JSON, JSON lines or Parquet.

CSV, JSON, JSON lines and Parquet are written by DuckDB itself (``COPY``), keyed
by the dataset's column names; ``json`` is one array of objects.  Written to
``-o FILE`` (complete or not at all: a temporary name, then a rename), or to
standard output.  A terminal table (rich) shows a few columns, fitted to the
terminal's width.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from typing import IO, Any

FORMATS = ("table", "csv", "json", "jsonl", "parquet")
_COPY_OPTIONS = {
    "csv": "FORMAT csv, HEADER true",
    "json": "FORMAT json, ARRAY true",
    "jsonl": "FORMAT json",
    "parquet": "FORMAT parquet, COMPRESSION zstd",
}


class OutputError(ValueError):
    pass


_EXTENSIONS = {
    ".csv": "csv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
}


def choose_format(fmt: str | None, path: str | None) -> str:
    """``--format``, else the one ``-o FILE``'s extension names, else a table.

    >>> choose_format(None, "out.CSV"), choose_format(None, "out.txt"), choose_format("json", "x.csv")
    ('csv', 'table', 'json')
    """
    if fmt is not None:
        return fmt
    return _EXTENSIONS.get(os.path.splitext(path or "")[1].lower(), "table")


def write(con, sql: str, params: dict[str, Any], fmt: str, path: str | None) -> None:
    """Run ``sql`` and write every row in ``fmt`` to ``path`` (None: standard output)."""
    from linkspider.sql import sql_string

    if fmt == "parquet" and path is None:
        raise OutputError("--format parquet writes a file: add -o FILE")
    options = _COPY_OPTIONS[fmt]
    if path is None:
        sys.stdout.flush()
        # DuckDB writes the file itself: to a temporary one, copied out as it is
        with tempfile.TemporaryDirectory(prefix="linkspider-") as tmp:
            out = os.path.join(tmp, f"out.{fmt}")
            con.execute(f"COPY ({sql}) TO {sql_string(out)} ({options})", params)
            with open(out, "rb") as handle:
                shutil.copyfileobj(handle, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        return
    with atomic(path) as tmp:
        con.execute(f"COPY ({sql}) TO {sql_string(tmp)} ({options})", params)


@contextlib.contextmanager
def atomic(path: str) -> Iterator[str]:
    """A temporary name beside ``path``, renamed to it when the block succeeds."""
    target = os.path.abspath(path)
    directory = os.path.dirname(target)
    if not os.path.isdir(directory):
        raise OutputError(f"-o {path}: no directory {directory}")
    tmp = os.path.join(directory, f".{os.path.basename(target)}.linkspider-tmp")
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def table(
    con,
    sql: str,
    params: dict[str, Any],
    shown: tuple[str, ...],
    limit: int,
    title: str,
    path: str | None = None,
) -> None:
    """A table of the ``shown`` columns (``limit`` rows; 0: all), and how many more: on the
    terminal, or as plain text in ``path``."""
    query = f"SELECT {', '.join(shown)} FROM ({sql})"
    if limit:
        query += f" LIMIT {int(limit) + 1}"
    rel = con.execute(query, params)
    columns = tuple(d[0] for d in rel.description)
    show(columns, rel.fetchall(), limit, title, path)


def show(
    columns: tuple[str, ...], rows: list[tuple], limit: int, title: str, path: str | None
) -> None:
    """:func:`print_rows` on the terminal, or as plain text in ``path`` (whole or not at all)."""
    if path is None:
        print_rows(columns, rows, limit, title)
        return
    with atomic(path) as tmp, open(tmp, "w", encoding="utf-8") as handle:
        print_rows(columns, rows, limit, title, handle)


def print_rows(
    columns: tuple[str, ...], rows: list[tuple], limit: int, title: str, file: IO[str] | None = None
) -> None:
    """Rows as a table fitted to the terminal's width; past ``limit`` rows, a note says so."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    more = bool(limit) and len(rows) > limit
    rows = rows[:limit] if limit else rows
    width = shutil.get_terminal_size((120, 24)).columns
    console = Console(width=width, highlight=False, soft_wrap=False, file=file)
    grid = Table(title=Text(title) if title else None, title_justify="left", expand=False)
    for i, name in enumerate(columns):
        first = rows[0][i] if rows else None
        numeric = isinstance(first, int | float) and not isinstance(first, bool)
        grid.add_column(Text(name), justify="right" if numeric else "left", overflow="fold")
    for row in rows:
        grid.add_row(*(Text(_cell(v)) for v in row))  # Text: page text is not markup
    console.print(grid)
    if not rows:
        console.print("no rows")
    elif more:
        console.print(
            f"first {limit} rows; --limit 0 for all, --format csv|json|jsonl|parquet "
            "for every column"
        )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return " ".join(map(str, value))
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ", timespec="seconds")
    return str(value)

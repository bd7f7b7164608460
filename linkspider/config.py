"""linkspider's settings: the one home of their defaults, read and checked once.

Every ``LINKSPIDER_*`` setting is a field of :class:`LinkspiderConfig`, with its
default, its meaning and its check; ``LinkspiderConfig.from_settings(settings)``
reads them all from Scrapy settings (``-s NAME=VALUE``) and raises
:class:`ConfigError`, one line naming the setting, for a value that is not
right.  The README's settings table is generated from here
(``python -m linkspider.config``; a test keeps the two equal).  The extraction
limits' defaults live with the pure core (:class:`linkspider.extract.Limits`)
and the trap rules' with :class:`linkspider.traps.TrapRules`; the fields below
refer to them.

>>> config = LinkspiderConfig.from_settings({"LINKSPIDER_FLUSH_ROWS": "5000"})
>>> config.flush_rows, config.compact_memory, config.limits.max_text_length
(5000, '128MB', 512)
>>> LinkspiderConfig.from_settings({"LINKSPIDER_FLUSH_ROWS": "lots"})
Traceback (most recent call last):
...
linkspider.config.ConfigError: LINKSPIDER_FLUSH_ROWS='lots': expected a whole number >= 1
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from typing import Any

from linkspider import defaults
from linkspider.extract import DEFAULT_LIMITS, Limits
from linkspider.traps import DEFAULT_RULES, TrapRules

RENDER_MODES = ("never", "auto", "always")
PROGRESS_MODES = ("auto", "live", "log", "off")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.I)
_UNITS = {u.lower(): u for u in ("B", "KB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB")}


class ConfigError(ValueError):
    """A setting with a value linkspider cannot use."""


def _integer(minimum: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        number = int(value) if not isinstance(value, bool) else None
        if number is None or number < minimum:
            raise ValueError(f"expected a whole number >= {minimum}")
        return number

    parse.__doc__ = f"a whole number >= {minimum}"
    return parse


def _number(minimum: float, exclusive: bool = False) -> Callable[[Any], float]:
    def parse(value: Any) -> float:
        number = float(value)
        if number < minimum or (exclusive and number == minimum):
            raise ValueError(f"expected a number {'>' if exclusive else '>='} {minimum:g}")
        return number

    parse.__doc__ = f"a number {'>' if exclusive else '>='} {minimum:g}"
    return parse


def _boolean(value: Any) -> bool:
    """true or false"""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("expected true or false")


def _text(value: Any) -> str:
    """text"""
    text = str(value)
    if not text:
        raise ValueError("expected a non-empty value")
    return text


def _output(value: Any) -> str:
    """a directory, or `s3://bucket/prefix`"""
    text = _text(value)
    if text.startswith("s3://"):
        from linkspider.storage import split_url

        split_url(text)  # StorageError (a ValueError) for a URL without a bucket
    return text


def _optional_text(value: Any) -> str | None:
    """text, or unset"""
    return None if value is None or str(value) == "" else str(value)


def size(value: Any) -> str:
    """A DuckDB memory size, checked and normalized (``"512 mb"`` -> ``'512MB'``).

    >>> size("128MB"), size(" 1.5 gib ")
    ('128MB', '1.5GiB')
    >>> size("1GB'; DROP TABLE x; --")
    Traceback (most recent call last):
    ...
    ValueError: expected a size such as 512MB or 2GB (units B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)
    """
    match = _SIZE.match(str(value))
    if match is None:
        raise ValueError(
            "expected a size such as 512MB or 2GB (units B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)"
        )
    number, unit = match.groups()
    return number + _UNITS[unit.lower()]


def _pauses(value: Any) -> tuple[float, ...]:
    """seconds, comma-separated"""
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    pauses = tuple(float(item) for item in items if str(item).strip() != "")
    if any(p < 0 for p in pauses):
        raise ValueError("expected seconds >= 0, comma-separated")
    return pauses


def _render_mode(value: Any) -> str:
    """never, auto or always"""
    if value not in RENDER_MODES:
        raise ValueError(f"expected one of {', '.join(RENDER_MODES)}")
    return value


def _progress_mode(value: Any) -> str:
    """auto, live, log or off"""
    text = str(value).strip().lower()
    if text in PROGRESS_MODES:
        return text
    try:  # -s LINKSPIDER_PROGRESS=false (or 0, no): off; true: auto
        return "auto" if _boolean(value) else "off"
    except ValueError:
        raise ValueError(f"expected one of {', '.join(PROGRESS_MODES)}") from None


def setting(default: Any, parse: Callable[[Any], Any], doc: str, shown: str | None = None):
    """A field of :class:`LinkspiderConfig`: its default, check and README line."""
    return field(default=default, metadata={"parse": parse, "doc": doc, "shown": shown})


@dataclass(frozen=True)
class LinkspiderConfig:
    """Every ``LINKSPIDER_*`` setting; the field ``x_y`` is the setting ``LINKSPIDER_X_Y``."""

    output: str = setting(
        "data",
        _output,
        "Dataset root: `links/` and `pages/` are created below it; `s3://bucket/prefix` writes to object storage (see Object storage).",
    )
    flush_rows: int = setting(
        100_000, _integer(1), "Buffered edges that trigger a write of `links/` files."
    )
    flush_bytes: int = setting(
        64 * 1024 * 1024,
        _integer(1),
        "Buffered Arrow bytes that trigger a write, whichever comes first.",
    )
    flush_page_rows: int = setting(
        50_000, _integer(1), "Buffered page rows that trigger a write of a `pages/` file."
    )
    row_group_size: int = setting(
        32_768,
        _integer(1),
        "Parquet row group size (rows): the unit DuckDB skips by min/max statistics.",
    )
    source_index: bool = setting(
        True,
        _boolean,
        "Write every edge a second time to `outlinks/`, partitioned and sorted by source, so lookups by source page, host or domain (`linkspider outlinks`) read one partition instead of every file. Costs about the disk space of `links/` again and 8 to 12% of a crawl's time (see Output layout).",
    )
    compact_on_close: bool = setting(
        True,
        _boolean,
        "Merge the crawl's files into one sorted file per bucket (a few for a bucket over `LINKSPIDER_COMPACT_MAX_ROWS`) when it finishes.",
    )
    compact_memory: str = setting(
        "128MB",
        size,
        "DuckDB memory limit for that merge (it spills to disk beyond). A merge that runs out of memory is retried as two merges of half the files each; files that cannot be merged at all stay as they are (complete and valid), the crawl logs an error, and `python -m linkspider.pipelines.compact ROOT CRAWL_ID --memory 1GB` merges them later.",
    )
    compact_max_rows: int = setting(
        4_000_000,
        _integer(1),
        "A bucket with more rows than this is merged into several sorted files of about this many rows (each domain's rows are then in one or two row groups of each file).",
    )
    rank_on_close: bool = setting(
        True,
        _boolean,
        "Compute the crawl's authority (`ranks/`, `page_ranks/`: what `linkspider rank` writes) when it finishes, after the compaction.",
    )
    history_on_close: bool = setting(
        True,
        _boolean,
        "Apply the crawl to `history/` (first and last seen, lost links; see History) when it finishes, after the ranks. Its cost follows the size of the history and of the crawl, not the number of crawls kept; `linkspider history --update` does it later.",
    )
    rank_pages: bool = setting(
        True,
        _boolean,
        "Rank pages too (`page_ranks/`: PageRank over the graph of URLs). A crawl has far more URLs than hosts: this is most of the ranking's time and memory (see bench/rank.py); off, only `ranks/` is written.",
    )
    rank_exact_nodes: int = setting(
        defaults.RANK_EXACT_NODES,
        _integer(0),
        "Harmonic centrality is exact for a level (hosts, domains) with at most this many nodes (its cost grows with nodes times arcs); above it, it is estimated from `LINKSPIDER_RANK_SAMPLES` sampled sources.",
    )
    rank_samples: int = setting(
        defaults.RANK_SAMPLES,
        _integer(1),
        "Sources sampled to estimate harmonic centrality above `LINKSPIDER_RANK_EXACT_NODES` nodes (see Authority for the measured error).",
    )
    max_text_length: int = setting(
        DEFAULT_LIMITS.max_text_length,
        _integer(1),
        "Anchor text, `img_alt` and `title` are cut to this many characters (after whitespace collapsing).",
    )
    max_edges_per_page: int = setting(
        DEFAULT_LIMITS.max_edges,
        _integer(0),
        "Edges recorded per page; the rest are counted in `pages.edges_dropped` and the `linkspider/edges_dropped` stat.",
    )
    max_edge_url_length: int = setting(
        DEFAULT_LIMITS.max_url_length,
        _integer(1),
        "Longer target URLs are not recorded (counted in `edges_dropped`).",
    )
    max_nesting_depth: int = setting(
        DEFAULT_LIMITS.max_nesting_depth,
        _integer(1),
        "Start tags that would open an element deeper than this are left out before parsing (links and head elements kept): deep nesting costs a parser time per element. Real pages stay far below it (the deepest of the 65 test pages: 34).",
    )
    max_attributes: int = setting(
        DEFAULT_LIMITS.max_attributes,
        _integer(1),
        "An element's attributes past this many are left out before parsing (those the extraction reads kept); a page's <html> tags count as one element, as do its <body> tags.",
    )
    max_active_formatting: int = setting(
        DEFAULT_LIMITS.max_active_formatting,
        _integer(1),
        "Formatting start tags (`<b>`, `<font>`, `<code>`...) past this many not closed by their end tags (since the last table cell, `<object>`...) are left out before parsing: a parser opens every such element again in each new paragraph, so 200 of them made a 400 KB page of short paragraphs take 12 s and 4.6 GB to parse. Three alike count once, as in the parser; real pages stay below it (the most of the 197 labelled pages: 4).",
    )
    max_select_options: int = setting(
        DEFAULT_LIMITS.max_select_options,
        _integer(1),
        "Options of one `<select>` past this many are left out before parsing (their text kept): a parser's work for each option grows with the options before it, and a select of 60,000 options took 24 s. The longest select of the 197 labelled pages has 246 options.",
    )
    max_distinct_names: int = setting(
        DEFAULT_LIMITS.max_distinct_names,
        _integer(1),
        "Once a page has used this many distinct tag names, or attribute names, start tags (with their end tags) and attributes of new names are left out before parsing (links, and the attributes the extraction reads, kept): a parser keeps each new name in a table whose lookups slow as it grows (80,000 distinct custom tag names took 0.9 s, and a page can hold a million). Names are counted once a page has read five times this many tags, or attributes, so that most pages pay nothing for it. The most of the 197 labelled pages: 72 tag names, 177 attribute names.",
    )
    topic_bytes: int = setting(
        DEFAULT_LIMITS.topic_bytes,
        _integer(0),
        "Bytes of a page's main-content text its topic signature reads (`pages.topic_terms`; see Relevance). Tokenizing is most of the signature's cost (about a fifth of the extraction's time at the default on article pages; half as much at 6000, with less separation); 0: no signatures (relevance is then NULL).",
    )
    trap_max_segment_repeats: int = setting(
        DEFAULT_RULES.max_segment_repeats,
        _integer(1),
        "A path segment may occur at most this often in a URL that is followed.",
    )
    trap_max_path_segments: int = setting(
        DEFAULT_RULES.max_path_segments, _integer(1), "Paths with more segments are not followed."
    )
    trap_max_url_length: int = setting(
        DEFAULT_RULES.max_url_length,
        _integer(1),
        "Longer URLs are not followed (they are still recorded as edges).",
    )
    trap_max_query_variants: int = setting(
        DEFAULT_RULES.max_query_variants,
        _integer(1),
        "Distinct query strings followed per host and path.",
    )
    max_redirects: int = setting(20, _integer(0), "Redirect hops followed from one request.")
    allow_private_addresses: bool = setting(
        False, _boolean, "Allow loopback, private, link-local and metadata targets (see No SSRF)."
    )
    redis_url: str | None = setting(
        None,
        _optional_text,
        "`redis://host:port/db`: run the crawl shared by every process started with the same command, `crawl_id` and this setting (see Scale-out): one frontier in that Redis, requests leased to workers, the end detected and finished once.",
        "unset",
    )
    redis_lease: float = setting(
        120.0,
        _number(0, exclusive=True),
        "Seconds after a shared crawl's worker last showed it was alive (it does so every quarter of this) before any other worker puts the requests it had taken back in the queue.",
        "`120`",
    )
    worker_id: str | None = setting(
        None,
        _optional_text,
        "This process's name in a shared crawl (letters, digits, `.`, `_`, `-`); it is in its part files' names.",
        "host-pid",
    )
    staging: str | None = setting(
        None,
        _optional_text,
        "With `LINKSPIDER_OUTPUT=s3://...`: the local directory the crawl writes its files in before it uploads them (see Object storage).",
        "`JOBDIR/staging` with `JOBDIR`, else a temporary directory removed at the end",
    )
    progress: str = setting(
        "auto",
        _progress_mode,
        "Crawl progress (pages, pages/s, edges, domains, queue, errors, renders, elapsed; the `linkspider/` stats of Crawl statistics): `auto` shows it on one line refreshed in place when standard error is a terminal, and logs it every `LINKSPIDER_PROGRESS_INTERVAL` seconds otherwise; `live` or `log` forces one; `off` shows nothing (the stats are still kept).",
    )
    progress_interval: float = setting(
        30.0,
        _number(0, exclusive=True),
        "Seconds between two progress log lines (when progress is logged rather than live).",
        "`30`",
    )
    stats_file: str | None = setting(
        None, _optional_text, "If set, the final crawl stats are written there as JSON.", "unset"
    )
    write_retry_pauses: tuple[float, ...] = setting(
        (1.0, 4.0, 10.0),
        _pauses,
        "Seconds to wait before each retry of a write that failed (a full disk, a read-only directory); after the last, the crawl stops and `scrapy crawl` exits 1 (see Reliability).",
        "`1,4,10`",
    )
    extract_workers: int = setting(
        2,
        _integer(0),
        "Worker processes that parse pages beside the crawl (`0`: in the crawl's own process, without the limits below).",
    )
    extract_timeout: float = setting(
        20.0,
        _number(0, exclusive=True),
        "Seconds one page's extraction may take; past it the worker is replaced and the page gets a row `extraction took longer than 20 s`.",
        "`20`",
    )
    extract_memory: int = setting(
        2048,
        _integer(0),
        "MB of address space a worker may use (`0`: no limit); past it the page gets a row `extraction ran out of memory (2048 MB)`.",
    )
    disk_frontier: bool = setting(
        True,
        _boolean,
        "Keep the queue of URLs waiting to be fetched on disk (pickled, Scrapy's FIFO disk queues), so memory does not grow with it.",
    )
    frontier_dir: str | None = setting(
        None,
        _optional_text,
        "Where that queue lives without `JOBDIR` (with `JOBDIR`: `JOBDIR/frontier-queue`); deleted at the end of the run.",
        "system temp",
    )
    render: str = setting(
        "auto",
        _render_mode,
        "The default of `-a render` (which sets it): `never`, `auto` or `always` (see Rendering).",
    )
    browser: str | None = setting(
        None,
        _optional_text,
        "Path or name of the Chromium to drive; default: `chromium`, `chromium-browser`, `google-chrome`, `google-chrome-stable` on `PATH`, then a `playwright install` Chromium. Never downloaded.",
        "detect",
    )
    render_timeout: float = setting(
        20.0,
        _number(0, exclusive=True),
        "Seconds a rendered navigation may take (to the `load` event).",
        "`20`",
    )
    render_budget_per_domain: int = setting(
        200,
        _integer(0),
        "Renders per registered domain with `render=auto`; beyond it the plain result is kept (stat `render/budget_exhausted`).",
    )
    render_max_contexts: int = setting(2, _integer(1), "Browser contexts open at once.")
    render_pages_per_context: int = setting(4, _integer(1), "Pages open at once per context.")
    render_context_recycle: int = setting(
        50,
        _integer(1),
        "A browser context is closed and replaced after this many renders (memory stays flat).",
    )

    @classmethod
    def from_settings(cls, settings: Mapping | Any) -> LinkspiderConfig:
        """Read and check every ``LINKSPIDER_*`` setting (unset ones take their default)."""
        values = {}
        for f in fields(cls):
            name = setting_name(f.name)
            raw = settings.get(name)
            if raw is None:
                continue
            try:
                values[f.name] = f.metadata["parse"](raw)
            except (TypeError, ValueError) as exc:
                message = (
                    str(exc)
                    if str(exc).startswith("expected")
                    else f"expected {f.metadata['parse'].__doc__}"
                )
                raise ConfigError(f"{name}={raw!r}: {message}") from None
        return cls(**values)

    def as_settings(self) -> dict[str, Any]:
        """Every setting by its name, with the value in effect.

        >>> LinkspiderConfig().as_settings()["LINKSPIDER_FLUSH_ROWS"]
        100000
        """
        return {setting_name(f.name): getattr(self, f.name) for f in fields(self)}

    @property
    def limits(self) -> Limits:
        """The extraction core's limits."""
        return Limits(
            max_text_length=self.max_text_length,
            max_edges=self.max_edges_per_page,
            max_url_length=self.max_edge_url_length,
            max_nesting_depth=self.max_nesting_depth,
            max_attributes=self.max_attributes,
            max_active_formatting=self.max_active_formatting,
            max_select_options=self.max_select_options,
            max_distinct_names=self.max_distinct_names,
            topic_bytes=self.topic_bytes,
        )

    @property
    def trap_rules(self) -> TrapRules:
        return TrapRules(
            max_segment_repeats=self.trap_max_segment_repeats,
            max_path_segments=self.trap_max_path_segments,
            max_url_length=self.trap_max_url_length,
            max_query_variants=self.trap_max_query_variants,
        )


#: The defaults, for code that runs without Scrapy settings (the writer, the compaction CLI).
DEFAULTS: LinkspiderConfig


def setting_name(field_name: str) -> str:
    """``flush_rows`` -> ``LINKSPIDER_FLUSH_ROWS``."""
    return f"LINKSPIDER_{field_name.upper()}"


DEFAULTS = LinkspiderConfig()


def settings_table() -> str:
    """The README's table of settings."""
    lines = ["| setting | default | meaning |", "|---|---|---|"]
    for f in fields(LinkspiderConfig):
        shown = f.metadata["shown"]
        if shown is None:
            shown = f"`{f.default if f.default is not MISSING else None}`"
        lines.append(f"| `{setting_name(f.name)}` | {shown} | {f.metadata['doc']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(settings_table() + "\n")

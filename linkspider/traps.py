"""Crawler-trap rules in the spirit of Heritrix's decide rules.

>>> trap_reason("http://a.test/cal/2024/01/")
>>> trap_reason("http://a.test/a/b/a/b/a/x")
'repeated_segment'
>>> trap_reason("http://a.test/" + "x/" * 5)
'repeated_segment'
>>> trap_reason("http://a.test/" + "/".join(str(i) for i in range(30)))
'too_many_segments'
>>> trap_reason("http://a.test/?" + "q" * 3000)
'url_too_long'
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TrapRules:
    #: A path segment may occur at most this many times in one path.
    max_segment_repeats: int = 2
    #: Paths with more segments than this are not followed.
    max_path_segments: int = 20
    #: URLs longer than this are not followed.
    max_url_length: int = 2048


DEFAULT_RULES = TrapRules()


def trap_reason(url: str, rules: TrapRules = DEFAULT_RULES) -> str | None:
    """Why ``url`` looks like a trap (a stats-friendly name), or ``None``."""
    if len(url) > rules.max_url_length:
        return "url_too_long"
    start = url.find("//")
    start = url.find("/", start + 2) if start != -1 else -1
    if start == -1:
        return None
    end = len(url)
    for stop in ("?", "#"):
        pos = url.find(stop, start)
        if pos != -1:
            end = min(end, pos)
    segments = [s for s in url[start + 1 : end].split("/") if s]
    if len(segments) > rules.max_path_segments:
        return "too_many_segments"
    counts: dict[str, int] = {}
    for segment in segments:
        counts[segment] = counts.get(segment, 0) + 1
        if counts[segment] > rules.max_segment_repeats:
            return "repeated_segment"
    return None

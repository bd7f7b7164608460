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
>>> trap_reason("http://a.test/calendar?year=2391&month=4"), trap_reason("http://a.test/2024/05/post")
('calendar', None)
>>> strip_session_ids("http://a.test/p;jsessionid=0AB12?x=1&PHPSESSID=deadbeef&sid=9")
'http://a.test/p?x=1'
>>> strip_session_ids("http://a.test/q?"), strip_session_ids("http://a.test/q?a&&b")
('http://a.test/q?', 'http://a.test/q?a&&b')
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class TrapRules:
    #: A path segment may occur at most this many times in one path.
    max_segment_repeats: int = 2
    #: Paths with more segments than this are not followed.
    max_path_segments: int = 20
    #: URLs longer than this are not followed.
    max_url_length: int = 2048
    #: Distinct query strings followed per host and path (endless query variations).
    max_query_variants: int = 1000
    #: Date-shaped URLs (``2031/05``, ``year=2031``) outside this window of years around
    #: today are calendar pages generated without end.
    calendar_years_back: int = 30
    calendar_years_ahead: int = 2
    this_year: int = field(default_factory=lambda: time.gmtime().tm_year)


_DATE_IN_URL = re.compile(
    r"(?:(?<![0-9])(?P<y1>1[89][0-9]{2}|2[0-9]{3})[-/_.](?:0?[1-9]|1[0-2])(?![0-9]))"
    r"|(?:[?&;](?:year|yr|y|date|month|cal|day)=(?P<y2>1[89][0-9]{2}|2[0-9]{3}))",
    re.I,
)
_SESSION_PARAMS = frozenset(
    [
        "jsessionid",
        "phpsessid",
        "sid",
        "sessionid",
        "session_id",
        "session",
        "aspsessionid",
        "cfid",
        "cftoken",
        "zenid",
        "oscsid",
        "sess_id",
    ]
)
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sid|sessionid)=[^/?#]*", re.I)


def strip_session_ids(url: str) -> str:
    """``url`` without session identifiers (``;jsessionid=``, ``PHPSESSID=``, ``sid=``...).

    The crawl fetches and de-duplicates by this form, so the same page behind
    ever-new session ids is fetched once.  Edges keep the URL as linked.
    """
    if ";" in url:
        url = _PATH_SESSION.sub("", url)
    q = url.find("?")
    if q == -1:
        return url
    end = url.find("#", q)
    query = url[q + 1 : end if end != -1 else len(url)]
    parts = query.split("&")
    kept = [part for part in parts if part.split("=", 1)[0].lower() not in _SESSION_PARAMS]
    if len(kept) == len(parts):
        return url  # nothing to strip: the URL as it was (an empty query, "&&", stay)
    kept = [part for part in kept if part]
    rebuilt = url[:q] + ("?" + "&".join(kept) if kept else "")
    return rebuilt + (url[end:] if end != -1 else "")


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
    for match in _DATE_IN_URL.finditer(url, start):
        year = int(match["y1"] or match["y2"])
        if not (
            rules.this_year - rules.calendar_years_back
            <= year
            <= rules.this_year + rules.calendar_years_ahead
        ):
            return "calendar"
    return None


def path_key(url: str) -> str:
    """``scheme://host/path`` of a URL: what query variations are counted under.

    >>> path_key("http://a.test/cal?d=1#x")
    'http://a.test/cal'
    """
    for stop in ("?", "#"):
        pos = url.find(stop)
        if pos != -1:
            url = url[:pos]
    return url

"""What a backlink is worth: its factors and ``link_value``, computed in DuckDB.

Every factor is a column in [0, 1] (or a class), so that a user can re-weigh
them in SQL; ``link_value`` combines them with the weights of :class:`Weights`:

    link_value = credit * sitewide_factor
                 * (authority_w * authority + relevance_w * relevance
                    + anchor_w * anchor_score + position_w * position_score)
                 / (authority_w + relevance_w + anchor_w + position_w)

* ``authority``: the linking domain's percentile of harmonic centrality in the
  crawl's ``ranks/`` (1.0: the most central domain; NULL before ``linkspider rank``);
* ``relevance``: the cosine of the topic signatures (:mod:`linkspider.topics`) of the
  source page and the target page, or the target host's pages taken together when
  the target page was not crawled (NULL without signatures);
* ``anchor_class`` and its score: ``exact``, ``partial``, ``brand``, ``url``,
  ``generic``, ``image``, ``empty``, ``other`` (see :data:`ANCHOR_SQL`);
* ``position_score``: the region's weight, trusted as far as ``region_score`` says,
  and a link early on its page counts up to a quarter more than the last one;
* ``credit``: 1 for a dofollow link, ``nofollow`` (weight) for the others;
* ``sitewide``: the same link (source host, target URL) on at least
  ``sitewide_share`` of the host's parsed pages and at least ``sitewide_min_pages``;
  such a link is multiplied by ``sitewide`` (weight).

A missing factor (NULL) counts as 0.5 in ``link_value``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace

from linkspider.sql import sql_list, sql_string
from linkspider.topics import STOP_WORDS

#: what a link in each region is worth (``meta``: a redirect, canonical or refresh, region_score 1.0,
#: worth what a link in the body of a page is)
REGION_WEIGHTS = {
    "main": 1.0,
    "body": 0.6,
    "meta": 0.6,
    "aside": 0.4,
    "comment": 0.3,
    "header": 0.3,
    "nav": 0.2,
    "footer": 0.1,
}

#: anchors that say nothing of the target ("click here"), compared lowercase, trimmed
GENERIC_ANCHORS = (
    "click here", "here", "click", "this", "link", "this link", "read more", "more",
    "learn more", "continue reading", "continue", "see more", "find out more", "details",
    "more info", "more information", "website", "this website", "this site", "site",
    "visit", "visit site", "visit website", "source", "via", "homepage", "home page",
    "official site", "go", "download", "view", "article", "this article", "page",
    "hier", "mehr", "weiterlesen", "ici", "cliquez ici", "en savoir plus", "lire la suite",
    "aquí", "leer más", "más", "qui", "leggi tutto", "здесь", "тут", "подробнее", "далее",
)  # fmt: skip


class WeightError(ValueError):
    """A weight given on the command line or in ``$LINKSPIDER_VALUE_WEIGHTS`` is wrong."""


@dataclass(frozen=True)
class Weights:
    """The link value formula's weights (``linkspider backlinks --weight NAME=W``)."""

    authority: float = 0.4
    relevance: float = 0.25
    anchor: float = 0.1
    position: float = 0.25
    #: multiplies the value of a link that is not dofollow (nofollow, sponsored, ugc)
    nofollow: float = 0.1
    #: multiplies the value of a sitewide link
    sitewide: float = 0.2
    sitewide_share: float = 0.3
    sitewide_min_pages: float = 5
    exact: float = 1.0
    partial: float = 0.9
    brand: float = 0.8
    url: float = 0.6
    other: float = 0.6
    image: float = 0.6
    generic: float = 0.3
    empty: float = 0.2

    @classmethod
    def parse(cls, items: list[str] | None, env: str | None = None) -> Weights:
        """Weights from ``NAME=W`` items (``$LINKSPIDER_VALUE_WEIGHTS``: comma-separated)
        over the defaults.

        >>> Weights.parse(["authority=0.5"], "relevance=0").relevance, Weights.parse(["authority=0.5"]).authority
        (0.0, 0.5)
        """
        env = os.environ.get("LINKSPIDER_VALUE_WEIGHTS", "") if env is None else env
        names = {f.name for f in fields(cls)}
        values = {}
        for item in [i for i in env.split(",") if i.strip()] + list(items or []):
            name, _, text = item.partition("=")
            name = name.strip()
            if name not in names:
                raise WeightError(f"unknown weight {name!r} (one of {', '.join(sorted(names))})")
            try:
                value = float(text)
            except ValueError:
                raise WeightError(f"weight {name} must be a number, not {text.strip()!r}") from None
            if not value >= 0:
                raise WeightError(f"weight {name} must be >= 0")
            values[name] = value
        weights = replace(cls(), **values)
        if weights.authority + weights.relevance + weights.anchor + weights.position <= 0:
            raise WeightError("the four factor weights cannot all be 0")
        return weights


def _words(expr: str) -> str:
    """SQL: the distinct lowercase words (letters and digits, 2+ characters, not stop
    words) of a text expression, sorted."""
    return (
        f"list_sort(list_distinct(list_filter(regexp_split_to_array(lower({expr}), '[^[:alnum:]]+'), "
        f"lambda w: length(w) > 1 AND NOT list_contains(linkspider_stop_words(), w))))"
    )


#: The anchor class of an edge, from its anchor and target (a SQL expression over the
#: ``links`` columns).  In order: image and area links are ``image``; no text
#: ``empty``; a URL or the target's host as text ``url``; a generic phrase
#: ``generic``; the target's brand (its registered domain's first label, 3+
#: characters) in the text ``brand``; the words of the target URL's last path
#: segment (its slug) exactly ``exact``; sharing one of them ``partial``; else ``other``.
ANCHOR_SQL = f"""CASE
    WHEN link_type IN ('image', 'area') THEN 'image'
    WHEN trim(anchor_text) = '' THEN 'empty'
    WHEN regexp_matches(lower(anchor_text), '^\\s*(https?://|www\\.)')
         OR contains(lower(anchor_text), target_domain) THEN 'url'
    WHEN trim(lower(anchor_text), ' .,:;!?»›→…-') IN (SELECT unnest(linkspider_generic_anchors())) THEN 'generic'
    WHEN length(split_part(target_domain, '.', 1)) >= 3
         AND contains(regexp_replace(lower(anchor_text), '[^[:alnum:]]', '', 'g'),
                      replace(split_part(target_domain, '.', 1), '-', '')) THEN 'brand'
    WHEN len({_words("regexp_extract(target_url, '[^/]*/?$')")}) > 0
         AND {_words("anchor_text")} = {_words("regexp_extract(target_url, '[^/]*/?$')")} THEN 'exact'
    WHEN len(list_intersect({_words("anchor_text")}, {_words("regexp_extract(target_url, '[^/]*/?$')")})) > 0 THEN 'partial'
    ELSE 'other'
END"""  # noqa: RUF001

#: The macros the value SQL uses, one statement each (``linkspider sql`` has them too).
MACROS = (
    f"CREATE OR REPLACE MACRO linkspider_stop_words() AS {sql_list(sorted(STOP_WORDS))}",
    f"CREATE OR REPLACE MACRO linkspider_generic_anchors() AS {sql_list(GENERIC_ANCHORS)}",
    "CREATE OR REPLACE MACRO linkspider_region_weight(region) AS CASE region "
    + " ".join(f"WHEN {sql_string(r)} THEN {w}" for r, w in REGION_WEIGHTS.items())
    + " ELSE 0.5 END",
)


#: Each domain's ``authority`` in each crawl: its percentile of harmonic centrality
#: (``ranks/``), 1.0 for the most central.
AUTHORITY_SQL = """SELECT crawl_id, node AS domain, harmonic_rank,
       1.0 - (harmonic_rank - 1) / count(*) OVER (PARTITION BY crawl_id) AS authority
FROM ranks WHERE level = 'domain'"""


def value_sql(edges: str, weights: Weights) -> str:
    """A query over ``edges`` (a SELECT of ``links`` rows: every backlink of the target,
    before the command's filters, so that sitewide counts see them all) that adds the
    factors and ``link_value``.  Reads the ``pages`` and ``ranks`` views."""
    w = weights
    total = w.authority + w.relevance + w.anchor + w.position
    anchor_score = (
        "CASE anchor_class "
        + " ".join(
            f"WHEN '{name}' THEN {getattr(w, name)}"
            for name in ("exact", "partial", "brand", "url", "other", "image", "generic", "empty")
        )
        + " END"
    )
    return f"""WITH edges AS ({edges}),
classed AS (SELECT *, {ANCHOR_SQL} AS anchor_class FROM edges),
page AS (
    SELECT crawl_id, url, host, topic_terms, topic_weights, outlink_count, error
    FROM pages
    WHERE url IN (SELECT source_url FROM edges UNION SELECT target_url FROM edges)
    QUALIFY row_number() OVER (PARTITION BY crawl_id, url ORDER BY error IS NULL DESC, rendered DESC) = 1
),
host_pages AS (
    SELECT crawl_id, host, count(*) AS pages FROM pages
    WHERE error IS NULL AND host IN (SELECT source_host FROM edges)
    GROUP BY ALL
),
host_terms AS (
    SELECT crawl_id, host, term, sum(weight) AS weight
    FROM (SELECT crawl_id, host, unnest(topic_terms) AS term, unnest(topic_weights) AS weight
          FROM pages WHERE error IS NULL AND host IN (SELECT target_host FROM edges))
    GROUP BY ALL
),
host_topic AS (
    SELECT crawl_id, host, list(term ORDER BY weight DESC, term)[1:32] AS terms,
           list(weight ORDER BY weight DESC, term)[1:32] AS weights
    FROM host_terms GROUP BY ALL
),
host_signature AS (
    SELECT crawl_id, host, terms,
           list_transform(weights, lambda x: x / sqrt(list_sum(list_transform(weights, lambda y: y * y)))) AS weights
    FROM host_topic
),
sitewide AS (
    SELECT crawl_id, source_host, target_url, count(DISTINCT source_url) AS sitewide_pages
    FROM edges GROUP BY ALL
),
authority AS ({AUTHORITY_SQL}),
factors AS (
    SELECT e.*,
           a.authority,
           CASE WHEN len(s.topic_terms) = 0 THEN NULL
                WHEN len(t.topic_terms) > 0
                     THEN topic_similarity(s.topic_terms, s.topic_weights, t.topic_terms, t.topic_weights)
                WHEN len(h.terms) > 0
                     THEN topic_similarity(s.topic_terms, s.topic_weights, h.terms, h.weights)
           END AS relevance,
           (linkspider_region_weight(e.region) * e.region_score + 0.5 * (1 - e.region_score))
             * (1 - 0.25 * coalesce(e.position / greatest(s.outlink_count - 1, 1), 0.5)) AS position_score,
           sw.sitewide_pages >= {w.sitewide_min_pages}
             AND sw.sitewide_pages >= {w.sitewide_share} * coalesce(hp.pages, 0) AS sitewide,
           sw.sitewide_pages
    FROM classed e
    LEFT JOIN page s ON s.crawl_id = e.crawl_id AND s.url = e.source_url
    LEFT JOIN page t ON t.crawl_id = e.crawl_id AND t.url = e.target_url AND t.error IS NULL
    LEFT JOIN host_signature h ON h.crawl_id = e.crawl_id AND h.host = e.target_host
    LEFT JOIN host_pages hp ON hp.crawl_id = e.crawl_id AND hp.host = e.source_host
    LEFT JOIN sitewide sw ON sw.crawl_id = e.crawl_id AND sw.source_host = e.source_host
                         AND sw.target_url = e.target_url
    LEFT JOIN authority a ON a.crawl_id = e.crawl_id AND a.domain = e.source_domain
)
SELECT * REPLACE (round(authority, 4) AS authority, round(relevance, 4) AS relevance,
                  round(position_score, 4) AS position_score),
       round((CASE WHEN dofollow THEN 1.0 ELSE {w.nofollow} END)
             * (CASE WHEN sitewide THEN {w.sitewide} ELSE 1.0 END)
             * ({w.authority} * coalesce(authority, 0.5) + {w.relevance} * coalesce(relevance, 0.5)
                + {w.anchor} * ({anchor_score}) + {w.position} * position_score) / {total}, 4) AS link_value
FROM factors"""

"""Arrow schemas of the ``links`` and ``pages`` tables (the data dictionary is in the README)."""

from __future__ import annotations

import pyarrow as pa

TIMESTAMP = pa.timestamp("us", tz="UTC")

LINKS = pa.schema(
    [
        ("crawl_id", pa.string()),
        ("source_url", pa.string()),
        ("source_host", pa.string()),
        ("source_domain", pa.string()),
        ("target_url", pa.string()),
        ("target_fragment", pa.string()),
        ("target_host", pa.string()),
        ("target_domain", pa.string()),
        ("anchor_text", pa.string()),
        ("img_alt", pa.string()),
        ("title", pa.string()),
        ("rel", pa.list_(pa.string())),
        ("nofollow", pa.bool_()),
        ("region", pa.string()),
        ("link_type", pa.string()),
        ("position", pa.int32()),
        ("is_external", pa.bool_()),
        ("fetched_at", TIMESTAMP),
        ("source_depth", pa.int16()),
        ("region_score", pa.float32()),
        ("link_density", pa.float32()),
        ("rendered", pa.bool_()),
    ]
)

PAGES = pa.schema(
    [
        ("crawl_id", pa.string()),
        ("url", pa.string()),
        ("host", pa.string()),
        ("domain", pa.string()),
        ("status", pa.int16()),
        ("content_type", pa.string()),
        ("encoding", pa.string()),
        ("fetched_at", TIMESTAMP),
        ("depth", pa.int16()),
        ("title", pa.string()),
        ("canonical_url", pa.string()),
        ("lang", pa.string()),
        ("meta_robots", pa.string()),
        ("x_robots_tag", pa.string()),
        ("outlink_count", pa.int32()),
        ("edges_dropped", pa.int32()),
        ("bytes", pa.int64()),
        ("error", pa.string()),
        ("rendered", pa.bool_()),
        ("render_error", pa.string()),
    ]
)

#: Columns of ``Edge`` tuples, in order, as they map to ``LINKS`` columns.
EDGE_COLUMNS = (
    "target_url",
    "target_fragment",
    "target_host",
    "target_domain",
    "anchor_text",
    "img_alt",
    "title",
    "rel",
    "nofollow",
    "region",
    "link_type",
    "position",
    "is_external",
    "region_score",
    "link_density",
)

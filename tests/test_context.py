"""One crawl's context: which crawl id a run may write as."""

from __future__ import annotations

import pytest
from linkspider.pipelines import crawls
from scrapy.utils.test import get_crawler

from linkspider.context import CrawlContext, crawl_id_conflict
from linkspider.frontier import Frontier
from linkspider.state import CrawlState


def record(root, crawl_id: str) -> None:
    crawls.started(
        str(root), crawl_id, seeds=[], scope="site", spider_arguments={}, settings={},
        outlinks=True,
    )  # fmt: skip


def test_an_id_in_the_dataset_is_refused_unless_its_jobdir_resumes(tmp_path):
    out, jobdir = tmp_path / "data", tmp_path / "job"
    assert crawl_id_conflict(str(out), "c1", None) is None  # nothing there yet
    record(out, "c1")
    problem = crawl_id_conflict(str(out), "c1", None)
    assert problem and "'c1'" in problem and "already holds" in problem
    assert crawl_id_conflict(str(out), "c2", None) is None

    jobdir.mkdir()
    state = CrawlState(str(jobdir))
    state.start("c1", ["a.test"], [])
    state.close()
    assert crawl_id_conflict(str(out), "c1", str(jobdir)) is None  # the resume of c1
    assert crawl_id_conflict(str(out), None, str(jobdir)) is None
    other = crawl_id_conflict(str(out), "c2", str(jobdir))
    assert other and "holds crawl 'c1'" in other


def test_part_files_alone_count_as_a_crawl(tmp_path):
    part = tmp_path / "pages" / "part-old-00001-0123abcd.parquet"
    part.parent.mkdir()
    part.write_bytes(b"")
    assert crawl_id_conflict(str(tmp_path), "old", None)


def open_context(out, crawl_id: str, given: bool) -> CrawlContext:
    crawler = get_crawler(settings_dict={"LINKSPIDER_OUTPUT": str(out)})
    context = CrawlContext(crawler)
    frontier = Frontier(scope="site", allowed_domains={"a.test"}, max_pages_per_domain=10)
    context.open(crawl_id, given, frontier, [])
    return context


def test_a_taken_default_id_gets_a_suffix_and_a_given_one_an_error(tmp_path):
    record(tmp_path, "20261126T100000Z")
    record(tmp_path, "20261126T100000Z-2")
    assert open_context(tmp_path, "20261126T100000Z", False).crawl_id == "20261126T100000Z-3"
    with pytest.raises(ValueError, match="already holds"):
        open_context(tmp_path, "20261126T100000Z", True)
    assert open_context(tmp_path, "fresh", True).crawl_id == "fresh"

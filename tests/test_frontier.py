"""The frontier: each URL once, in scope, past the traps, within the caps."""

from __future__ import annotations

import pytest

from linkspider.frontier import Frontier
from linkspider.traps import TrapRules


def test_each_url_once_under_the_url_without_session_ids():
    f = Frontier("site", {"a.test"}, 100)
    assert f.admit("http://a.test/p?x=1&sid=9", "a.test") == ("http://a.test/p?x=1", None)
    assert f.admit("http://a.test/p?x=1&PHPSESSID=8", "a.test") == (None, "seen")
    assert f.known == {"http://a.test/p?x=1"}


def test_traps_query_variants_and_the_domain_cap():
    f = Frontier("web", set(), 3, TrapRules(max_query_variants=2))
    assert f.admit("http://a.test/l?page=1", "a.test")[0] is not None
    assert f.admit("http://a.test/l?page=2", "a.test")[0] is not None
    assert f.admit("http://a.test/l?page=3", "a.test") == (None, "trap/query_variants")
    assert f.admit("http://a.test/cal?year=2391", "a.test") == (None, "trap/calendar")
    assert f.admit("http://a.test/x", "a.test")[0] is not None
    assert f.admit("http://a.test/y", "a.test") == (None, "skipped/domain_page_cap")
    assert f.admit("http://b.test/y", "b.test")[0] is not None  # another registered domain


def test_scope_a_seed_that_moved_and_resume():
    f = Frontier("site", {"a.test"}, 10)
    assert (f.in_scope("a.test"), f.in_scope("b.test")) == (True, False)
    f.add_domain("b.test")
    assert f.in_scope("b.test")
    again = Frontier("site", {"a.test"}, 10, TrapRules(max_query_variants=1))
    again.resume(["http://a.test/", "http://a.test/l?p=1"], {"a.test": 2}, {"a.test", "c.test"})
    assert again.admit("http://a.test/", "a.test") == (None, "seen")
    assert again.admit("http://a.test/l?p=2", "a.test") == (None, "trap/query_variants")
    assert again.in_scope("c.test") and again.per_domain["a.test"] == 2


def test_an_unknown_scope_is_refused():
    with pytest.raises(ValueError, match="expected one of site, web"):
        Frontier("everything", set(), 1)

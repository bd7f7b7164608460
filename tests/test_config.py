"""Settings: one home for their defaults, checked once, errors in one line."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import fields

import pytest

from linkspider.config import ConfigError, LinkspiderConfig, settings_table
from tests.conftest import REPO


def test_the_readme_settings_table_is_the_configuration():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- settings: begin -->\n", 1)[1].split("\n<!-- settings: end -->", 1)[0]
    assert block == settings_table()


def test_defaults_and_every_setting_documented():
    config = LinkspiderConfig.from_settings({})
    assert config == LinkspiderConfig()
    for f in fields(LinkspiderConfig):
        assert f.metadata["doc"].endswith("."), f.name


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("LINKSPIDER_FLUSH_ROWS", "0", "expected a whole number >= 1"),
        ("LINKSPIDER_EXTRACT_TIMEOUT", "-3", "expected a number > 0"),
        ("LINKSPIDER_COMPACT_MEMORY", "lots", "expected a size such as 512MB"),
        ("LINKSPIDER_COMPACT_ON_CLOSE", "maybe", "expected true or false"),
        ("LINKSPIDER_RENDER", "sometimes", "expected one of never, auto, always"),
        ("LINKSPIDER_WRITE_RETRY_PAUSES", "1,-2", "expected seconds >= 0"),
    ],
)
def test_a_bad_value_names_its_setting(setting, value, message):
    with pytest.raises(ConfigError) as error:
        LinkspiderConfig.from_settings({setting: value})
    assert str(error.value) == f"{setting}={value!r}: {message}" or str(error.value).startswith(
        f"{setting}={value!r}: {message}"
    )


def test_the_crawl_command_stops_on_a_bad_setting_with_one_line(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "discover", "-a", "seeds=a.test",
         "-s", "LINKSPIDER_FLUSH_ROWS=many", "-s", f"LINKSPIDER_OUTPUT={tmp_path}"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == (
        "linkspider: LINKSPIDER_FLUSH_ROWS='many': expected a whole number >= 1"
    )
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "links").exists()  # nothing started


def test_the_markup_bounds_reach_the_extraction():
    """The settings of the bounds before the parse are the extraction's limits."""
    from linkspider.extract import extract

    limits = LinkspiderConfig.from_settings(
        {
            "LINKSPIDER_MAX_SELECT_OPTIONS": "2",
            "LINKSPIDER_MAX_ACTIVE_FORMATTING": "3",
            "LINKSPIDER_MAX_DISTINCT_NAMES": "4",
        }
    ).limits
    assert (
        limits.max_select_options,
        limits.max_active_formatting,
        limits.max_distinct_names,
    ) == (2, 3, 4)
    headers = {"Content-Type": "text/html; charset=utf-8"}
    for body in (
        b"<select><option>a<option>b<option>c</select><a href=/x>x</a>",
        b"<p><b id=1><b id=2><b id=3><b id=4></p><p><a href=/x>x</a>",
        b"<p>" * 20 + b"<x-1>a<x-2>b<x-3>c<x-4>d<x-5>e<x-6>f<a href=/x>x</a>",
    ):
        assert extract(body, "http://a.test/", headers, limits=limits).bounded, body
        assert not extract(body, "http://a.test/", headers).bounded, body

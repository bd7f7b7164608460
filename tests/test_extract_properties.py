"""Properties of the extraction core on arbitrary input (hypothesis)."""

from __future__ import annotations

import html as html_lib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linkspider.encoding import SNIFF_BYTES
from linkspider.extract import REGIONS_ALL, extract

URL = "http://www.example.com/a/b.html"
LINK_TYPES = {"text", "image", "area", "redirect", "canonical", "refresh"}


def check(page) -> None:
    assert [e.position for e in page.edges] == list(range(len(page.edges)))
    for e in page.edges:
        assert e.target_url.startswith(("http://", "https://")), e.target_url
        assert "#" not in e.target_url
        assert e.target_host and e.target_domain
        assert e.region in REGIONS_ALL and e.link_type in LINK_TYPES
        assert 0.0 <= e.region_score <= 1.0
        assert len(e.anchor_text) <= 512
        assert e.is_external == (e.target_domain != page.domain)


#: the page errors that say why a response has no edges (anything else is a bug)
KNOWN_ERRORS = (
    "HTTP ",
    "empty body",
    "binary body",
    "not HTML (",
    "redirect without Location",
)

CONTENT_TYPES = st.sampled_from(
    [
        None,
        "text/html",
        "text/html; charset=utf-8",
        "text/html; charset=shift_jis",
        "text/html; charset=utf-16",
        "text/html; charset=bogus",
        "application/xhtml+xml",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.binary(max_size=4096),
    content_type=CONTENT_TYPES,
    status=st.sampled_from([200, 301, 404]),
)
def test_never_raises_on_any_bytes(body, content_type, status):
    headers = (
        {"Content-Type": content_type, "Location": body[:50].decode("latin-1")}
        if content_type
        else {}
    )
    page = extract(body, URL, headers, status=status, strict=True)
    assert page.error is None or page.error.startswith(KNOWN_ERRORS), page.error
    if status == 200 and page.error is None:
        assert page.encoding is not None
    check(page)


hrefs = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "/",
            "#x",
            "",
            "javascript:x",
            "//h.test/p",
            "http://[::1]/",
            "?q",
            "../../..",
            "http://ü.de/",
        ]
    ),
    st.builds(
        lambda a, b: f"http://{a}.test/{b}",
        st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True),
        st.text(max_size=20),
    ),
)
elements = st.recursive(
    st.one_of(
        st.builds(
            lambda h, t: f'<a href="{html_lib.escape(h)}">{html_lib.escape(t)}</a>',
            hrefs,
            st.text(max_size=30),
        ),
        st.builds(lambda h: f'<area href="{html_lib.escape(h)}">', hrefs),
        st.builds(lambda h: f'<base href="{html_lib.escape(h)}">', hrefs),
        st.builds(lambda h: f'<link rel="canonical" href="{html_lib.escape(h)}">', hrefs),
        st.builds(
            lambda h: f'<meta http-equiv="refresh" content="0; url={html_lib.escape(h)}">', hrefs
        ),
        st.text(max_size=50).map(html_lib.escape),
        st.just(
            "<p>A paragraph, with commas, and enough words to count as text for the model.</p>"
        ),
    ),
    lambda children: st.builds(
        lambda tag, cls, kids: f'<{tag} class="{cls}">{"".join(kids)}</{tag}>',
        st.sampled_from(
            [
                "div",
                "nav",
                "main",
                "article",
                "aside",
                "footer",
                "header",
                "ul",
                "li",
                "table",
                "td",
                "section",
            ]
        ),
        st.sampled_from(["", "content", "sidebar", "comments", "menu", "post-body", "share"]),
        st.lists(children, max_size=5),
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(elements, max_size=8))
def test_generated_html_yields_well_formed_edges(parts):
    body = "".join(parts).encode("utf-8")
    page = extract(body, URL, {"Content-Type": "text/html; charset=utf-8"}, strict=True)
    if page.error == "binary body":  # generated text may be mostly control characters
        head = body[:SNIFF_BYTES]
        assert b"\x00" in head or sum(1 for b in head if b < 32 and b not in b"\t\n\x0c\r") >= 16
    else:
        assert page.error is None or (page.error == "empty body" and not body)
    check(page)

"""Decode an HTML body the way a browser decides its encoding.

Precedence (HTML standard, "encoding sniffing algorithm"): byte order mark,
then the HTTP ``Content-Type`` charset, then a ``<meta charset>`` /
``<meta http-equiv>`` declaration in the first bytes, then sniffing (valid
UTF-8 is UTF-8), else windows-1252.  Labels are mapped as the WHATWG Encoding
standard does (``latin1`` and ``iso-8859-1`` mean windows-1252, and so on),
which is what w3lib implements.

>>> decode_html("привет".encode("cp1251"), "text/html; charset=windows-1251")
('привет', 'windows-1251')
>>> decode_html(b'<meta charset="shift_jis">' + "日本".encode("shift_jis"), None)[0][-2:]
'日本'
>>> decode_html("café".encode("utf-8"), None)
('café', 'utf-8')
>>> decode_html("café".encode("latin-1"), "text/html")
('café', 'windows-1252')
"""

from __future__ import annotations

import codecs

from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    to_unicode,
)

#: Bytes that never occur in text (WHATWG MIME Sniffing, "binary data byte").
_BINARY_BYTES = frozenset([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])
_BINARY_BYTES_STRING = bytes(sorted(_BINARY_BYTES))
_BINARY_SIGNATURES = (b"%PDF-", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b")
#: How much of a body is examined for binary bytes (the standard's resource header).
SNIFF_BYTES = 1445
#: Without a NUL byte or a binary signature, a body is binary when its head has at
#: least this many control bytes and they are over 10% of it.
BINARY_MIN_CONTROLS = 16


def _auto_detect(body: bytes) -> str:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def looks_binary(body: bytes, content_type: str | None = None) -> bool:
    """True when ``body`` is not text, whatever its label says.

    UTF-16 (by BOM or declared charset) legitimately contains NUL bytes.

    >>> looks_binary(b"\\x89PNG\\r\\n\\x1a\\n...."), looks_binary(b"<p>hi</p>")
    (True, False)
    >>> looks_binary("<p>hi</p>".encode("utf-16"))
    False
    >>> looks_binary(b"<p>a stray \\x1f control byte in text</p>"), looks_binary(b"<p>\\x00</p>")
    (False, True)
    """
    head = body[:SNIFF_BYTES]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if content_type and "utf-16" in content_type.lower():
        return False
    if head.startswith(_BINARY_SIGNATURES) or b"\x00" in head:
        return True
    # stray control bytes occur in real pages; a body made of them is not text
    controls = len(head) - len(head.translate(None, _BINARY_BYTES_STRING))
    return controls >= BINARY_MIN_CONTROLS and controls > len(head) * 0.10


#: Python codec names as the WHATWG Encoding standard names them (lowercase).
_WHATWG_NAMES = {
    **{f"cp{n}": f"windows-{n}" for n in range(1250, 1259)},
    "cp874": "windows-874",
    "cp932": "shift_jis",
    "shift_jis": "shift_jis",
    "cp949": "euc-kr",
    "euc_kr": "euc-kr",
    "euc_jp": "euc-jp",
    "iso2022_jp": "iso-2022-jp",
    "gb18030": "gb18030",
    "gbk": "gbk",
    "big5": "big5",
    "big5hkscs": "big5",
    "koi8_r": "koi8-r",
    "koi8_u": "koi8-u",
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8",
    "utf-16-le": "utf-16le",
    "utf-16-be": "utf-16be",
    "mac_cyrillic": "x-mac-cyrillic",
    "mac_roman": "macintosh",
}


def whatwg_name(codec: str) -> str:
    """The WHATWG name of a Python codec (``iso-8859-N`` and unknowns pass through).

    >>> whatwg_name("cp932"), whatwg_name("cp1251"), whatwg_name("iso8859-2")
    ('shift_jis', 'windows-1251', 'iso-8859-2')
    """
    try:
        codec = codecs.lookup(codec).name
    except LookupError:
        codec = codec.lower()
    if codec.startswith("iso8859"):
        return "iso-8859-" + codec.split("-")[-1].split("_")[-1]
    return _WHATWG_NAMES.get(codec, codec)


def sniff_encoding(body: bytes, content_type: str | None) -> tuple[str, int]:
    """``(python_codec, bom_length)`` by the browser's precedence.

    >>> sniff_encoding(b"\\xef\\xbb\\xbf<p>", "text/html; charset=latin1")
    ('utf-8', 3)
    >>> sniff_encoding(b"<meta charset=koi8-r>", "text/html")
    ('koi8-r', 0)
    """
    encoding, bom = read_bom(body)
    if encoding is not None:
        return encoding, len(bom or b"")
    encoding = http_content_type_encoding(content_type) if content_type else None
    if encoding is None:
        encoding = html_body_declared_encoding(body)
    if encoding in ("utf-16", "utf-32"):
        encoding += "-be"
    if encoding is None:
        encoding = _auto_detect(body)
    return encoding, 0


def decode_for_parser(body: bytes, content_type: str | None) -> tuple[str | bytes, str]:
    """What to hand the HTML parser, and the WHATWG name of the encoding.

    UTF-8 bodies are passed through as bytes (the parser reads UTF-8 natively,
    replacing invalid sequences as a browser does); others are decoded.
    """
    encoding, bom_length = sniff_encoding(body, content_type)
    name = whatwg_name(encoding)
    if name == "utf-8":
        return body[bom_length:] if bom_length else body, name
    return to_unicode(body[bom_length:], encoding), name


def decode_html(body: bytes, content_type: str | None) -> tuple[str, str]:
    """Return ``(text, encoding)`` for an HTML body; ``encoding`` is its WHATWG name."""
    data, name = decode_for_parser(body, content_type)
    if isinstance(data, bytes):
        data = to_unicode(data, "utf-8")
    return data, name

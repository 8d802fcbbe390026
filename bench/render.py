"""Render the sample issue N times in one warm process; print median and max per output.

    .venv/bin/python bench/render.py [--runs 10] [--no-chromium]

Sets itself up: a temporary SQLite database, migrations, the sample bulletin (tests/fixtures/2026-06-28.md)
imported as the newsroom would. Then, after one warm-up render of each kind, it times:

- pdf (WeasyPrint), the whole render_pdf(issue): context (database), template, layout, PDF;
- pdf-layout (WeasyPrint), the same HTML string to PDF bytes, to compare with Chromium on equal terms;
- chromium, that HTML printed by headless Chromium through Playwright (browser and page kept warm);
  its CPU time is that of the Chromium processes, read from /proc;
- wechat and web, the whole render_wechat(issue) / render_web(issue).

Targets (issue 4): PDF median <= 0.5 s and faster than Chromium; WeChat < 50 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
TARGETS = {"pdf": 0.5, "wechat": 0.05}


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinzhi.settings")
    workdir = Path(tempfile.mkdtemp(prefix="xinzhi-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["XINZHI_VAR_DIR"] = str(workdir)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from editorial.models import Issue
    from references.importing import import_bulletin

    result = import_bulletin(text=(ROOT / "tests" / "fixtures" / "2026-06-28.md").read_text(encoding="utf-8"))
    return Issue.objects.get(series__slug=result.series_slug, date=result.date)


def own_cpu() -> float:
    return time.process_time()


def chromium_cpu() -> float:
    """CPU seconds used so far by the Chromium processes started under this one (browser, renderer, GPU…)."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents, usage = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
        if name.startswith("chrom"):
            usage[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    me, total = os.getpid(), 0.0
    for pid, seconds in usage.items():
        ancestor = pid
        while ancestor > 1 and ancestor != me:
            ancestor = parents.get(ancestor, 1)
        if ancestor == me:
            total += seconds
    return total


def measure(label: str, func, runs: int, cpu=own_cpu) -> dict:
    func()  # warm-up: imports, font loading, template compilation
    walls, cpus = [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), cpu()
        func()
        walls.append(time.perf_counter() - started)
        cpus.append(cpu() - cpu_started)
    return {
        "label": label,
        "median": statistics.median(walls),
        "max": max(walls),
        "min": min(walls),
        "cpu": statistics.median(cpus),
        "runs": runs,
    }


def chromium_printer(html: str):
    """A warm Chromium page that prints `html` to PDF; returns (print function, close function)."""
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    page = browser.new_page()
    # Nothing but the HTML itself: the PDF HTML only uses data: URLs, any request is a mistake.
    page.route("**/*", lambda route: route.abort())

    def print_pdf() -> bytes:
        page.set_content(html, wait_until="load")
        return page.pdf(format="A4", prefer_css_page_size=True, print_background=True)

    def close() -> None:
        browser.close()
        playwright.stop()

    return print_pdf, close


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--no-chromium", action="store_true", help="skip the Chromium comparison")
    options = parser.parse_args(argv)

    issue = setup()
    from publishing.render import build_context, render_pdf, render_web, render_wechat
    from publishing.render.pdf import html_to_pdf, pdf_html

    context = build_context(issue)
    html = pdf_html(context)
    # Chromium gets the same document with the print stylesheet inside it (WeasyPrint applies a parsed copy).
    standalone = pdf_html(context, inline_stylesheet=True)
    results = [
        measure("pdf", lambda: render_pdf(issue), options.runs),
        measure("pdf-layout", lambda: html_to_pdf(html), options.runs),
    ]
    if not options.no_chromium:
        print_pdf, close = chromium_printer(standalone)
        try:
            results.append(measure("chromium", print_pdf, options.runs, cpu=chromium_cpu))
        finally:
            close()
    results += [
        measure("wechat", lambda: render_wechat(issue), options.runs),
        measure("web", lambda: render_web(issue), options.runs),
    ]

    pages = len(__import__("pypdf").PdfReader(__import__("io").BytesIO(render_pdf(issue))).pages)
    print(
        f"sample issue {issue.date}: {len(standalone)} characters of PDF HTML, {pages} pages; {options.runs} runs each"
    )
    print(f"{'output':<12}{'median':>10}{'max':>10}{'min':>10}{'cpu':>10}  target (on the median)")
    by_label = {r["label"]: r for r in results}
    for r in results:
        target = TARGETS.get(r["label"])
        verdict = ""
        if target is not None:
            verdict = f"<= {target * 1000:.0f} ms {'ok' if r['median'] <= target else 'MISSED'}"
        if r["label"] == "pdf" and "chromium" in by_label:
            faster = r["median"] < by_label["chromium"]["median"]
            verdict += f", {'faster' if faster else 'SLOWER'} than Chromium"
        print(
            f"{r['label']:<12}{r['median'] * 1000:>8.1f}ms{r['max'] * 1000:>8.1f}ms{r['min'] * 1000:>8.1f}ms"
            f"{r['cpu'] * 1000:>8.1f}ms  {verdict}"
        )
    load = os.getloadavg()[0]
    print(
        f"load average {load:.2f} on {os.cpu_count()} CPUs; cpu = median CPU time of the process(es) doing the work"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

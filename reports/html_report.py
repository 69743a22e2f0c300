"""report.html: one self-contained page (no network) a clerk and their boss can read: what
to fix first at the top, then the items to check by eye, the charts and every item."""

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from . import words
from .charts import bar_chart
from .safe import atomic_write

# PackageLoader reads templates from a zipped egg too (Scrapyd).
_ENV = Environment(loader=PackageLoader("oitcheck.reports", "templates"),
                   autoescape=select_autoescape(default=True, default_for_string=True))
_ENV.filters.update(thai_datetime=words.thai_datetime, display_url=words.display_url, short_url=words.short_url,
                    status_th=words.status_th, points_text=words.points_text, confidence_text=words.confidence_text,
                    checklist_confidence=words.checklist_confidence_text)
_ENV.tests["link"] = words.is_link


def subindicator_titles(report) -> dict[str, str]:
    out: dict[str, str] = {}
    for it in report.items:
        out.setdefault(it.subindicator, it.subindicator_title)
    return out


def render_html(report) -> str:
    items = report.items
    numbers = [int(k) for k in report.scores.indicators] or [9, 10]
    total = {ind: sum(1 for i in items if i.indicator == ind) for ind in numbers}
    passed = {ind: sum(1 for i in items if i.indicator == ind and i.status == "pass") for ind in numbers}
    s = report.scores
    titles = report.checklist.indicators
    chart_indicators = bar_chart([f"ตัวชี้วัดที่ {k} {titles.get(str(k), '')}".strip() for k in numbers],
                                 [s.indicators.get(str(k), 0.0) for k in numbers], "คะแนนคาดการณ์ / predicted score")
    subs = subindicator_titles(report)
    chart_subs = bar_chart([f"{k} {subs.get(k, '')}".strip() for k in s.subindicators],
                           list(s.subindicators.values()), "ตัวชี้วัดย่อย / sub-indicators")
    return _ENV.get_template("report.html.j2").render(
        r=report, numbers=numbers, total=total, passed=passed, chart_indicators=chart_indicators, chart_subs=chart_subs,
        subs=subs, w=words, banner=words.crawl_banner(report))


def write_html(report, out: Path) -> Path:
    return atomic_write(Path(out) / "report.html", render_html(report).encode("utf-8"))

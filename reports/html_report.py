"""report.html: one self-contained page (no network) a clerk and their boss can read."""

from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from .charts import bar_chart
from .safe import atomic_write

# PackageLoader reads templates from a zipped egg too (Scrapyd).
_ENV = Environment(loader=PackageLoader("oitcheck.reports", "templates"),
                   autoescape=select_autoescape(default=True, default_for_string=True))


def render_html(report) -> str:
    items = report.items
    total = {ind: sum(1 for i in items if i.indicator == ind) for ind in (9, 10)}
    passed = {ind: sum(1 for i in items if i.indicator == ind and i.status == "pass") for ind in (9, 10)}
    s = report.scores
    chart_indicators = bar_chart(["ตัวชี้วัดที่ 9", "ตัวชี้วัดที่ 10"], [s.indicator_9, s.indicator_10],
                                 "คะแนนคาดการณ์ / predicted score")
    subs = list(s.subindicators.items())
    chart_subs = bar_chart([k for k, _ in subs], [v for _, v in subs], "ตัวชี้วัดย่อย / sub-indicators")
    return _ENV.get_template("report.html.j2").render(
        r=report, total=total, passed=passed, chart_indicators=chart_indicators, chart_subs=chart_subs)


def write_html(report, out: Path) -> Path:
    return atomic_write(Path(out) / "report.html", render_html(report).encode("utf-8"))

"""Build a small Thai agency website on disk, with a known answer for every OIT item.

One generator serves the bundled demo (``oitcheck demo``), the end-to-end tests, the
labelled accuracy sites (``oitcheck eval``) and the benchmark. Each item gets a
*scenario* (how the agency published it, or failed to); :data:`EXPECTED` says whether
an assessor would pass it.
"""

from __future__ import annotations

import html
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from .docmaker import make_docx, make_pdf, make_png, make_scanned_pdf, make_xlsx
from ..thai import normalize
from .wording import DEFAULT_ORG, FILLER, MONTHS_TH, wording_for

THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")

# scenario -> would an assessor pass the item?
EXPECTED = {
    "good": True,        # published in the usual way, linked from a menu page
    "deep_pdf": True,    # only inside a PDF two clicks deep, generic link text and file name
    "index_only": True,  # reachable only from the ITA index page, generic link text
    "docx": True,        # published as a Word file
    "cp874": True,       # an old windows-874 page that declares no charset
    "scanned": True,     # a scanned PDF (OCR), year given in the link text
    "stale": False,      # last cycle's document (wrong fiscal year)
    "missing": False,    # not published
    "decoy": False,      # only a news post that mentions it
    "broken": False,     # the ITA index page links it to a 404
    "no_parts": False,   # published without a required part (or link)
    "few_months": False, # monthly summaries for only some months
}

CATEGORIES = {
    "9.1": ("about.html", "ข้อมูลพื้นฐาน"),
    "9.2": ("operations.html", "การบริหารงาน"),
    "9.3": ("procurement.html", "การจัดซื้อจัดจ้าง"),
    "9.4": ("hr.html", "การบริหารทรัพยากรบุคคล"),
    "9.5": ("transparency.html", "ส่งเสริมความโปร่งใส"),
    "10": ("integrity.html", "การป้องกันการทุจริต"),
}


def th(n) -> str:
    return str(n).translate(THAI_DIGITS)


@dataclass
class Site:
    root: Path
    checklist_year: int
    scenarios: dict[str, str]
    expected: dict[str, bool]
    hostile_title: str = ""
    extra: dict = field(default_factory=dict)


def _page(title: str, body: str, charset: str | None = "utf-8") -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return (f"<!doctype html><html lang=th><head>{meta}<title>{title}</title></head>"
            f"<body><nav><a href='/index.html'>หน้าแรก</a></nav><h1>{title}</h1>{body}</body></html>")


def _fmt(text: str, org: str, fy: int, month: str = "") -> str:
    return text.format(ORG=org, FY=fy, PFY=fy - 1, FY_TH=th(fy), PFY_TH=th(fy - 1), MONTH=month)


def _part_to_leave_out(item, title: str) -> tuple[str, ...]:
    """The phrases of the required part a "no_parts" site leaves out: the last part its
    title does not already name (a part named in the title cannot be missing)."""
    t = normalize(title)
    for part in reversed(item.rules.parts):
        if not any(p in t for p in part.any):
            return part.any
    return ()


class _Builder:
    def __init__(self, root: Path, org: str, fy: int):
        self.root = root
        self.org = org
        self.fy = fy
        self.menus: dict[str, list[str]] = {k: [] for k in CATEGORIES}
        self.index_rows: list[tuple[str, str, list[tuple[str, str]]]] = []
        self.news: list[str] = []
        self.home_extra: list[str] = []
        self.counter = 0

    def write(self, rel: str, data: bytes | str) -> str:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return "/" + rel

    def doc(self, kind: str, lines: list[str], name: str | None = None) -> str:
        self.counter += 1
        maker = {"pdf": make_pdf, "scanned": make_scanned_pdf, "docx": make_docx, "xlsx": make_xlsx, "png": make_png}[kind]
        ext = {"scanned": "pdf", "png": "png"}.get(kind, kind)
        return self.write(f"files/{name or f'doc_{self.counter:04d}'}.{ext}", maker(lines))


def build_site(root: Path, checklist, scenarios: dict[str, str], org: str | None = None,
               fiscal_year: int | None = None, with_index: bool = True, filler_pages: int = 6,
               hostile_title: str = "ข่าวประชาสัมพันธ์ <script>alert('xss')</script><b>ด่วน</b>", seed: int = 7,
               wordings: dict[str, str] | None = None) -> Site:
    """Write a site for ``checklist`` where item code -> scenario (missing codes: "good").

    The site speaks as an agency of the checklist's type (a college says สถานศึกษา and
    ผู้อำนวยการ). ``wordings`` publishes items under another accepted title: item code -> the
    topic of one of its alternatives (2566 O34 as เจตจำนงสุจริตของผู้บริหาร: "integrity_intent")."""
    agency = checklist.agency_type
    org = org or DEFAULT_ORG.get(agency, DEFAULT_ORG["lao"])
    words = wording_for(agency)
    wordings = wordings or {}
    for code, topic in wordings.items():
        if topic not in {a.topic for a in checklist.item(code).alternatives}:
            raise ValueError(f"{code} has no alternative of topic {topic!r}")
    fy = fiscal_year or checklist.year
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    b = _Builder(root, org, fy)
    rng = random.Random(seed)
    scen = {it.code: scenarios.get(it.code, "good") for it in checklist.items}

    for item in checklist.items:
        s = scen[item.code]
        cat = "10" if item.indicator == 10 else item.subindicator
        kind, title_t, body_t = words[wordings.get(item.code, item.topic)]
        # The document's own year follows the item's rule (last year's report, this year's plan).
        doc_fy = fy - 1 if item.rules.fiscal_year == "previous" and "{PFY" not in title_t else fy
        title = _fmt(title_t, org, doc_fy)
        body = [_fmt(x, org, doc_fy) for x in body_t]
        links_for_index: list[tuple[str, str]] = []
        if s == "missing":
            b.index_rows.append((item.code, item.title, []))
            continue
        if s == "stale":
            title = _fmt(title_t.replace("{FY_TH}", "{PFY_TH}").replace("{PFY_TH}", th(fy - 3)).replace("{PFY}", str(fy - 3))
                         .replace("{FY}", str(fy - 2)), org, fy)
            body = [_fmt(x.replace("{FY_TH}", th(fy - 2)).replace("{FY}", str(fy - 2)).replace("{PFY_TH}", th(fy - 3)).replace("{PFY}", str(fy - 3)), org, fy) for x in body_t]
            if item.rules.fiscal_year == "any":
                s = scen[item.code] = "good"  # nothing can be stale about it (and the label says so)
        if s == "decoy":
            url = b.write(f"news/decoy-{item.code.lower()}.html", _page(
                f"{org} จัดประชุมคณะทำงานเพื่อเตรียมจัดทำ{item.title}",
                f"<p>เมื่อวันที่ ๑๒ มกราคม {th(fy)} {org} ได้ประชุมหารือการเตรียมจัดทำ{item.title} ร่วมกับผู้นำชุมชน</p>"))
            b.news.append(f"<li><a href='{url}'>{html.escape(org)} จัดประชุมคณะทำงานเพื่อเตรียมจัดทำ{html.escape(item.title)}</a></li>")
            b.index_rows.append((item.code, item.title, []))
            continue
        if s == "broken":
            b.index_rows.append((item.code, item.title, [("เอกสาร", f"/files/removed-{item.code.lower()}.pdf")]))
            continue
        if s == "no_parts":
            if item.rules.parts:
                gone = _part_to_leave_out(item, title)
                body = [line for line in body if not any(p in normalize(line) for p in gone)]
                body = [line for line in body if not any(p in line for p in ("อีเมล", "@"))]
                body = [line.split(" อีเมล")[0] for line in body]
                body = [line for line in body if "อำนาจหน้าที่" not in line] if item.topic == "structure_authority" else body
                title = title.replace("และอำนาจหน้าที่", "") if item.topic == "structure_authority" else title
            kind = "html"  # link-kind items: a page without the required link/form
        if item.rules.period == "monthly":
            months = MONTHS_TH[:3] if s == "few_months" else MONTHS_TH
            for i, m in enumerate(months):
                year = fy - 1 if i < 3 else fy
                lines = [_fmt(title_t, org, fy, f"{m} {th(year)}")] + body
                url = b.doc("pdf", lines, f"sor-kor-ror-{item.code.lower()}-{i + 1}")
                b.menus[cat].append(f"<li><a href='{url}'>สขร.1 เดือน{m} {year}</a></li>")
                links_for_index.append((f"เดือน{m}", url))
            b.index_rows.append((item.code, item.title, links_for_index))
            continue
        if s == "scanned":
            url = b.doc("scanned", [title] + body)
            anchor = f"{item.title} ปี {fy if item.rules.fiscal_year != 'previous' else fy - 1} (ฉบับสแกน)"
        elif s == "docx":
            url = b.doc("docx", [title] + body)
            anchor = title
        elif s == "deep_pdf":
            url = b.doc("pdf", [title] + body)
            hub = b.write(f"downloads/hub-{item.code.lower()}.html", _page("ดาวน์โหลดเอกสาร", f"<ul><li><a href='{url}'>ดาวน์โหลด</a></li></ul>"))
            b.menus[cat].append(f"<li><a href='{hub}'>เอกสารเผยแพร่ ชุดที่ {b.counter}</a></li>")
            b.index_rows.append((item.code, item.title, []))  # only the menus lead there
            continue
        elif kind == "html" or s == "cp874":
            extra = ""
            if item.rules.link_kind == "social" and s != "no_parts":
                extra = "<p><a href='https://www.facebook.com/example.sao'>Facebook</a> <a href='https://line.me/R/ti/p/@example'>LINE</a></p>"
            if item.rules.link_kind in ("qa", "form", "eservice") and s != "no_parts":
                extra = ("<form action='/submit' method='post'><input name='name' type='text'>"
                         "<textarea name='message'></textarea><button>ส่ง</button></form>")
                if item.rules.link_kind == "qa":
                    extra += "<p><a href='https://m.me/example.sao'>สอบถามผ่าน Messenger</a></p>"
            page_body = "".join(f"<p>{html.escape(x)}</p>" for x in body) + extra
            name = f"pages/{item.topic}-{item.code.lower()}.html"
            if s == "cp874":
                url = b.write(name, _page(html.escape(title), page_body, charset=None).encode("cp874", errors="replace"))
            else:
                url = b.write(name, _page(html.escape(title), page_body))
            anchor = title
        else:
            url = b.doc(kind if kind in ("pdf", "xlsx") else "pdf", [title] + body)
            anchor = title
        if s != "index_only":
            b.menus[cat].append(f"<li><a href='{url}'>{html.escape(anchor)}</a></li>")
        b.index_rows.append((item.code, item.title, [("คลิก" if s == "index_only" else "เปิดดู", url)]))

    # News (with a hostile title), filler pages, category pages, the ITA index and home.
    # Text that looks like markup (escaped on the page, so it is text to the crawler):
    # every report must show it as text.
    # It is a genuine news post only where the site publishes news (scenario "good").
    news_ok = any(scen[it.code] == "good" for it in checklist.items if it.topic == "news")
    if not news_ok:
        hostile_title = hostile_title.replace("ข่าวประชาสัมพันธ์", "ประกาศภายใน")
    hostile = b.write("news/hostile.html", _page(html.escape(hostile_title), f"<p>ข่าวทดสอบความปลอดภัยของรายงาน ประจำปีงบประมาณ {th(fy)}</p>"))
    b.news.append(f"<li><a href='{hostile}'>ข่าวด่วน</a></li>")
    filler_title, filler_words = FILLER.get(agency, FILLER["lao"])
    for i in range(filler_pages):
        url = b.write(f"news/n{i}.html", _page(filler_title.format(N=th(i + 1)), "<p>" + filler_words * rng.randint(5, 30) + "</p>"))
        b.news.append(f"<li><a href='{url}'>{filler_title.format(N=i + 1)}</a></li>")
    b.write("news.html", _page("ข่าวและกิจกรรม", "<ul>" + "".join(b.news) + "</ul>"))
    menu = []
    for cat, (fname, label) in CATEGORIES.items():
        b.write(fname, _page(label, "<ul>" + "".join(b.menus[cat]) + "</ul>"))
        menu.append(f"<li><a href='/{fname}'>{label}</a></li>")
    menu.append("<li><a href='/news.html'>ข่าวและกิจกรรม</a></li>")
    if with_index:
        rows = []
        for code, title, links in b.index_rows:
            cells = " ".join(f"<a href='{u}'>{html.escape(t)}</a>" for t, u in links) or "-"
            rows.append(f"<tr><td>{code}</td><td>{html.escape(title)}</td><td>{cells}</td></tr>")
        b.write("ita.html", _page(f"การประเมินคุณธรรมและความโปร่งใส ITA {fy}",
                                  "<table><tr><th>ข้อ</th><th>หัวข้อ</th><th>ลิงก์</th></tr>" + "".join(rows) + "</table>"))
        menu.append(f"<li><a href='/ita.html'>ITA {fy}</a></li>")
    b.write("index.html", _page(org, "<ul>" + "".join(menu) + "</ul>" + "".join(b.home_extra)))
    b.write("robots.txt", "User-agent: *\nDisallow: /private/\n")
    expected = {code: EXPECTED[s] for code, s in scen.items()}
    site = Site(root, checklist.year, scen, expected, hostile_title)  # as published
    (root / "labels.json").write_text(json.dumps({"year": checklist.year, "fiscal_year": fy, "scenarios": scen,
                                                  "expected": expected}, ensure_ascii=False, indent=1), "utf-8")
    return site

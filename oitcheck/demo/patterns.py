"""Patterns of real agency websites, added to a generated site (oitcheck.demo.sitegen).

Each pattern was met on a real Thai agency site served locally (the issue-13 note names
them); the files here are our own, made to reproduce the pattern, never copies:

- every page starts with a whole header document (a server-side include) and a stray
  ``</html>``; the page's own content comes after it;
- site chrome on every page: a sidebar headed "คู่มือสำหรับประชาชน" and "ติดตามเรา" over a
  Facebook page plugin in an iframe, a footer with the agency's address, phone and e-mail;
- notices titled with the agency's own name ("ประกาศองค์การบริหารส่วนตำบล...");
- a photo gallery: photos linked as ``<a href=photo.jpg><img></a>``, never disclosures;
- activity posts under one path with a hundred query strings (``activity.html?id=N``);
- a document whose Thai file name is over 400 characters percent-encoded;
- an empty menu page for a missing item ("กำลังปรับปรุงข้อมูล");
- a "ดูทั้งหมด" link under the section heading that says what it leads to;
- a scanned notice whose OCR'd year disagrees with the year its link text gives.
"""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

PHOTOS = 120  # gallery photos (the real อบต. had 270)
ACTIVITY_POSTS = 100  # activity.html?id=1..100 (the old trap guard kept 25)
LONG_NAME = "แผนการดำเนินงาน ประจำปีงบประมาณ พ.ศ. 2568 ฉบับปรับปรุงครั้งที่ 1"  # 480 characters percent-encoded


def _photo(n: int) -> bytes:
    from PIL import Image

    img = Image.new("RGB", (64, 48), ((n * 37) % 255, (n * 91) % 255, (n * 53) % 255))
    out = io.BytesIO()
    img.save(out, format="JPEG")
    return out.getvalue()


def header_include(org: str) -> str:
    """What an old PHP site's include puts before every page: a whole document of its own."""
    return (f"<html><head><meta charset='utf-8'><title>{html.escape(org)}</title></head><body>"
            f"<div id='top'>{html.escape(org)} ยินดีต้อนรับ</div></body></html>\n")


def chrome(org: str) -> str:
    return ("<div class='sidebar'><h3>คู่มือสำหรับประชาชน</h3><ul><li><a href='#'>ขั้นตอนการขออนุญาตก่อสร้าง</a></li></ul>"
            "<h3>ติดตามเรา</h3><iframe src='//www.facebook.com/plugins/page.php?href=https%3A%2F%2Fwww.facebook.com%2Fexample.sao'"
            " width='300' height='200'></iframe></div>"
            f"<footer>{html.escape(org)} ที่อยู่ 99 หมู่ที่ 3 ตำบลตัวอย่าง อำเภอเมือง จังหวัดขอนแก่น 40000 "
            "โทรศัพท์ 043-123-456 อีเมล saraban@example.go.th</footer>")


def add_patterns(root: Path, org: str, fiscal_year: int, placeholder_title: str | None = None,
                 ocr_notice: tuple[str, str] | None = None, photos: int = PHOTOS,
                 activity_posts: int = ACTIVITY_POSTS) -> dict:
    """Rewrite the generated site at ``root`` with the patterns above. Returns what was added.

    ``placeholder_title``: the menu page of a missing item, empty ("กำลังปรับปรุง").
    ``ocr_notice``: (link text with the right year, the text of the scanned picture with another year).
    """
    root = Path(root)
    added = {"photos": photos, "activity_posts": activity_posts}
    (root / "gallery").mkdir(exist_ok=True)
    links = []
    for n in range(photos):
        (root / "gallery" / f"p{n}.jpg").write_bytes(_photo(n))
        links.append(f"<a href='/gallery/p{n}.jpg'><img src='/gallery/p{n}.jpg' alt='ภาพกิจกรรม {n}' width='64'></a>")
    (root / "gallery.html").write_text(_page(org, "ภาพกิจกรรม", "".join(links)), "utf-8")
    (root / "activity.html").write_text(_page(org, "กิจกรรมชุมชน", "<p>ชาวบ้านร่วมกันทำความสะอาดถนน</p>"), "utf-8")
    posts = "".join(f"<li><a href='/activity.html?id={n}'>กิจกรรมชุมชน ครั้งที่ {n}</a></li>" for n in range(1, activity_posts + 1))
    notices = "".join(f"<li><a href='/notices/n{n}.html'>ประกาศ{html.escape(org)} เรื่อง รับสมัครบุคคลเพื่อเลือกสรร ครั้งที่ {n}</a></li>"
                      for n in range(1, 13))
    (root / "notices").mkdir(exist_ok=True)
    for n in range(1, 13):
        (root / "notices" / f"n{n}.html").write_text(_page(
            org, f"ประกาศ{org} เรื่อง รับสมัครบุคคลเพื่อเลือกสรร ครั้งที่ {n}",
            f"<p>ด้วย{html.escape(org)} จะรับสมัครบุคคลเพื่อเลือกสรรเป็นพนักงานจ้าง ประจำปีงบประมาณ {fiscal_year}</p>"), "utf-8")
    extra_home = [f"<h2>ภาพกิจกรรม</h2><ul>{posts}</ul><a href='/gallery.html'>ดูทั้งหมด...</a>",
                  f"<h2>ประกาศ</h2><ul>{notices}</ul>"]
    # A required document under a long Thai file name (over 400 characters percent-encoded).
    plan = next((p for p in sorted((root / "files").glob("*.pdf"))), None)
    if plan is not None:
        long_path = root / "files" / f"{LONG_NAME}.pdf"
        long_path.write_bytes(plan.read_bytes())
        added["long_name"] = f"/files/{LONG_NAME}.pdf"
        extra_home.append(f"<h2>เอกสารเผยแพร่</h2><a href='/files/{LONG_NAME}.pdf'>ดาวน์โหลด</a>")
    if placeholder_title:
        (root / "soon.html").write_text(_page(org, placeholder_title, "<p>กำลังปรับปรุงข้อมูล</p>"), "utf-8")
        extra_home.append(f"<ul><li><a href='/soon.html'>{html.escape(placeholder_title)}</a></li></ul>")
        added["placeholder"] = "/soon.html"
    if ocr_notice:
        from .docmaker import make_png

        link_text, picture_text = ocr_notice
        (root / "files" / "notice-scan.png").write_bytes(make_png([picture_text]))
        extra_home.append(f"<p><a href='/files/notice-scan.png'>{html.escape(link_text)}</a></p>")
        added["ocr_notice"] = "/files/notice-scan.png"
    for path in root.rglob("*.html"):
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError:
            continue  # an old windows-874 page stays as it is

        if path.name == "index.html" and path.parent == root:
            text = text.replace("</body>", "".join(extra_home) + "</body>", 1)
        body = re.search(r"<body>(.*)</body>", text, re.S)
        if body:
            inner = body.group(1) + chrome(org)
            # The header include first, with its own </html>: the page's content comes after it.
            text = header_include(org) + text[:body.start()] + "<body>" + inner + "</body>" + text[body.end():]
        path.write_text(text, "utf-8")
    return added


def _page(org: str, title: str, body: str) -> str:
    return (f"<!doctype html><html lang=th><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
            f"<body><nav><a href='/index.html'>หน้าแรก</a></nav><h1>{html.escape(title)}</h1>{body}</body></html>")


# --- patterns met on more real sites (an อบต. and a เทศบาล in PHP, a city's document centre) -----
#
# - the executives' box is a menu modal in every page's HTML ("คณะผู้บริหาร" and the mayor's name);
# - a document library: each document a card headed with its title, opened by a "เปิดอ่านเอกสาร"
#   button, its cover picture inside the link; the monthly reports' files are missing (404);
# - a list page for an item with nothing listed under its heading ("คู่มือประชาชน");
# - a page whose only document is a 404, linked from two pages;
# - a search page for an item that says "ไม่มีข้อมูลเอกสารในเงื่อนไขที่เลือก" under long filter options;
# - a "Designed by" credit in the footer linking the template maker's Facebook page;
# - a generic link text ("คลิกที่นี้เพื่อดาวน์โหลดไฟล์ pdf") under a heading that names the document;
# - a link to an admin form (Create_News.php) labelled as the news.
MAYOR = "นายสมหมาย ใจกว้าง"


def executives_modal(org: str) -> str:
    return (f"<div class='modal' id='board'><h3>คณะผู้บริหาร</h3><p>{MAYOR}</p><p>นายก{html.escape(org)}</p>"
            "<p>นางสาวมาลี ศรีสุข</p><p>รองนายก</p></div>"
            "<p class='credit'>Designed by <a href='https://www.facebook.com/templatemaker'>TemplateMaker</a></p>")


def add_list_patterns(root: Path, org: str, fiscal_year: int) -> dict:
    """Rewrite the generated site at ``root`` with the patterns above. Returns the paths added."""
    from .docmaker import make_pdf, make_png

    root = Path(root)
    (root / "files").mkdir(exist_ok=True)
    months = ("ตุลาคม", "พฤศจิกายน", "ธันวาคม")
    cards = []
    for n, month in enumerate(months):
        title = f"รายงานผลการจัดซื้อจัดจ้างประจำเดือน {month} {fiscal_year - (n == 0)}"
        (root / "files" / f"cover{n}.png").write_bytes(make_png([title]))
        cards.append(f"<article><h2>{html.escape(title)}</h2><a href='/files/missing_report_{n}.pdf'>"
                     f"<img src='/files/cover{n}.png' width='300' height='400'></a>"
                     f"<a href='/files/missing_report_{n}.pdf'>เปิดอ่านเอกสาร</a></article>")
    pages = {
        "library.html": ("ชั้นหนังสืออิเล็กทรอนิกส์", "".join(cards)),
        "people_list.html": ("คู่มือประชาชน", ""),
        "guide.html": ("คู่มือสำหรับประชาชน", "<p>ไฟล์แนบ : <a href='/files/missing_guide.pdf'>คู่มือสำหรับประชาชน.pdf</a></p>"),
        "guide_news.html": ("แนวทางการเผยแพร่", "<p><a href='/files/missing_guide.pdf'>คู่มือสำหรับประชาชน.pdf</a></p>"),
        "search.html": ("ค้นหาเอกสาร", "<form method='get'><select name='c'>" + "".join(
            f"<option>หมวดที่ {n} ข้อมูลข่าวสารตามมาตรา 7 และมาตรา 9 ของพระราชบัญญัติข้อมูลข่าวสารของราชการ</option>"
            for n in range(1, 6)) + "</select><input type='text' name='q'></form><p>ไม่มีข้อมูลเอกสารในเงื่อนไขที่เลือก</p>"),
        "budget.html": (f"เทศบัญญัติงบประมาณรายจ่ายประจำปี {fiscal_year}",
                        "<h3>เทศบัญญัติงบประมาณรายจ่ายประจำปี " + str(fiscal_year) + "</h3>"
                        "<p><a href='/files/d61.pdf'>คลิกที่นี้เพื่อดาวน์โหลดไฟล์ pdf</a></p>"),
    }
    for name, (title, body) in pages.items():
        (root / name).write_text(_page(org, title, body), "utf-8")
    # The PDF's own text names no item (a page of figures): only the heading above its link says what it is.
    (root / "files" / "d61.pdf").write_bytes(make_pdf([
        f"ประจำปี พ.ศ. {fiscal_year}", "ยอดรวมทั้งสิ้น 35,000,000 บาท", "แผนงานบริหารงานทั่วไป 12,000,000 บาท"]))
    (root / "Create_News.php").write_text(_page(org, "เพิ่มข่าวประชาสัมพันธ์", "<form><input name='t'></form>"), "utf-8")
    menu = ("<ul class='more'><li><a href='/library.html'>ชั้นหนังสืออิเล็กทรอนิกส์</a></li>"
            "<li><a href='/people_list.html'>คู่มือประชาชน</a></li><li><a href='/guide.html'>คู่มือสำหรับประชาชน</a></li>"
            "<li><a href='/guide_news.html'>แนวทางการเผยแพร่</a></li>"
            "<li><a href='/search.html?c=annual'>รายงานผลการดำเนินงานประจำปี</a></li>"
            "<li><a href='/budget.html'>เทศบัญญัติ</a></li><li><a href='/Create_News.php'>ข่าวประชาสัมพันธ์ (ผู้ดูแล)</a></li></ul>")
    for path in root.rglob("*.html"):
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError:
            continue
        extra = executives_modal(org) + (menu if path.name == "index.html" and path.parent == root else "")
        path.write_text(text.replace("</body>", extra + "</body>", 1), "utf-8")
    return {"library": "/library.html", "people_list": "/people_list.html", "guide": "/guide.html",
            "search": "/search.html?c=annual", "budget_pdf": "/files/d61.pdf", "admin": "/Create_News.php"}

"""Broken HTML as real agency sites serve it, parsed as browsers parse it."""

from oitcheck.pages import parse_html

# A district health office's page: the header include is a whole HTML document, the page
# closes </html> early, then the real content follows (seen on a real site: the crawl saw
# one page and no links).
STRAY_END = """<html><head><meta charset="utf-8"><title>สำนักงานสาธารณสุขอำเภอ</title></head>
<body><div id="top">เมนูหลัก</div></body></html>
<table><tr><td><a href="ita.php">ITA 2568</a></td></tr></table>
<p>ข่าวประชาสัมพันธ์ <a href="news.php?id=3">อ่านต่อ</a>
<iframe src="files/o10.pdf" width="100%"></iframe>
</html>"""

NESTED = """<!doctype html><html><head><title>หน้าแรก</title></head><body>
<html><head><title>header.inc</title></head><body><ul><li><a href="/a.html">โครงสร้าง</a></ul></body></html>
<h1>คณะผู้บริหาร</h1><div><p>นายก<p>ปลัด <a href="/b.html">ติดต่อ</a>
<embed src="/files/plan.pdf" type="application/pdf"><object data="/files/report.pdf"></object>
</body></html>"""


def urls(page):
    return [link.url.rsplit("/", 1)[-1] for link in page.links]


def test_content_after_a_stray_end_tag_is_found():
    page = parse_html(STRAY_END, "http://127.0.0.1/index.php")
    assert urls(page) == ["ita.php", "news.php?id=3", "o10.pdf"]
    assert page.links[-1].kind == "iframe"
    assert "ข่าวประชาสัมพันธ์" in page.document.text
    assert page.document.title == "สำนักงานสาธารณสุขอำเภอ"


def test_nested_documents_and_unclosed_tags():
    page = parse_html(NESTED, "http://127.0.0.1/")
    assert urls(page) == ["a.html", "b.html", "plan.pdf", "report.pdf"]
    assert page.document.title == "หน้าแรก"  # the first title, not every title joined
    assert page.document.headings == ["คณะผู้บริหาร"]
    assert "นายก" in page.document.text and "ปลัด" in page.document.text


def test_ita_index_codes_survive_broken_markup():
    rows = "".join(f"<tr><td>O{n}<td>หัวข้อ {n}<td><a href='/f/{n}.pdf'>ดาวน์โหลด</a>" for n in range(1, 7))
    page = parse_html(f"<html><body></body></html><table>{rows}</table>", "http://127.0.0.1/ita.php")
    assert page.is_ita_index
    assert [(link.code, link.url.rsplit("/", 1)[-1]) for link in page.links] == [(f"O{n}", f"{n}.pdf") for n in range(1, 7)]


def test_frameset_pages():
    page = parse_html("<html><head><title>อบต.</title></head><frameset cols='20%,*'><frame src='menu.php'>"
                      "<frame src='main.php' title='หน้าหลัก'></frameset></html>", "http://127.0.0.1/")
    assert [(link.kind, link.url.rsplit("/", 1)[-1], link.text) for link in page.links] == [
        ("frame", "menu.php", ""), ("frame", "main.php", "หน้าหลัก")]

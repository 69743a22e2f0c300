"""Make Thai documents the way agencies publish them: text PDFs, scanned (image-only)
PDFs, DOCX and XLSX. Used by the demo site, the labelled test sites and the benchmark;
needs a Thai TrueType font (Debian: fonts-thai-tlwg)."""

from __future__ import annotations

import ctypes
import glob
import io
from functools import lru_cache

FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/tlwg/Garuda.ttf",
    "/usr/share/fonts/truetype/tlwg/Loma.ttf",
    "/usr/share/fonts/truetype/tlwg/Laksaman.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansThai-Regular.ttf",
]


@lru_cache(maxsize=1)
def thai_font() -> str:
    for path in FONT_CANDIDATES + sorted(glob.glob("/usr/share/fonts/**/*Thai*.ttf", recursive=True)):
        try:
            open(path, "rb").close()
            return path
        except OSError:
            continue
    raise FileNotFoundError("no Thai font found: install fonts-thai-tlwg (apt-get install fonts-thai-tlwg)")


@lru_cache(maxsize=1)
def _font_bytes() -> bytes:
    with open(thai_font(), "rb") as fh:
        return fh.read()


def make_pdf(lines: list[str], size: int = 16) -> bytes:
    """A text PDF with an embedded Thai font (what Word or LibreOffice export gives)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = pdfium.PdfDocument.new()
    data = _font_bytes()
    buf = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
    font = raw.FPDFText_LoadFont(pdf, buf, len(data), raw.FPDF_FONT_TRUETYPE, True)
    per_page = 40
    for start in range(0, max(len(lines), 1), per_page):
        page = pdf.new_page(595, 842)
        y = 790
        for line in lines[start : start + per_page]:
            obj = raw.FPDFPageObj_CreateTextObj(pdf, font, size)
            ws = (line + "\0").encode("utf-16-le")
            raw.FPDFText_SetText(obj, ctypes.cast(ctypes.c_char_p(ws), ctypes.POINTER(raw.FPDF_WCHAR)))
            raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, 50, y)
            raw.FPDFPage_InsertObject(page, obj)
            y -= size * 1.6
        raw.FPDFPage_GenerateContent(page)
    out = io.BytesIO()
    pdf.save(out)
    pdf.close()
    return out.getvalue()


def render_lines(lines: list[str], width: int = 1654, size: int = 44):
    """A page image (A4 at 200 dpi) with the lines drawn, like a scan."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(thai_font(), size)
    img = Image.new("L", (width, int(width * 1.414)), 255)
    draw = ImageDraw.Draw(img)
    y = 120
    for line in lines:
        draw.text((100, y), line, fill=0, font=font)
        y += int(size * 1.8)
    return img


def make_scanned_pdf(lines: list[str]) -> bytes:
    """An image-only PDF: no text layer, as from a scanner."""
    out = io.BytesIO()
    render_lines(lines).convert("RGB").save(out, format="PDF", resolution=200)
    return out.getvalue()


def make_png(lines: list[str]) -> bytes:
    out = io.BytesIO()
    render_lines(lines).save(out, format="PNG")
    return out.getvalue()


def make_docx(lines: list[str]) -> bytes:
    import docx

    d = docx.Document()
    for i, line in enumerate(lines):
        if i == 0:
            d.add_heading(line, level=1)
        else:
            d.add_paragraph(line)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def make_xlsx(lines: list[str]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ข้อมูล"
    for line in lines:
        ws.append([c.strip() for c in line.split("|")])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

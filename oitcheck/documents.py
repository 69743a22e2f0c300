"""Text out of every kind of file an agency publishes, bounded and with its provenance.

One entry point, :func:`extract`, takes the bytes of a downloaded file and returns an
:class:`Extracted`: the text, how it was obtained (text layer, OCR, office XML ...) and,
when it could not be read, a short reason a clerk understands. Nothing here touches the
network; the spider hands the bytes over.
"""

from __future__ import annotations

import io
import struct
import threading
import time
import zipfile
from dataclasses import dataclass, field

from .thai import normalize, text_quality

# PDFium is not thread-safe, not even across documents (pypdfium2's docs): every call into
# it, from any thread, holds this lock. Tesseract runs outside it.
PDFIUM_LOCK = threading.RLock()


@dataclass(frozen=True)
class Limits:
    """Bounds that keep one hostile or huge file from exhausting memory or time."""

    max_pages: int = 150  # PDF pages read through the text layer
    max_chars: int = 200_000  # text kept per document
    max_unzipped: int = 60 * 1024 * 1024  # total uncompressed size of a DOCX/XLSX
    max_zip_ratio: int = 150  # uncompressed/compressed; zip bombs go far beyond
    max_cells: int = 50_000  # spreadsheet cells read
    max_image_pixels: int = 40_000_000  # larger images are refused, not decoded
    ocr_pages: int = 4  # scanned pages OCR'd per document
    ocr_seconds: float = 90.0  # OCR time per document
    ocr_dpi: int = 200
    seconds: float = 60.0  # text-layer extraction time per document


DEFAULT_LIMITS = Limits()


@dataclass
class Extracted:
    """What a document says and how we know it."""

    kind: str  # pdf, docx, xlsx, xls, doc, image, html, text, unknown
    text: str = ""  # normalised (see oitcheck.thai.normalize), newlines kept
    method: str = "failed"  # text-layer, ocr, text-layer+ocr, office, html, failed
    error: str | None = None  # why nothing (or only part) could be read
    pages: int = 0
    ocr_pages: int = 0
    quality: float = 0.0
    title: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.text) and self.method != "failed"


class DocumentError(Exception):
    """A file that cannot be read; the message is the per-URL reason in the report."""


# --- sniffing ------------------------------------------------------------------------

_EXT_KIND = {
    "pdf": "pdf", "docx": "docx", "xlsx": "xlsx", "xls": "xls", "doc": "doc",
    "png": "image", "jpg": "image", "jpeg": "image", "gif": "image", "tif": "image",
    "tiff": "image", "bmp": "image", "webp": "image", "txt": "text", "csv": "text",
}


def kind_from_name(url_or_name: str) -> str | None:
    """File kind by extension, or None."""
    path = url_or_name.split("?", 1)[0].split("#", 1)[0].lower()
    ext = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
    return _EXT_KIND.get(ext)


def sniff(body: bytes) -> str:
    """File kind from its first bytes; what the server or the link claims is not trusted."""
    head = body[:8]
    if head.startswith(b"%PDF") or b"%PDF-" in body[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(body)).namelist()
        except zipfile.BadZipFile:
            return "zip-corrupt"
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"  # legacy DOC or XLS; told apart by their streams
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"BM")):
        return "image"
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "image"
    start = body[:512].lstrip().lower()
    if start.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in start:
        return "html"
    return "unknown"


# --- entry point -----------------------------------------------------------------------


def extract(body: bytes, name: str = "", limits: Limits = DEFAULT_LIMITS, ocr=None) -> Extracted:
    """Extract normalised text from a file's bytes.

    ``name`` (URL or file name) is only used to report a mismatch between what the link
    claims and what the bytes are. ``ocr`` is an :class:`oitcheck.ocr.OcrEngine` or None
    (no OCR: scanned documents come back as failed, with the reason).
    """
    claimed = kind_from_name(name)
    actual = sniff(body)
    if not body:
        return Extracted(kind=claimed or "unknown", error="empty file")
    if actual == "html" and claimed not in (None, "text"):
        return Extracted(kind=claimed, error=f"not a {claimed.upper()}: the server sent an HTML page")
    try:
        if actual == "pdf":
            return _pdf(body, limits, ocr)
        if actual == "docx":
            _check_zip(body, limits)
            return _docx(body, limits)
        if actual == "xlsx":
            _check_zip(body, limits)
            return _xlsx(body, limits)
        if actual == "ole":
            return _ole(body, limits)
        if actual == "image":
            return _image(body, limits, ocr)
        if actual == "zip-corrupt":
            raise DocumentError(f"corrupt {(claimed or 'zip').upper()} file")
        if actual == "zip":
            raise DocumentError("ZIP archive, not a document")
        if claimed == "text" or actual == "unknown" and _looks_like_text(body):
            text = body[: limits.max_chars * 3].decode("utf-8", errors="replace")
            return _done("text", text, "text-layer", limits)
        kind = claimed or "unknown"
        raise DocumentError(f"not the file type it claims ({kind}); content is unrecognised")
    except DocumentError as exc:
        return Extracted(kind=claimed or actual, error=str(exc))
    except MemoryError:
        return Extracted(kind=claimed or actual, error="too large to read in memory")
    except Exception as exc:  # a broken file must never stop the crawl
        return Extracted(kind=claimed or actual, error=f"corrupt file ({type(exc).__name__})")


def _looks_like_text(body: bytes) -> bool:
    sample = body[:2048]
    return b"\x00" not in sample


def _done(kind: str, raw: str, method: str, limits: Limits, **kw) -> Extracted:
    raw = raw[: limits.max_chars]
    quality, _ = text_quality(raw)
    text = normalize(raw, keep_newlines=True)
    first_line = next((ln.strip() for ln in text.split("\n") if len(ln.strip()) > 3), "")
    return Extracted(kind=kind, text=text, method=method, quality=quality,
                     title=first_line[:200], **kw)


# --- PDF -------------------------------------------------------------------------------


def _pdf(body: bytes, limits: Limits, ocr) -> Extracted:
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(body)
        except pdfium.PdfiumError as exc:
            msg = str(exc).lower()
            if "password" in msg:
                raise DocumentError("encrypted PDF (password protected)") from exc
            raise DocumentError("corrupt PDF (cannot be opened)") from exc
    try:
        with PDFIUM_LOCK:
            n_pages = len(pdf)
            parts, notes = _pdf_text(pdf, n_pages, limits)
        raw = "\n".join(parts)
        quality, why = text_quality(raw)
        if quality >= 0.5:
            return _done("pdf", raw, "text-layer", limits, pages=n_pages, notes=notes)
        # Scanned or broken text layer: OCR the first pages if we may.
        if ocr is None:
            return Extracted(kind="pdf", pages=n_pages, quality=quality,
                             error=f"scanned or unreadable PDF ({why}); OCR is off")
        text, done_pages, ocr_note = ocr.pdf(body, pdf, limits, PDFIUM_LOCK)
        if ocr_note:
            notes.append(ocr_note)
        if not text.strip():
            return Extracted(kind="pdf", pages=n_pages, ocr_pages=done_pages, notes=notes,
                             error=f"scanned PDF and OCR read nothing ({why})")
        method = "ocr" if quality == 0 else "text-layer+ocr"
        return _done("pdf", text, method, limits, pages=n_pages, ocr_pages=done_pages, notes=notes)
    finally:
        with PDFIUM_LOCK:
            pdf.close()


def _pdf_text(pdf, n_pages: int, limits: Limits) -> tuple[list[str], list[str]]:
    """The text layer of the first pages, bounded in pages, characters and seconds."""
    import pypdfium2 as pdfium

    started = time.monotonic()
    parts: list[str] = []
    notes: list[str] = []
    size = 0
    for i in range(min(n_pages, limits.max_pages)):
        if time.monotonic() - started > limits.seconds:
            notes.append(f"stopped after {i} pages: time limit")
            break
        # Handles are closed here, under the lock, never by a finalizer in another thread.
        page = pdf[i]
        try:
            textpage = page.get_textpage()
            try:
                parts.append(textpage.get_text_range())
            finally:
                textpage.close()
        except pdfium.PdfiumError:
            parts.append("")
        finally:
            page.close()
        size += len(parts[-1])
        if size > limits.max_chars:
            break
    if n_pages > limits.max_pages:
        notes.append(f"read the first {limits.max_pages} of {n_pages} pages")
    return parts, notes


# --- Office Open XML ---------------------------------------------------------------------


def _check_zip(body: bytes, limits: Limits) -> None:
    """Refuse zip bombs before any parser inflates them."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(body))
    except zipfile.BadZipFile as exc:
        raise DocumentError("corrupt file (bad ZIP structure)") from exc
    total = sum(i.file_size for i in zf.infolist())
    packed = max(sum(i.compress_size for i in zf.infolist()), 1)
    if total > limits.max_unzipped or total / packed > limits.max_zip_ratio and total > 5_000_000:
        raise DocumentError(
            f"decompression limit hit ({total // 1_000_000} MB unpacked from {len(body) // 1000} kB)"
        )


def _docx(body: bytes, limits: Limits) -> Extracted:
    import docx

    document = docx.Document(io.BytesIO(body))
    lines: list[str] = []
    size = 0
    for block in _docx_blocks(document):
        lines.append(block)
        size += len(block)
        if size > limits.max_chars:
            break
    return _done("docx", "\n".join(lines), "office", limits)


def _docx_blocks(document):
    body = document.element.body
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for child in body.iterchildren():
        if child.tag == ns + "p":
            text = "".join(t.text or "" for t in child.iter(ns + "t"))
            if text.strip():
                yield text
        elif child.tag == ns + "tbl":
            for row in child.iter(ns + "tr"):
                cells = ["".join(t.text or "" for t in tc.iter(ns + "t")) for tc in row.iter(ns + "tc")]
                yield " | ".join(c for c in cells if c.strip())


def _xlsx(body: bytes, limits: Limits) -> Extracted:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    lines, cells = [], 0
    try:
        for ws in wb.worksheets:
            lines.append(ws.title)
            for row in ws.iter_rows(values_only=True):
                vals = [str(v) for v in row if v is not None and str(v).strip()]
                cells += len(row)
                if vals:
                    lines.append(" | ".join(vals))
                if cells > limits.max_cells:
                    break
            if cells > limits.max_cells:
                break
    finally:
        wb.close()
    return _done("xlsx", "\n".join(lines), "office", limits)


# --- legacy OLE (DOC, XLS) -------------------------------------------------------------


def _ole(body: bytes, limits: Limits) -> Extracted:
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(body))
    except OSError as exc:
        raise DocumentError("corrupt DOC/XLS file") from exc
    try:
        if ole.exists("WordDocument"):
            return _done("doc", _doc_text(ole), "office", limits)
        if ole.exists("Workbook") or ole.exists("Book"):
            return _xls(body, limits)
        if ole.exists("EncryptedPackage"):
            raise DocumentError("encrypted Office file (password protected)")
        raise DocumentError("OLE file that is neither DOC nor XLS")
    finally:
        ole.close()


def _doc_text(ole) -> str:
    """Text of a Word 97-2003 file via its piece table (Thai is stored as UTF-16 pieces)."""
    word = ole.openstream("WordDocument").read()
    if len(word) < 0x1AA:
        raise DocumentError("corrupt DOC file (header too short)")
    flags = struct.unpack_from("<H", word, 0x0A)[0]
    if flags & 0x0100:
        raise DocumentError("encrypted DOC (password protected)")
    table_name = "1Table" if flags & 0x0200 else "0Table"
    if not ole.exists(table_name):
        raise DocumentError("corrupt DOC file (no table stream)")
    table = ole.openstream(table_name).read()
    fc_clx, lcb_clx = struct.unpack_from("<II", word, 0x01A2)
    clx = table[fc_clx : fc_clx + lcb_clx]
    pos = 0
    while pos < len(clx) and clx[pos] == 0x01:  # skip Prc (property modifiers)
        pos += 3 + struct.unpack_from("<H", clx, pos + 1)[0]
    if pos >= len(clx) or clx[pos] != 0x02:
        raise DocumentError("corrupt DOC file (no piece table)")
    lcb = struct.unpack_from("<I", clx, pos + 1)[0]
    plc = clx[pos + 5 : pos + 5 + lcb]
    n = (lcb - 4) // 12
    cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
    out = []
    for i in range(n):
        fc_raw = struct.unpack_from("<I", plc, 4 * (n + 1) + 8 * i + 2)[0]
        chars = cps[i + 1] - cps[i]
        if fc_raw & 0x40000000:
            start = (fc_raw & 0x3FFFFFFF) // 2
            out.append(word[start : start + chars].decode("cp1252", errors="replace"))
        else:
            out.append(word[fc_raw : fc_raw + 2 * chars].decode("utf-16-le", errors="replace"))
    text = "".join(out)
    # Word's field and cell marks -> line breaks.
    return text.translate({0x0D: "\n", 0x07: "\n", 0x0B: "\n", 0x0C: "\n", 0x13: None, 0x14: None, 0x15: None})


def _xls(body: bytes, limits: Limits) -> Extracted:
    import xlrd

    book = xlrd.open_workbook(file_contents=body, on_demand=True)
    lines, cells = [], 0
    try:
        for idx in range(book.nsheets):
            sh = book.sheet_by_index(idx)
            lines.append(sh.name)
            for r in range(sh.nrows):
                vals = [str(v) for v in sh.row_values(r) if str(v).strip()]
                cells += sh.ncols
                if vals:
                    lines.append(" | ".join(vals))
                if cells > limits.max_cells:
                    break
            book.unload_sheet(idx)
            if cells > limits.max_cells:
                break
    finally:
        book.release_resources()
    return _done("xls", "\n".join(lines), "office", limits)


# --- images ------------------------------------------------------------------------------


def _image(body: bytes, limits: Limits, ocr) -> Extracted:
    from PIL import Image

    # PIL's own bomb limit (Image.MAX_IMAGE_PIXELS) is set once at start-up (oitcheck.crawl.configure_process),
    # never from these worker threads; the size check below applies this document's limits.
    try:
        img = Image.open(io.BytesIO(body))
        img.size  # noqa: B018 - header parsed, pixels not decoded yet
    except Image.DecompressionBombError as exc:
        raise DocumentError("decompression limit hit (image too many pixels)") from exc
    except Exception as exc:
        raise DocumentError("corrupt image") from exc
    if img.width * img.height > limits.max_image_pixels:
        raise DocumentError("decompression limit hit (image too many pixels)")
    if ocr is None:
        # Not an error: a picture is read only when OCR is on; the report says OCR was off.
        return Extracted(kind="image", method="none", notes=["OCR is off: the picture was not read"])
    text, note = ocr.image(body, img, limits)
    if not text.strip():
        # A photo: nothing to read, and nothing wrong with it.
        return Extracted(kind="image", method="none", ocr_pages=1, notes=["no text in the picture"])
    return _done("image", text, "ocr", limits, pages=1, ocr_pages=1, notes=[note] if note else [])

"""OCR with tesseract (Thai + English), bounded per document and cached by content hash.

A nightly re-crawl meets the same scanned PDFs again; the cache makes the second OCR of a
file a file read. The cache key is the SHA-256 of the file's bytes plus the OCR settings.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import time
from pathlib import Path


def default_cache_dir() -> Path:
    base = os.environ.get("OITCHECK_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "oitcheck"
    )
    return Path(base) / "ocr"


# Pixels on a picture's long side beyond which it is scaled down before OCR: an A4 scan at
# 250 dpi is under 3,000; a 4,608-pixel phone photo took 4.9 s to OCR at full size and 0.6 s
# scaled to 2,000 (and photos are most of what a content image turns out to be).
IMAGE_MAX_SIDE = 3000


class OcrUnavailable(RuntimeError):
    pass


class OcrEngine:
    """Runs tesseract on page images; counts what it did so the report can say so."""

    def __init__(self, cache_dir: Path | None = None, lang: str = "tha+eng"):  # Thai + English, as agencies mix them
        if not shutil.which("tesseract"):
            raise OcrUnavailable("tesseract is not installed (apt-get install tesseract-ocr-tha)")
        self.lang = lang
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.pages_done = 0
        self.seconds = 0.0
        self.cache_hits = 0
        self._count = threading.Lock()  # the counters are bumped from extraction threads
        # One thread per tesseract: the crawl already reads several documents at once, and
        # tesseract's OpenMP threads fighting over the same cores made one small scan take
        # 34 s instead of 2.8 s on 2 cores (a real อบต. site). Set once, before any OCR
        # starts; pytesseract's subprocesses inherit it. A value the user set is kept.
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")

    @classmethod
    def create(cls, cache_dir=None):
        """An engine, or None when tesseract is missing (the report then says OCR is off)."""
        try:
            return cls(cache_dir)
        except OcrUnavailable:
            return None

    # --- cache -----------------------------------------------------------------------
    def _key(self, body: bytes, limits) -> Path:
        h = hashlib.sha256(body)
        h.update(f"{self.lang}|{limits.ocr_dpi}|{limits.ocr_pages}|{IMAGE_MAX_SIDE}".encode())
        return self.cache_dir / h.hexdigest()[:2] / (h.hexdigest() + ".json")

    def _cached(self, key: Path):
        try:
            data = json.loads(key.read_text("utf-8"))
        except (OSError, ValueError):
            return None
        with self._count:
            self.cache_hits += 1
        return data

    def _store(self, key: Path, data: dict) -> None:
        key.parent.mkdir(parents=True, exist_ok=True)
        tmp = key.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")  # writers never share a temp file
        tmp.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
        tmp.replace(key)

    # --- work ------------------------------------------------------------------------
    def _run(self, image, deadline: float) -> str:
        import pytesseract

        left = deadline - time.monotonic()
        if left <= 1:
            raise TimeoutError
        started = time.monotonic()
        try:
            # --psm 3: automatic page segmentation, what a scanned A4 page needs.
            return pytesseract.image_to_string(image, lang=self.lang, config="--psm 3", timeout=left)
        except RuntimeError as exc:  # pytesseract raises RuntimeError on its timeout
            raise TimeoutError from exc
        finally:
            with self._count:
                self.seconds += time.monotonic() - started
                self.pages_done += 1

    def pdf(self, body: bytes, pdf, limits, pdfium_lock) -> tuple[str, int, str]:
        """OCR the first pages of an opened pypdfium2 document: (text, pages, note).

        Pages are rendered holding ``pdfium_lock`` (PDFium is not thread-safe); tesseract
        runs without it, so other documents are read meanwhile."""
        key = self._key(body, limits)
        hit = self._cached(key)
        if hit is not None:
            return hit["text"], hit["pages"], hit.get("note", "")
        deadline = time.monotonic() + limits.ocr_seconds
        texts, note = [], ""
        with pdfium_lock:
            n_all = len(pdf)
        n = min(n_all, limits.ocr_pages)
        for i in range(n):
            with pdfium_lock:  # handles closed here, not by a finalizer in another thread
                page = pdf[i]
                try:
                    # Grey, and no larger than IMAGE_MAX_SIDE: a poster-sized page at 200 dpi
                    # is 60 MB of pixels per reader thread otherwise (memory stays flat).
                    scale = min(limits.ocr_dpi / 72, IMAGE_MAX_SIDE / max(1.0, *page.get_size()))
                    bitmap = page.render(scale=scale, grayscale=True)
                    try:
                        image = bitmap.to_pil().copy()  # to_pil shares the bitmap's buffer
                    finally:
                        bitmap.close()
                finally:
                    page.close()
            try:
                texts.append(self._run(image, deadline))
            except TimeoutError:
                note = f"OCR stopped after {i} pages: time limit"
                break
        if not note and n_all > n:
            note = f"OCR read the first {n} of {n_all} pages"
        self._store(key, {"text": "\n".join(texts), "pages": len(texts), "note": note})
        return "\n".join(texts), len(texts), note

    def image(self, body: bytes, img, limits) -> tuple[str, str]:
        key = self._key(body, limits)
        hit = self._cached(key)
        if hit is not None:
            return hit["text"], hit.get("note", "")
        try:
            gray = img.convert("L")  # tesseract binarises anyway; a third of the pixels to hand over
            if max(gray.size) > IMAGE_MAX_SIDE:
                gray.thumbnail((IMAGE_MAX_SIDE, IMAGE_MAX_SIDE))
            text, note = self._run(gray, time.monotonic() + limits.ocr_seconds), ""
        except TimeoutError:
            text, note = "", "OCR time limit"
        self._store(key, {"text": text, "pages": 1, "note": note})
        return text, note

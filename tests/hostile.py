"""A hostile agency site for tests: every trap and fault old Thai sites have, served on
127.0.0.1 beside a genuine site (built by oitcheck.sitegen) whose evidence must survive."""

from __future__ import annotations

import io
import time
import uuid
import zipfile
from http.server import SimpleHTTPRequestHandler

# path -> the reason the report must give for it
PLANTED = {
    "/files/fake.pdf": "not a PDF: the server sent an HTML page",
    "/files/truncated.pdf": "corrupt PDF",
    "/files/locked.pdf": "encrypted PDF (password protected)",
    "/secure.html": "TLS/certificate problem",  # https:// to a port that only speaks plain HTTP
    "/files/bomb.docx": "decompression limit hit",
    "/files/video.mp4": "skipped: media file, not a document",
    "/files/movie": "too large",
    "/loop-a": "redirect loop",
    "/slow.html": "timeout",
    "/error500.html": "HTTP 500",
    "/missing.html": "HTTP 404",
    "/calendar.php": "trap: endless calendar variants",
    "/huge.html": "page too large",
}

HOSTILE_LINKS = """
<ul>
<li><a href="/files/fake.pdf">แผนดำเนินงาน (ไฟล์เสีย)</a></li>
<li><a href="/files/truncated.pdf">รายงาน (ไฟล์ไม่ครบ)</a></li>
<li><a href="/files/locked.pdf">งบการเงิน (มีรหัสผ่าน)</a></li>
<li><a href="https://127.0.0.1:{port}/secure.html">ระบบสมาชิก (https)</a></li>
<li><a href="/files/bomb.docx">คู่มือ</a></li>
<li><a href="/files/video.mp4">วิดีโอประชาสัมพันธ์</a></li>
<li><a href="/files/movie">ภาพยนตร์สั้น</a></li>
<li><a href="/loop-a">ลิงก์วนซ้ำ</a></li>
<li><a href="/slow.html">หน้าช้า</a></li>
<li><a href="/error500.html">ระบบขัดข้อง</a></li>
<li><a href="/missing.html">หน้าที่ถูกลบ</a></li>
<li><a href="/calendar.php?date=2568-01-01">ปฏิทินกิจกรรม</a></li>
<li><a href="/session.php?PHPSESSID=abc">เข้าสู่ระบบ</a></li>
<li><a href="/a/b/a/b/a/b/a/b/">ลึกมาก</a></li>
<li><a href="/huge.html">หน้าใหญ่</a></li>
<li><a href="mailto:x@example.go.th">อีเมล</a> <a href="javascript:alert(1)">js</a> <a href="../../../../etc/passwd">passwd</a></li>
</ul>
"""


def zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<w:document>" + b"A" * 300_000_000 + b"</w:document>")
    return buf.getvalue()


def locked_pdf() -> bytes:
    """A PDF whose Standard security handler wants a user password nobody has.

    The objects are left unencrypted: without the key a reader cannot know that, which is all
    the crawler's error path needs."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /Filter /Standard /V 1 /R 2 /Length 40 /P -44 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 4 0 R /ID [<%s> <%s>] >>\n" % (len(objs) + 1, b"ab" * 16, b"ab" * 16)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


class HostileHandler(SimpleHTTPRequestHandler):
    bomb = None
    slow_seconds = 6

    def log_message(self, *args):
        pass

    def _send(self, code, body: bytes, ctype="text/html; charset=utf-8", headers=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: C901 - one branch per planted fault
        path, _, query = self.path.partition("?")
        if path == "/files/fake.pdf":
            return self._send(200, b"<!doctype html><html><body>404 - file not found</body></html>", "application/pdf")
        if path == "/files/truncated.pdf":
            data = (self.directory_path() / "files" / "doc_0001.pdf").read_bytes()
            return self._send(200, data[: len(data) // 4], "application/pdf")
        if path == "/files/locked.pdf":
            return self._send(200, locked_pdf(), "application/pdf")
        if path == "/files/bomb.docx":
            if HostileHandler.bomb is None:
                HostileHandler.bomb = zip_bomb()
            return self._send(200, HostileHandler.bomb,
                              "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        if path in ("/files/video.mp4", "/files/movie"):
            # 200 MB, streamed; the crawler must stop reading early.
            self.send_response(200)
            self.send_header("Content-Type", "video/mp4" if path.endswith(".mp4") else "application/octet-stream")
            self.send_header("Content-Length", str(200 * 1024 * 1024))
            self.end_headers()
            chunk = b"\0" * 65536
            try:
                for _ in range(3200):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return None
        if path in ("/loop-a", "/loop-b"):
            self.send_response(302)
            self.send_header("Location", "/loop-b" if path == "/loop-a" else "/loop-a")
            self.end_headers()
            return None
        if path == "/slow.html":
            time.sleep(self.slow_seconds)
            return self._send(200, b"<html><body>late</body></html>")
        if path == "/error500.html":
            return self._send(500, b"<html><body>error</body></html>")
        if path == "/calendar.php":
            # A month grid: a link per day and to the next month, forever.
            day = query.split("=", 1)[-1]
            y, m, _ = (int(x) for x in day.split("-"))
            links = "".join(f"<a href='/calendar.php?date={y}-{m:02d}-{d:02d}'>{d}</a> " for d in range(1, 29))
            nxt = f"{y + (m == 12)}-{m % 12 + 1:02d}-01"
            return self._send(200, f"<html><body>กิจกรรม {day} {links}<a href='/calendar.php?date={nxt}'>เดือนถัดไป</a></body></html>".encode())
        if path == "/session.php":
            sid = uuid.uuid4().hex
            return self._send(200, f"<html><body><a href='/session.php?PHPSESSID={sid}'>ต่อ</a></body></html>".encode())
        if path.startswith("/a/b/"):
            return self._send(200, b"<html><body><a href='a/b/'>deeper</a></body></html>")
        if path == "/huge.html":
            return self._send(200, b"<html><body>" + "ข้อความ ".encode() * 800_000 + b"</body></html>")
        if path == "/hostile.html":
            return self._send(200, ("<html><head><title>ลิงก์ที่เสีย</title></head><body>" + HOSTILE_LINKS.format(port=self.server.server_port) + "</body></html>").encode())
        return super().do_GET()

    def directory_path(self):
        from pathlib import Path

        return Path(self.directory)

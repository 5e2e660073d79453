"""A hand-written one-page PDF: the evidence file of the demo and of the tests.

Standard library only, so the tests' small province (tests/world.py) uses it as the demo does.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

#: The last line of every page: the file is an illustration, never a real document.
FOOTER = "Du lieu minh hoa - PAR Ledger demo - khong co gia tri phap ly"


def without_diacritics(text: str) -> str:
    """Vietnamese text without diacritics (đ → d)."""
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in folded if not unicodedata.combining(c))


def demo_pdf(title: str, lines: Sequence[str] = ()) -> bytes:
    """A small valid one-page PDF (Helvetica, so the text is written without diacritics)."""
    text = [title, "", *lines, "", FOOTER]
    shown = " ".join(f"({_pdf_string(line)}) '" for line in text)
    content = f"BT /F1 11 Tf 14 TL 56 800 Td {shown} ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content) + 1, content),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _pdf_string(line: str) -> str:
    text = without_diacritics(line).encode("ascii", "replace").decode("ascii")
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


__all__ = ["demo_pdf", "without_diacritics"]

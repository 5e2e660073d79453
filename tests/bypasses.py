"""Known ways past a redirect check, shared by the unit and the HTTP tests (a plain module, like world.py)."""

from __future__ import annotations

#: Open-redirect bypasses (OWASP's cheat sheet, PortSwigger's and PayloadsAllTheThings' lists, the outside probe).
BYPASSES = [
    "",
    "//evil.example",
    "///evil.example",
    "////evil.example/",
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\t/evil.example",
    "/%09/evil.example".replace("%09", "\t"),
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/x\r\nSet-Cookie: a=b",
    "/\x00/evil.example",
    "/\x7f/evil.example",
    "/\u2028/evil.example",
    "/\u200b/evil.example",
    "https://evil.example",
    "http:evil.example",
    "https:/evil.example",
    "//evil.example@ourhost",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    " /don-vi",
    "don-vi",
    "evil.example",
    ".//evil.example",
]

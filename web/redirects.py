"""Where a page may send the browser next: only a path on this site (no open redirect).

`next` after logging in and `back` after signing come from the request, so an attacker can
write them. A browser reads some strings as another site where a naive check sees a path:
``//evil.example`` and ``/\\evil.example`` (a backslash is a slash to a browser), a tab or a
newline that the browser strips (``/\t/evil.example``), ``https:evil.example``. Nothing is
removed or repaired here: a target with any of these is refused whole.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

#: Unicode categories no path of ours holds: controls, format characters, line and paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, as given; None otherwise."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(unicodedata.category(char) in _REFUSED_CATEGORIES for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return target

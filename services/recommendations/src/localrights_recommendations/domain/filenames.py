"""Content-Disposition for files named after what they hold, in any language (RFC 6266)."""

from __future__ import annotations

from urllib.parse import quote


def content_disposition(disposition: str, filename: str) -> str:
    """``filename`` for every client (ASCII only), ``filename*`` with the real name in UTF-8."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "-").replace('"', "")
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"

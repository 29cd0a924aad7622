"""Which character encoding an upload is in, judged from its first bytes.

Most exports are UTF-8, sometimes with lines of an 8-bit encoding mixed in: those are split
into lines as bytes and each line is decoded on its own (``streams.LineDecoder``). A file a
spreadsheet saves as "Unicode text" is UTF-16 (or UTF-32): every ASCII character carries a
NUL byte, so a CR or LF byte is not a line end and the bytes cannot be split before they are
decoded. Such an upload is decoded as a stream first and handed on as UTF-8 (``Transcoder``),
so the line splitting and record assembly stay the same for every encoding.

Judged in this order: a byte order mark (UTF-32 before UTF-16, whose mark begins UTF-32 LE's),
even over the encoding the caller named, since no real text starts with those bytes; then the
encoding named; without either, UTF-16 from its NUL bytes, nearly all at odd positions
(little-endian) or at even ones (big-endian).
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# How much of the upload is looked at before choosing (more is waited for, when it comes).
SNIFF_BYTES = 4096
# Share of NUL bytes at one parity that marks UTF-16 without a BOM: text in Latin script
# is mostly ASCII, whose high byte is NUL; an 8-bit or UTF-8 text has almost no NUL at all.
_NUL_SHARE = 0.3
_STRAY_NUL_SHARE = 0.05


@dataclass(frozen=True, slots=True)
class UploadEncoding:
    """How an upload is read: ``name`` is a codec, or ``auto`` for UTF-8 with per-line
    fallbacks; ``whole`` when it must be decoded as a stream before lines are split."""

    name: str
    byte_order_mark: bool = False
    whole: bool = False

    @property
    def skip(self) -> int:
        """Bytes of the byte order mark to drop before decoding."""
        if not self.byte_order_mark:
            return 0
        return next(len(mark) for mark, name in BYTE_ORDER_MARKS if name == self.name)


def _ascii_compatible(codec: str) -> bool:
    """Whether the codec writes ASCII as ASCII bytes, so lines can be split as bytes."""
    sample = "Text,To\t;\r\n\"'"
    try:
        return sample.encode(codec) == sample.encode("ascii")
    except UnicodeError:
        return False


def _utf16_without_mark(head: bytes) -> str | None:
    pairs = len(head) // 2
    if pairs < 2:
        return None
    even = head[0 : 2 * pairs : 2].count(0) / pairs
    odd = head[1 : 2 * pairs : 2].count(0) / pairs
    if odd >= _NUL_SHARE and even <= _STRAY_NUL_SHARE:
        return "utf-16-le"
    if even >= _NUL_SHARE and odd <= _STRAY_NUL_SHARE:
        return "utf-16-be"
    return None


def sniff_encoding(head: bytes, declared: str = "auto") -> UploadEncoding:
    """The encoding of an upload from its first bytes and the encoding the caller named.

    Raises LookupError for a codec name Python does not know.
    """
    declared_codec = None if declared == "auto" else codecs.lookup(declared).name
    for mark, name in BYTE_ORDER_MARKS:
        if head.startswith(mark):  # a mark decides, whatever the caller named
            if name == "utf-8":
                return UploadEncoding(declared_codec or "auto", byte_order_mark=True)
            return UploadEncoding(name, byte_order_mark=True, whole=True)
    if declared_codec is not None:
        if declared_codec in ("utf-16", "utf-32"):
            # No mark: the byte order from the NUL bytes, else little-endian as Windows writes.
            sniffed = _utf16_without_mark(head) if declared_codec == "utf-16" else None
            return UploadEncoding(sniffed or f"{declared_codec}-le", whole=True)
        return UploadEncoding(declared_codec, whole=not _ascii_compatible(declared_codec))
    sniffed = _utf16_without_mark(head)
    if sniffed is not None:
        return UploadEncoding(sniffed, whole=True)
    return UploadEncoding("auto")


class Transcoder:
    """Decodes a whole-stream encoding chunk by chunk and hands the text on as UTF-8 bytes."""

    def __init__(self, encoding: UploadEncoding) -> None:
        self.encoding = encoding
        self._decoder = codecs.getincrementaldecoder(encoding.name)(errors="strict")
        self._to_skip = encoding.skip
        self._offset = 0

    def feed(self, chunk: bytes, *, final: bool = False) -> bytes:
        if self._to_skip:
            skipped = chunk[: self._to_skip]
            chunk = chunk[len(skipped) :]
            self._to_skip -= len(skipped)
            self._offset += len(skipped)
        held = len(self._decoder.getstate()[0])  # bytes of a character begun in an earlier chunk
        try:
            text = self._decoder.decode(chunk, final=final)
        except UnicodeDecodeError as exc:
            at = self._offset - held + exc.start
            raise ValueError(
                f"the upload is not valid {self.encoding.name} at byte {at + 1:,}: {exc.reason}"
            ) from None
        self._offset += len(chunk)
        return text.encode("utf-8")

    def finish(self) -> bytes:
        return self.feed(b"", final=True)

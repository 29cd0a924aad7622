"""Turning a byte stream into records incrementally, whatever its line ends and encodings.

Real exports are messy: UPR Info's CSV has CR-only line ends and, in some rows, bytes of
an 8-bit encoding between UTF-8 (the file in ../shared/data/upr-info is Mac Roman: "l\\x8fse
majest\\x8e" is "lèse majesté"). Each physical line is decoded on its own: UTF-8 when it is
valid UTF-8, otherwise the legacy encoding whose reading looks most like text.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from localrights_recommendations.domain.importing.records import RowRejected

LEGACY_CANDIDATES = ("cp1252", "mac_roman")
_LOWER = frozenset("àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿœšžß")
_PUNCTUATION = frozenset("‘’“”–—…°«»")
_CONTRACTION_TAIL = re.compile(r"(?:s|t|d|m|ll|re|ve)(?![a-z])")


def _plausibility(text: str) -> int:
    """How much a decoding's non-ASCII characters look like Western European text."""
    score = 0
    for i, char in enumerate(text):
        if char < "\x80":
            continue
        before = text[i - 1] if i else " "
        if "\x80" <= char <= "\x9f":
            return -1_000  # C1 control: not this encoding
        if char in _LOWER:
            score += 3  # accented lower case is by far the commonest non-ASCII in this text
        elif char.isalpha() and char.isupper():
            score += 2 if not before.isalpha() else -1  # capitals start words
        elif char == "’" and before.isalpha() and _CONTRACTION_TAIL.match(text, i + 1):
            score += 3  # don’t, State’s
        elif char in _PUNCTUATION:
            score += 1
        else:
            score -= 1
    return score


class LineDecoder:
    """Decodes one physical line at a time and counts which encoding each line needed."""

    def __init__(self, encoding: str = "auto") -> None:
        if encoding != "auto":
            codecs.lookup(encoding)  # LookupError for an unknown name
        self.encoding = encoding
        self.used: Counter[str] = Counter()

    def decode(self, raw: bytes) -> str:
        if self.encoding != "auto":
            try:
                text = raw.decode(self.encoding)
            except UnicodeDecodeError as exc:
                column = exc.start + 1
                raise RowRejected(f"bytes not valid {self.encoding} at column {column}") from None
            self.used[self.encoding] += 1
            return text
        try:
            text = raw.decode("utf-8")
            self.used["utf-8"] += 1
            return text
        except UnicodeDecodeError:
            pass
        best: tuple[int, str, str] | None = None
        for name in LEGACY_CANDIDATES:
            try:
                candidate = raw.decode(name)
            except UnicodeDecodeError:
                continue
            score = _plausibility(candidate)
            if best is None or score > best[0]:
                best = (score, name, candidate)
        if best is None:  # unreachable for mac_roman, which maps every byte
            self.used["latin-1"] += 1
            return raw.decode("latin-1")
        self.used[best[1]] += 1
        return best[2]


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One logical record: its first physical line number and its fields (or why it failed)."""

    line: int
    fields: list[str] | None = None
    values: dict[str, Any] | None = None
    error: str | None = None


SEPARATORS = {",": "comma", "\t": "tab", ";": "semicolon"}


def sniff_separator(header: str) -> str:
    """The field separator of a CSV header line: the commonest of comma, tab and semicolon
    outside quotes (a comma when none appears)."""
    outside = "".join(header.split('"')[::2])
    counts = {separator: outside.count(separator) for separator in SEPARATORS}
    best = max(counts, key=lambda separator: counts[separator])
    return best if counts[best] else ","


class CsvRecordReader:
    """Feed bytes, get complete CSV records; holds at most one incomplete record in memory.

    The separator is taken from the first record (the header) unless given.
    """

    def __init__(self, decoder: LineDecoder, separator: str | None = None) -> None:
        self._decoder = decoder
        self.separator = separator
        self._tail = b""
        self._pending: list[str] = []
        self._pending_quotes = 0
        self._pending_start = 0
        self._pending_error: str | None = None
        self._line = 0

    def feed(self, chunk: bytes) -> list[SourceRecord]:
        data = self._tail + chunk
        lines = data.splitlines(keepends=True)
        self._tail = b""
        # The last piece may be a line still being written, or a CR whose LF is in the next chunk.
        if lines and (not lines[-1].endswith((b"\n", b"\r")) or lines[-1].endswith(b"\r")):
            self._tail = lines.pop()
        return self._records(lines)

    def finish(self) -> list[SourceRecord]:
        lines = [self._tail] if self._tail else []
        self._tail = b""
        records = self._records(lines)
        if self._pending:
            start = self._pending_start
            self._pending = []
            records.append(SourceRecord(line=start, error="unterminated quoted field"))
        return records

    def _records(self, lines: list[bytes]) -> list[SourceRecord]:
        complete: list[tuple[int, str, str | None]] = []
        for raw in lines:
            self._line += 1
            body = raw.rstrip(b"\r\n")
            if self._line == 1 and body.startswith(codecs.BOM_UTF8):
                body = body[len(codecs.BOM_UTF8) :]
            try:
                text = self._decoder.decode(body)
            except RowRejected as exc:
                text = ""
                self._pending_error = self._pending_error or str(exc)
            if not self._pending:
                self._pending_start = self._line
            self._pending.append(text)
            self._pending_quotes += text.count('"')
            if self._pending_quotes % 2 == 0:  # quotes balanced: the record is complete
                complete.append(
                    (self._pending_start, "\n".join(self._pending), self._pending_error)
                )
                self._pending, self._pending_quotes, self._pending_error = [], 0, None
        records: list[SourceRecord] = []
        for line, record_text, error in complete:
            if error is not None:
                records.append(SourceRecord(line=line, error=error))
            elif record_text.strip():  # a blank line: nothing to import, nothing to report
                if self.separator is None:
                    self.separator = sniff_separator(record_text)
                try:
                    reader = csv.reader((record_text,), strict=True, delimiter=self.separator)
                    fields = next(reader)
                except csv.Error as exc:
                    records.append(SourceRecord(line=line, error=f"malformed CSV: {exc}"))
                else:
                    records.append(SourceRecord(line=line, fields=fields))
        return records


_WRAPPER = re.compile(r'\s*\{\s*"[^"]{1,40}"\s*:\s*\[')
_FIRST_KEY = re.compile(r'\s*\{\s*"[^"]{1,40}"\s*:\s*')
_SEPARATORS = " \t\r\n,"


class JsonRecordReader:
    """Feed bytes of a JSON array (or ``{"value": [...]}``, or JSON lines), get its objects."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._json = json.JSONDecoder()
        self._buffer = ""
        self._started = False
        self._ended = False
        self._line = 1
        self._index = 0

    def feed(self, chunk: bytes) -> list[SourceRecord]:
        try:
            self._buffer += self._decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            raise ValueError(f"JSON body is not UTF-8 near line {self._line}: {exc}") from None
        return self._drain(final=False)

    def finish(self) -> list[SourceRecord]:
        self._buffer += self._decoder.decode(b"", final=True)
        records = self._drain(final=True)
        if self._buffer.strip(_SEPARATORS + "]}"):
            raise ValueError(f"JSON body ends with an incomplete record near line {self._line}")
        return records

    def _skip(self, characters: str) -> None:
        stripped = self._buffer.lstrip(characters)
        self._line += self._buffer[: len(self._buffer) - len(stripped)].count("\n")
        self._buffer = stripped

    def _drain(self, *, final: bool) -> list[SourceRecord]:
        records: list[SourceRecord] = []
        if not self._started:
            self._skip(" \t\r\n\ufeff")
            wrapper = _WRAPPER.match(self._buffer)
            key = _FIRST_KEY.match(self._buffer)
            if (
                not final
                and self._buffer.startswith("{")
                and not wrapper
                and (key is None or key.end() == len(self._buffer))
                and len(self._buffer) < 64
            ):
                return records  # too little yet to tell {"value": [...]} from JSON lines
            if wrapper:
                self._buffer = self._buffer[wrapper.end() :]
            elif self._buffer.startswith("["):
                self._buffer = self._buffer[1:]
            elif self._buffer.startswith("{") or (final and not self._buffer):
                pass  # JSON lines (or an empty body)
            elif self._buffer or final:
                raise ValueError("a JSON body must be an array of records")
            else:
                return records
            self._started = True
        while not self._ended:
            self._skip(_SEPARATORS)
            if not self._buffer:
                break
            if self._buffer[0] in "]}":
                self._ended = True
                break
            try:
                value, end = self._json.raw_decode(self._buffer)
            except json.JSONDecodeError as exc:
                if final or len(self._buffer) > 8 * 1024 * 1024:
                    raise ValueError(f"invalid JSON near line {self._line}: {exc.msg}") from None
                break  # the record continues in the next chunk
            self._index += 1
            if isinstance(value, dict):
                records.append(SourceRecord(line=self._line, values=value))
            else:
                records.append(
                    SourceRecord(line=self._line, error=f"record {self._index} is not an object")
                )
            self._line += self._buffer[:end].count("\n")
            self._buffer = self._buffer[end:]
        return records

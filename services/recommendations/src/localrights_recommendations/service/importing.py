"""Importing recommendations from a streamed upload, in batches, in one transaction.

The body is read chunk by chunk (``request.stream()``), decoded line by line, parsed row by
row and upserted ``batch_size`` rows at a time with one ``INSERT ... SELECT FROM
jsonb_to_recordset ... ON CONFLICT`` statement, so memory holds one batch and an 8-byte
digest of each natural key seen so far with its line (to report a row repeated within the
same upload: about 100 bytes a row, against about 250 for the row itself), never the file.
Everything commits together with the ``recommendation.imported`` event: an import that
fails half way leaves nothing behind. Owner level and jurisdictions, which a ministry sets
after import, are never overwritten by a re-import.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID, uuid4

from sqlmodel.ext.asyncio.session import AsyncSession

from localrights.errors import PayloadTooLarge
from localrights.uow import UnitOfWork
from localrights_recommendations import events
from localrights_recommendations.domain.importing import (
    CsvRecordReader,
    JsonRecordReader,
    LineDecoder,
    RecommendationRecord,
    RowParser,
    RowRejected,
    detect_csv_format,
    parser_for,
)
from localrights_recommendations.domain.importing.encodings import (
    SNIFF_BYTES,
    Transcoder,
    UploadEncoding,
    sniff_encoding,
)
from localrights_recommendations.domain.importing.streams import SEPARATORS, SourceRecord
from localrights_recommendations.exceptions import UnreadableImport
from localrights_recommendations.models import ImportBatch
from localrights_recommendations.repository import recommendations
from localrights_recommendations.schemas import ImportReport, RowProblem, RowWarning


@dataclass
class _Progress:
    report_limit: int
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    warnings_count: int = 0
    rejected_rows: list[RowProblem] = field(default_factory=list)
    warnings: list[RowWarning] = field(default_factory=list)
    unknown_countries: Counter[str] = field(default_factory=Counter)
    countries: set[str] = field(default_factory=set)
    mechanisms: set[str] = field(default_factory=set)
    seen: dict[int, int] = field(default_factory=dict)

    def reject(self, line: int, reason: str) -> None:
        self.rejected += 1
        if len(self.rejected_rows) < self.report_limit:
            self.rejected_rows.append(RowProblem(line=line, reason=reason))

    def warn(self, line: int, message: str) -> None:
        self.warnings_count += 1
        if len(self.warnings) < self.report_limit:
            self.warnings.append(RowWarning(line=line, message=message))


async def _limited(body: AsyncIterator[bytes], max_bytes: int) -> AsyncIterator[bytes]:
    received = 0
    async for chunk in body:
        received += len(chunk)
        if received > max_bytes:
            raise PayloadTooLarge(f"an import body may hold at most {max_bytes:,} bytes")
        if chunk:
            yield chunk


async def import_recommendations(
    uow: UnitOfWork,
    *,
    body: AsyncIterator[bytes],
    source_format: str,
    encoding: str,
    content_type: str | None,
    imported_by: str,
    batch_size: int = 1000,
    report_limit: int = 10_000,
    max_bytes: int = 512 * 1024 * 1024,
    on_progress: Callable[[int], Awaitable[None]] | None = None,
) -> ImportReport:
    """Read an upload in one of the known column sets and upsert its rows; report every row.

    ``on_progress`` hears the number of rows read after each batch (an import job records it).
    """
    session = uow.session
    import_id = uuid4()
    progress = _Progress(report_limit=report_limit)
    try:
        LineDecoder(encoding)
    except (LookupError, ValueError):  # ValueError: a name with a NUL character in it
        raise UnreadableImport(f"unknown character encoding {encoding!r}") from None
    chunks = _limited(body, max_bytes)
    head = await _head(chunks)
    # UTF-16 and UTF-32 are decoded as a stream and read on as UTF-8; other encodings are
    # split into lines as bytes and decoded line by line.
    upload = sniff_encoding(head, encoding)
    transcoder = Transcoder(upload) if upload.whole else None
    decoder = LineDecoder("utf-8" if transcoder else encoding)

    def utf8(chunk: bytes) -> bytes:
        return transcoder.feed(chunk) if transcoder else chunk

    try:
        first = utf8(head)
    except ValueError as exc:
        raise UnreadableImport(str(exc)) from None
    is_json = source_format == "uhri_json" or (
        source_format == "auto"
        and ("json" in (content_type or "") or first.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in b"[{")
    )
    reader: CsvRecordReader | JsonRecordReader = (
        JsonRecordReader() if is_json else CsvRecordReader(decoder)
    )
    parser: RowParser | None = parser_for("uhri_json") if is_json else None
    if source_format not in ("auto", "uhri_json") and is_json:
        raise UnreadableImport(f"a {source_format} upload must be CSV")
    batch: list[RecommendationRecord] = []

    async def consume(records: list[SourceRecord]) -> None:
        nonlocal parser
        for record in records:
            if parser is None:  # the CSV header
                parser = _csv_parser(record, source_format)
                continue
            progress.rows += 1
            _parse_row(parser, record, progress, batch)
            if len(batch) >= batch_size:
                await _flush(session, batch, import_id, progress)
                if on_progress is not None:
                    await on_progress(progress.rows)

    try:
        await consume(reader.feed(first))
        async for chunk in chunks:
            await consume(reader.feed(utf8(chunk)))
        if transcoder:
            await consume(reader.feed(transcoder.finish()))
        await consume(reader.finish())
    except ValueError as exc:  # the stream as a whole is unreadable (broken JSON ...)
        raise UnreadableImport(str(exc)) from None
    if parser is None:
        raise UnreadableImport("the upload has no header row")
    await _flush(session, batch, import_id, progress)

    report = ImportReport(
        import_id=import_id,
        source_format=parser.source_format,
        rows=progress.rows,
        created=progress.created,
        updated=progress.updated,
        unchanged=progress.unchanged,
        rejected=progress.rejected,
        rejected_rows=progress.rejected_rows,
        rejected_rows_truncated=progress.rejected > len(progress.rejected_rows),
        warnings=progress.warnings,
        warnings_count=progress.warnings_count,
        unknown_countries=dict(progress.unknown_countries.most_common()),
        decoded_lines=(
            {upload.name: decoder.used.total()}
            if transcoder and decoder.used
            else dict(decoder.used)
        ),
        encoding=_encoding_read(upload, decoder),
        byte_order_mark=upload.byte_order_mark,
        separator=SEPARATORS.get(reader.separator or "")
        if isinstance(reader, CsvRecordReader)
        else None,
        countries=sorted(progress.countries),
        mechanisms=sorted(progress.mechanisms),
    )
    session.add(
        ImportBatch(
            id=import_id,
            source_format=report.source_format,
            imported_by=imported_by,
            rows=report.rows,
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            rejected=report.rejected,
            report=report.model_dump(mode="json", exclude={"warnings"}),
        )
    )
    uow.emit(
        events.recommendations_imported(report, import_id=import_id, imported_at=datetime.now(UTC))
    )
    return report


async def _head(chunks: AsyncIterator[bytes]) -> bytes:
    """The first bytes of the upload, enough to tell its encoding (blank chunks dropped)."""
    head = b""
    async for chunk in chunks:
        if head or chunk.strip():
            head += chunk
            if len(head) >= SNIFF_BYTES:
                break
    if not head.strip():
        raise UnreadableImport("the upload is empty")
    return head


def _encoding_read(upload: UploadEncoding, decoder: LineDecoder) -> str:
    """The encoding named in the report: the one chosen, or, line by line, the commonest."""
    if upload.name != "auto":
        return upload.name
    return decoder.used.most_common(1)[0][0] if decoder.used else "utf-8"


def _csv_parser(header: SourceRecord, source_format: str) -> RowParser:
    if header.fields is None:
        raise UnreadableImport(f"unreadable header row: {header.error}")
    try:
        detected = detect_csv_format(header.fields)
        if source_format != "auto" and detected != source_format:
            raise ValueError(f"the header is a {detected} header, not {source_format}")
        return parser_for(detected, header.fields)
    except ValueError as exc:
        raise UnreadableImport(str(exc)) from None


def _key_digest(source: str, natural_key: str) -> int:
    # 64 bits: a false "duplicate" needs a collision among the keys of one upload (~1e-8
    # for a million rows); the full keys would cost more memory than the rows themselves.
    digest = hashlib.blake2b(f"{source}\x1f{natural_key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _parse_row(
    parser: RowParser,
    record: SourceRecord,
    progress: _Progress,
    batch: list[RecommendationRecord],
) -> None:
    if record.error is not None:
        progress.reject(record.line, record.error)
        return
    try:
        parsed = parser.parse(record.fields, record.values)
    except RowRejected as exc:
        progress.unknown_countries.update(exc.unknown_countries)
        progress.reject(record.line, str(exc))
        return
    progress.unknown_countries.update(parsed.unknown_countries)
    for message in parsed.warnings:
        progress.warn(record.line, message)
    fresh = []
    for rec in parsed.records:
        key = _key_digest(rec.source, rec.natural_key)
        earlier = progress.seen.get(key)
        if earlier is not None:
            progress.reject(
                record.line, f"duplicate of line {earlier} (same recommendation in this upload)"
            )
            return
        fresh.append(rec)
    for rec in fresh:
        progress.seen[_key_digest(rec.source, rec.natural_key)] = record.line
        progress.countries.add(rec.country)
        progress.mechanisms.add(rec.mechanism)
    batch.extend(fresh)


async def _flush(
    session: AsyncSession,
    batch: list[RecommendationRecord],
    import_id: UUID,
    progress: _Progress,
) -> None:
    if not batch:
        return
    rows = json.dumps([record.as_row() for record in batch])
    flags = await recommendations.upsert(session, rows_json=rows, import_id=import_id)
    progress.created += sum(flags)
    progress.updated += len(flags) - sum(flags)
    progress.unchanged += len(batch) - len(flags)
    batch.clear()

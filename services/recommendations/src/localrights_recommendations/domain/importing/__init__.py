"""Reading the exports users already hold (UHRI CSV/JSON, UPR Info CSV) into records, row by row."""

from localrights_recommendations.domain.importing.formats import (
    SOURCE_FORMATS,
    RowParser,
    detect_csv_format,
    parser_for,
)
from localrights_recommendations.domain.importing.records import (
    ParsedRow,
    RecommendationRecord,
    RowRejected,
)
from localrights_recommendations.domain.importing.streams import (
    CsvRecordReader,
    JsonRecordReader,
    LineDecoder,
)

__all__ = [
    "SOURCE_FORMATS",
    "CsvRecordReader",
    "JsonRecordReader",
    "LineDecoder",
    "ParsedRow",
    "RecommendationRecord",
    "RowParser",
    "RowRejected",
    "detect_csv_format",
    "parser_for",
]

"""The base of the recommendations database's tables and the column shapes they share.

Apart from ``models`` so that the tables of follow-up (``follow_up_models``) can share it
while ``models`` lists them all: Alembic and the schema check read every table from there.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Text, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import SQLModel

from localrights.db import service_registry


class RecommendationsTable(SQLModel, registry=service_registry()):
    """Base of the recommendations database's tables (its own MetaData)."""


def now_column() -> Column[datetime]:
    return Column(DateTime(timezone=True), nullable=False, server_default=func.now())


def text_array() -> Column[list[str]]:
    return Column(ARRAY(Text), nullable=False, server_default="{}")

"""Fixtures of the recommendations tests: the service on a fresh database and topic namespace."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID, uuid4

import httpx
import pytest
from fastapi import FastAPI

from localrights.auth import Role
from localrights.testing.helpers import bearer, running_app
from localrights.testing.plugin import MigratedDatabase
from localrights_recommendations.config import Settings
from localrights_recommendations.main import create_app

SERVICE = Path(__file__).resolve().parents[1]
REPO = SERVICE.parents[1]
MIGRATIONS = SERVICE / "migrations"
SAMPLES = REPO / "tests" / "data"
# The real UPR Info export lives beside the clone (read-only reference data, not ours to copy).
UPR_INFO_DATA = REPO.parent / "shared" / "data" / "upr-info"


@pytest.fixture
async def database_url(migrated_database: MigratedDatabase) -> str:
    return await migrated_database(MIGRATIONS)


@pytest.fixture
def settings(
    database_url: str, kafka_bootstrap_servers: str, topic_prefix: str, internal_jwt_secret: str
) -> Settings:
    return Settings(
        database_url=database_url,
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        internal_jwt_secret=internal_jwt_secret,
        log_json=False,
        import_batch_size=500,
    )


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app) as http:
        yield http


@dataclass(frozen=True)
class Actors:
    """Headers of the people the tests act as (tokens as the gateway would sign them)."""

    secret: str
    ministry_id: UUID

    @property
    def ministry(self) -> dict[str, str]:
        return bearer(
            self.secret, Role.MINISTRY_OFFICER, institution_id=self.ministry_id, country="UY"
        )

    def other_ministry(self) -> dict[str, str]:
        return bearer(self.secret, Role.MINISTRY_OFFICER, institution_id=uuid4(), country="UY")

    @property
    def admin(self) -> dict[str, str]:
        return bearer(self.secret, Role.ADMIN)

    def institution(self, institution_id: UUID, jurisdiction: str) -> dict[str, str]:
        return bearer(
            self.secret,
            Role.INSTITUTION_OFFICER,
            institution_id=institution_id,
            jurisdiction=jurisdiction,
            country=jurisdiction[:2],
        )


@pytest.fixture
def actors(internal_jwt_secret: str) -> Actors:
    return Actors(secret=internal_jwt_secret, ministry_id=uuid4())


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    body: bytes,
    *,
    content_type: str = "text/csv",
    **params: str,
) -> httpx.Response:
    """POST an export to the import endpoint, as a ministry would from the command line."""
    return await client.post(
        "/api/v1/recommendations/import",
        content=body,
        headers={**headers, "content-type": content_type},
        params=params,
        timeout=300,
    )

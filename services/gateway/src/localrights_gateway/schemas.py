"""Request and response models of the gateway's own API."""

from __future__ import annotations

from datetime import datetime
from typing import Self
from uuid import UUID

from pydantic import BaseModel, Field, field_validator, model_validator

from localrights.auth import Role
from localrights_gateway.domain import (
    InstitutionKind,
    check_country,
    check_jurisdiction,
    check_roles,
)

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class InstitutionCreate(BaseModel):
    name: str = Field(min_length=2, max_length=300)
    kind: InstitutionKind
    country: str = Field(description="ISO 3166-1 alpha-2", examples=["UY"])
    jurisdiction: str = Field(
        description="The country or one of its ISO 3166-2 subdivisions", examples=["UY-CA"]
    )
    municipality: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _place(self) -> Self:
        self.country = check_country(self.country)
        self.jurisdiction = check_jurisdiction(self.country, self.jurisdiction)
        return self


class InstitutionUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=2, max_length=300)
    kind: InstitutionKind | None = None
    country: str | None = None
    jurisdiction: str | None = None
    municipality: str | None = Field(default=None, max_length=200)
    active: bool | None = None


class InstitutionRead(BaseModel):
    id: UUID
    name: str
    kind: InstitutionKind
    country: str
    jurisdiction: str
    municipality: str | None
    active: bool
    created_at: datetime | None = None
    updated_at: datetime | None = None


class UserCreate(BaseModel):
    email: str = Field(pattern=EMAIL_PATTERN, max_length=320)
    password: str = Field(min_length=12, max_length=1024)
    full_name: str | None = Field(default=None, max_length=200)
    roles: list[Role] = Field(min_length=1)
    institution_id: UUID | None = None

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.strip().lower()

    @model_validator(mode="after")
    def _roles(self) -> Self:
        self.roles = check_roles(self.roles, self.institution_id)
        return self


class UserUpdate(BaseModel):
    password: str | None = Field(default=None, min_length=12, max_length=1024)
    full_name: str | None = Field(default=None, max_length=200)
    roles: list[Role] | None = Field(default=None, min_length=1)
    institution_id: UUID | None = None
    active: bool | None = None


class UserRead(BaseModel):
    id: UUID
    email: str
    full_name: str | None
    roles: list[Role]
    institution_id: UUID | None
    active: bool
    created_at: datetime | None = None


class ApiKeyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="What the key is for")
    roles: list[Role] = Field(min_length=1)
    institution_id: UUID | None = None

    @model_validator(mode="after")
    def _roles(self) -> Self:
        self.roles = check_roles(self.roles, self.institution_id)
        return self


class ApiKeyRead(BaseModel):
    id: UUID
    name: str
    prefix: str = Field(description="The key's first characters, to recognise it in lists")
    roles: list[Role]
    institution_id: UUID | None
    created_at: datetime | None = None
    revoked_at: datetime | None = None


class ApiKeyCreated(ApiKeyRead):
    key: str = Field(description="The secret key: shown this once, never again")


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds until the token expires")


class Me(BaseModel):
    subject: str
    kind: str = Field(description="user | api_key | anonymous")
    roles: list[Role]
    institution: InstitutionRead | None = None
    email: str | None = None

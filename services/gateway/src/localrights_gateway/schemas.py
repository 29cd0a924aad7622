"""Request and response models of the gateway's own API.

``*Update`` models are partial: a field left out keeps its value. A field that cannot be
empty is typed ``X | MISSING``, so a null for it is a 422 naming the field (and the OpenAPI
document does not offer null); ``X | None | MISSING`` fields may be cleared with null.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import MISSING, BaseModel, Field, ValidationInfo, field_validator

from localrights.auth import Role
from localrights_gateway.domain import (
    InstitutionKind,
    check_country,
    check_jurisdiction,
    check_roles,
)

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
COUNTRY_PATTERN = r"^[A-Za-z]{2}$"
JURISDICTION_PATTERN = r"^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$"


class InstitutionCreate(BaseModel):
    name: str = Field(min_length=2, max_length=300)
    kind: InstitutionKind
    country: str = Field(description="ISO 3166-1 alpha-2", examples=["UY"], pattern=COUNTRY_PATTERN)
    jurisdiction: str = Field(
        description="The country or one of its ISO 3166-2 subdivisions",
        examples=["UY-CA"],
        pattern=JURISDICTION_PATTERN,
    )
    municipality: str | None = Field(default=None, max_length=200)

    @field_validator("country")
    @classmethod
    def _country(cls, country: str) -> str:
        return check_country(country)

    @field_validator("jurisdiction")
    @classmethod
    def _jurisdiction(cls, jurisdiction: str, info: ValidationInfo) -> str:
        country = info.data.get("country")
        if country is None:  # the country was refused already: that error says enough
            return jurisdiction
        return check_jurisdiction(country, jurisdiction)


class InstitutionUpdate(BaseModel):
    name: str | MISSING = Field(default=MISSING, min_length=2, max_length=300)
    kind: InstitutionKind | MISSING = MISSING
    country: str | MISSING = Field(
        default=MISSING, description="ISO 3166-1 alpha-2", pattern=COUNTRY_PATTERN
    )
    jurisdiction: str | MISSING = Field(
        default=MISSING,
        description="The country or one of its ISO 3166-2 subdivisions",
        pattern=JURISDICTION_PATTERN,
    )
    municipality: str | None | MISSING = Field(default=MISSING, max_length=200)
    active: bool | MISSING = MISSING


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


class _RolesForAnInstitution(BaseModel):
    """Roles, and the institution they are held for (a new user's or API key's)."""

    roles: list[Role] = Field(min_length=1)
    institution_id: UUID | None = Field(
        default=None,
        validate_default=True,
        description="The institution acted for; none (only) for an admin",
    )

    @field_validator("roles")
    @classmethod
    def _unique_roles(cls, roles: list[Role]) -> list[Role]:
        return sorted(set(roles))

    @field_validator("institution_id")
    @classmethod
    def _roles_fit(cls, institution_id: UUID | None, info: ValidationInfo) -> UUID | None:
        # Checked on this field (roles come first), so a refusal names it; when the roles
        # were refused already, that error is enough.
        roles: Any = info.data.get("roles")
        if roles is not None:
            check_roles(roles, institution_id)
        return institution_id


class UserCreate(_RolesForAnInstitution):
    email: str = Field(pattern=EMAIL_PATTERN, max_length=320)
    password: str = Field(min_length=12, max_length=1024)
    full_name: str | None = Field(default=None, max_length=200)

    @field_validator("email")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.strip().lower()


class UserUpdate(BaseModel):
    password: str | MISSING = Field(default=MISSING, min_length=12, max_length=1024)
    full_name: str | None | MISSING = Field(default=MISSING, max_length=200)
    roles: list[Role] | MISSING = Field(default=MISSING, min_length=1)
    institution_id: UUID | None | MISSING = Field(
        default=MISSING, description="null: the user no longer acts for an institution"
    )
    active: bool | MISSING = MISSING


class UserRead(BaseModel):
    id: UUID
    email: str
    full_name: str | None
    roles: list[Role]
    institution_id: UUID | None
    active: bool
    created_at: datetime | None = None


class ApiKeyCreate(_RolesForAnInstitution):
    name: str = Field(min_length=1, max_length=200, description="What the key is for")


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

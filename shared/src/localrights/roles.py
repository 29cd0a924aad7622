"""The platform's roles, in a module of their own so that domain rules can name them
without importing the HTTP side of identity (``localrights.auth``)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    MINISTRY_OFFICER = "ministry_officer"
    INSTITUTION_OFFICER = "institution_officer"
    ALERT_PUBLISHER = "alert_publisher"

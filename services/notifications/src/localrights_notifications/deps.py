"""Dependencies of the notifications routes."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends

from localrights.app import app_settings
from localrights.auth import Principal, Role, require_roles
from localrights.db import SessionDep
from localrights.errors import Forbidden
from localrights_notifications import service
from localrights_notifications.config import Settings
from localrights_notifications.models import Alert

AlertPublisher = Annotated[Principal, Depends(require_roles(Role.ALERT_PUBLISHER))]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
InstitutionOfficer = Annotated[Principal, Depends(require_roles(Role.INSTITUTION_OFFICER))]


SettingsDep = Annotated[Settings, Depends(app_settings)]


async def own_institution(principal: InstitutionOfficer) -> UUID:
    """The institution the caller acts for; institution data is only ever its own."""
    if principal.institution_id is None:
        raise Forbidden("only an officer of an institution can do this")
    return principal.institution_id


OwnInstitution = Annotated[UUID, Depends(own_institution)]


async def subscription_owner(principal: InstitutionOfficer) -> UUID | None:
    """Whose subscriptions the caller may see: its institution's, or any for an admin."""
    if principal.institution_id is not None:
        return principal.institution_id
    if principal.is_admin:
        return None
    raise Forbidden("only an officer of an institution can do this")


SubscriptionOwner = Annotated[UUID | None, Depends(subscription_owner)]


async def valid_alert(alert_id: UUID, session: SessionDep) -> Alert:
    return await service.get_alert_or_raise(session=session, id=alert_id)


ValidAlert = Annotated[Alert, Depends(valid_alert)]

"""The gateway's own routes (identity and administration), one module per resource."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from localrights_gateway.api import api_keys, auth, catalog, institutions, users
from localrights_gateway.deps import rate_limited

# /auth/token counts against its own, stricter limit (inside the route), not the default.
auth_router = auth.router
router = APIRouter(dependencies=[Depends(rate_limited)])
router.include_router(auth.me_router)
router.include_router(institutions.router)
router.include_router(users.router)
router.include_router(api_keys.router)
router.include_router(catalog.router)

__all__ = ["auth_router", "router"]

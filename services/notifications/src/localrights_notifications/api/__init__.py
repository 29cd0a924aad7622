"""HTTP routes of the notifications service, one module per resource."""

from localrights_notifications.api import (
    alerts,
    deliveries,
    feeds,
    inbox,
    outreach,
    subscriptions,
)

# outreach first: its /alerts/preview and /alerts/import are not alert ids.
routers = [
    outreach.router,
    alerts.router,
    subscriptions.router,
    deliveries.router,
    inbox.router,
    feeds.router,
]

__all__ = ["routers"]

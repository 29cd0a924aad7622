"""HTTP routes of the notifications service, one module per resource."""

from localrights_notifications.api import alerts, deliveries, feeds, inbox, subscriptions

routers = [alerts.router, subscriptions.router, deliveries.router, inbox.router, feeds.router]

__all__ = ["routers"]

"""Use cases of the notifications service. Those that change state take a unit of work
(``localrights.uow``) and never commit: the caller's ``async with uow`` commits each once,
with its events.

- ``alerts``: publish, change, cancel and find alerts;
- ``subscriptions``: institutions' subscriptions, and endpoints disabled and enabled again;
- ``inbox``: an institution's inbox;
- ``deliveries``: an alert's delivery report, and replaying dead letters.
"""

from localrights_notifications.events import alert_facts
from localrights_notifications.service.alerts import (
    cancel_alert,
    get_alert_or_raise,
    list_alerts,
    publish_alert,
    update_alert,
)
from localrights_notifications.service.deliveries import (
    alert_deliveries,
    replay_alert_deliveries,
    replay_delivery,
)
from localrights_notifications.service.inbox import list_inbox, mark_inbox_item_read
from localrights_notifications.service.source import SOURCE
from localrights_notifications.service.subscriptions import (
    create_subscription,
    delete_subscription,
    disable_subscription,
    get_subscription_or_raise,
    list_subscriptions,
    new_webhook_secret,
    update_subscription,
)

__all__ = [
    "SOURCE",
    "alert_deliveries",
    "alert_facts",
    "cancel_alert",
    "create_subscription",
    "delete_subscription",
    "disable_subscription",
    "get_alert_or_raise",
    "get_subscription_or_raise",
    "list_alerts",
    "list_inbox",
    "list_subscriptions",
    "mark_inbox_item_read",
    "new_webhook_secret",
    "publish_alert",
    "replay_alert_deliveries",
    "replay_delivery",
    "update_alert",
    "update_subscription",
]

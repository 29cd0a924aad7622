"""Errors of the notifications service."""

from localrights.errors import Conflict, InvalidInput, NotFound


class AlertNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no alert with this id")


class SubscriptionNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no subscription with this id")


class DeliveryNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no delivery with this id")


class InboxItemNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("no inbox item with this id")


class AlertCancelled(Conflict):
    def __init__(self) -> None:
        super().__init__("this alert was cancelled and can no longer change")


class NotReplayable(Conflict):
    def __init__(self, status: str) -> None:
        super().__init__(f"only a dead delivery can be replayed; this one is {status}")


class UnsafeWebhookUrl(InvalidInput):
    def __init__(self, reason: str) -> None:
        super().__init__(
            f"webhook url refused: {reason}",
            errors=[{"location": "url", "message": reason}],
        )

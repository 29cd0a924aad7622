"""The event source of everything this service emits."""

from localrights.uow import event_source

SOURCE = event_source("notifications")

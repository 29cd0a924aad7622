"""Use cases of the recommendations service. Those that change state take a unit of work
(``localrights.uow``) or open one, and never commit themselves: the unit of work commits each
once, with its events."""

from localrights.uow import event_source

SOURCE = event_source("recommendations")

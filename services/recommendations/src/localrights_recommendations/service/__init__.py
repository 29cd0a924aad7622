"""Use cases of the recommendations service; each commits its own transaction exactly once."""

SOURCE = "/recommendations"

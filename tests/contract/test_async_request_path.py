"""Every route handler and dependency of every service is async.

FastAPI runs a plain ``def`` handler or dependency (and a class used as a dependency) in
Starlette's worker threads: a thread hop per request. One such hop in the gateway's proxy
path cost a fifth of its throughput (bench/gateway_overhead.py), for a call that takes
microseconds. This walks each app's routes, including the routers' own dependencies.
"""

from __future__ import annotations

import importlib
import inspect
import secrets
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_dependant
from fastapi.params import Depends
from fastapi.routing import APIRoute
from fastapi.security import OAuth2PasswordRequestForm

SERVICES = ["consultation", "notifications", "recommendations", "gateway"]

# Instantiated in the pool once per sign-in; rare enough to keep the standard form class.
ALLOWED_IN_THREAD_POOL: set[Any] = {OAuth2PasswordRequestForm}


def built_app(service: str) -> FastAPI:
    """The service's app as its process builds it (nothing started: no I/O happens)."""
    config = importlib.import_module(f"localrights_{service}.config")
    main = importlib.import_module(f"localrights_{service}.main")
    settings = config.Settings(
        database_url="postgresql://app:unused@127.0.0.1:1/unused",
        kafka_bootstrap_servers="127.0.0.1:1",
        internal_jwt_secret=secrets.token_urlsafe(48),
        jwt_secret=secrets.token_urlsafe(48),
    )
    app: FastAPI = main.create_app(settings)
    return app


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        yield from _calls(sub)
    if dependant.call is not None:
        yield dependant.call


def _router_level(dependencies: Iterable[Depends]) -> Iterator[Callable[..., Any]]:
    for depends in dependencies:
        if depends.dependency is not None:
            yield from _calls(get_dependant(path="", call=depends.dependency))


def request_path_calls(app: FastAPI) -> Iterator[tuple[str, Callable[..., Any]]]:
    """(path, callable) for every handler and dependency FastAPI calls for a request."""

    def walk(routes: Iterable[Any]) -> Iterator[tuple[str, Callable[..., Any]]]:
        for route in routes:
            if isinstance(route, APIRoute):
                for call in _calls(route.dependant):
                    yield route.path, call
            # An included router (FastAPI keeps it whole, with its own dependencies).
            included = getattr(route, "original_router", None)
            if included is not None:
                for call in _router_level(included.dependencies):
                    yield included.prefix or "(router)", call
                yield from walk(included.routes)

    for call in _router_level(app.router.dependencies):
        yield "(app)", call
    yield from walk(app.routes)


def runs_on_the_event_loop(call: Callable[..., Any]) -> bool:
    if inspect.isclass(call):
        return False
    return (
        inspect.iscoroutinefunction(call)
        or inspect.isasyncgenfunction(call)
        or inspect.iscoroutinefunction(getattr(call, "__call__", None))  # noqa: B004
    )


@pytest.mark.parametrize("service", SERVICES)
def test_no_handler_or_dependency_runs_in_the_thread_pool(service: str) -> None:
    calls = list(request_path_calls(built_app(service)))
    assert len(calls) > 20, "the walk found too few routes: FastAPI's route tree changed?"
    in_pool = sorted(
        {
            f"{path}: {getattr(call, '__qualname__', repr(call))}"
            for path, call in calls
            if call not in ALLOWED_IN_THREAD_POOL and not runs_on_the_event_loop(call)
        }
    )
    assert in_pool == []

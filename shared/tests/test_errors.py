"""Errors as every service answers and documents them: problem+json, 400 vs 422, 405, 429."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from localrights.errors import LocalrightsError, install_error_handlers, problem_responses
from localrights.openapi_problems import describe_problems, operations


class Thing(BaseModel):
    name: str


class Busy(LocalrightsError):
    status_code = 429
    title = "Too many requests"
    retry_after = 42


def _app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    router = APIRouter(prefix="/things")

    @router.get("/{thing_id}", responses=problem_responses(404))
    async def read(thing_id: str) -> Thing:
        return Thing(name=thing_id)

    @router.patch("/{thing_id}")
    async def change(thing_id: str, thing: Thing) -> Thing:
        return thing

    @router.post("/busy")
    async def busy() -> None:
        raise Busy("come back later")

    @router.post("/limited")
    async def limited() -> None:
        raise LocalrightsError("slow down", headers={"Retry-After": "7", "RateLimit-Limit": "5"})

    app.include_router(router)
    return app


async def _call(app: FastAPI, method: str, path: str, **kwargs: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.request(method, path, **kwargs)


async def test_an_unsupported_method_lists_every_method_of_the_path() -> None:
    response = await _call(_app(), "DELETE", "/things/a")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, PATCH"
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_body_that_is_not_json_is_a_400_and_a_wrong_one_a_422() -> None:
    app = _app()
    headers = {"content-type": "application/json"}
    broken = await _call(app, "PATCH", "/things/a", content=b'{"name": ', headers=headers)
    assert broken.status_code == 400
    assert broken.json()["errors"] == [{"location": "body", "message": broken.json()["detail"]}]
    wrong = await _call(app, "PATCH", "/things/a", json={"name": 1})
    assert wrong.status_code == 422


async def test_an_error_that_knows_when_to_come_back_says_so() -> None:
    response = await _call(_app(), "POST", "/things/busy")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "42"


async def test_an_error_answers_with_the_headers_it_carries() -> None:
    response = await _call(_app(), "POST", "/things/limited")
    assert response.status_code == 400
    assert response.headers["retry-after"] == "7"
    assert response.headers["ratelimit-limit"] == "5"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "slow down"


def test_the_document_says_every_error_is_a_problem() -> None:
    document = describe_problems(_app().openapi())
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    seen = 0
    for _path, method, operation in operations(document):
        for code, response in operation["responses"].items():
            if int(code) >= 400:
                assert response["content"] == problem
                seen += 1
        if method == "patch":
            assert "400" in operation["responses"]  # a body that cannot be read
    assert seen >= 3
    assert "HTTPValidationError" not in document["components"]["schemas"]

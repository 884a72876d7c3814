"""
The OpenAPI document describes exactly the API's routes and methods.
"""

from __future__ import annotations

import re

import pytest_twisted

from openspace.web.api import JSONAPI
from openspace.web.openapi import OPENAPI
from tests.support import Client


def klein_routes() -> set[tuple[str, str]]:
    routes = set()
    for rule in JSONAPI.app.url_map.iter_rules():
        path = "/api" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods or ():
            if method not in {"HEAD", "OPTIONS"}:
                routes.add((path, method.lower()))
    return routes


def documented_routes() -> set[tuple[str, str]]:
    # The feeds' JSON routes outside /api/ are checked in tests/exports/test_openapi.py.
    return {
        (path, method)
        for path, item in OPENAPI["paths"].items()
        if path.startswith("/api/")
        for method in item
    }


def test_every_route_is_documented_and_every_documented_route_exists() -> None:
    assert klein_routes() == documented_routes()


def test_path_parameters_are_declared() -> None:
    for path, item in OPENAPI["paths"].items():
        names = set(re.findall(r"{(\w+)}", path))
        for operation in item.values():
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == names, (path, declared)


def test_every_write_takes_an_idempotency_key() -> None:
    # The API's writes; the feeds' two (/e/…: replace stars, revoke) are idempotent as
    # they are.
    for path, item in OPENAPI["paths"].items():
        if path.startswith("/api/events/{slug}/webhooks"):
            continue  # facilitators' webhook settings: not board writes (README, Webhooks)
        for method, operation in item.items():
            if not path.startswith("/api/"):
                continue
            headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
            assert ("Idempotency-Key" in headers) == (method != "get"), (method, operation)


@pytest_twisted.ensureDeferred
async def test_the_document_is_served(client: Client) -> None:
    reply = await client.get("/api/openapi.json")
    assert reply.status == 200
    assert reply.json == OPENAPI

"""
The OpenAPI document agrees with the server, checked against real responses:

 - every status a case gets is documented for its operation, and its body validates
   against the documented schema;
 - a request body the document calls valid is never refused as C{invalid} (the server
   may still refuse it for what only it knows: an unknown room, a taken cell), and a
   body the document calls invalid is refused with 400 or 422.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import pytest_twisted
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from openspace.commands import Refused
from openspace.fields import TITLE_MAX, text_field
from openspace.web.openapi import OPENAPI, VISIBLE_TEXT
from tests.support import FACILITATOR_TOKEN, SLUG, Client, Reply, RunningServer, slot_id

JSON = dict[str, Any]
SESSION = {"title": "A session", "host": "Ann Host", "room": "r1", "slot": slot_id(12)}
MEETUP = {"title": "Coffee", "place": "Café"}
MEETUPS = "/api/events/{slug}/meetups"
PROPOSE = "/api/events/{slug}/sessions"
ONE = "/api/events/{slug}/sessions/{session_id}"
GOING = "/api/events/{slug}/sessions/{session_id}/going"
UNDO = "/api/events/{slug}/undo"
SWAPS = "/api/events/{slug}/swaps"
LOG = "/api/events/{slug}/log"
BOARD = "/api/events/{slug}/board"


def validator(schema: JSON) -> Draft202012Validator:
    # The document's components beside the schema, so that its $refs resolve.
    return Draft202012Validator({**schema, "components": OPENAPI["components"]})


def operation(method: str, template: str) -> JSON:
    found: JSON = OPENAPI["paths"][template][method.lower()]
    return found


def check_response(method: str, template: str, reply: Reply) -> None:
    responses = operation(method, template)["responses"]
    assert str(reply.status) in responses, (method, template, reply.status, reply.body[:300])
    content = responses[str(reply.status)].get("content")
    if content is None:
        return
    assert reply.headers["content-type"].startswith("application/json")
    errors = list(validator(content["application/json"]["schema"]).iter_errors(reply.json))
    assert not errors, (method, template, reply.status, [e.message for e in errors])


def body_is_valid(method: str, template: str, body: JSON) -> bool:
    schema = operation(method, template)["requestBody"]["content"]["application/json"]["schema"]
    return validator(schema).is_valid(body)


async def call(
    client: Client,
    method: str,
    template: str,
    body: Any = None,
    *,
    token: str | None = None,
    query: str = "",
    **params: str,
) -> Reply:
    path = template.format(**{"slug": SLUG, **params}) + query
    reply = await client.request(method, path, body, token=token)
    check_response(method, template, reply)
    return reply


async def check_body(
    client: Client, method: str, template: str, body: JSON, token: str | None = None, **params: str
) -> Reply:
    reply = await call(client, method, template, body, token=token, **params)
    if body_is_valid(method, template, body):
        refused_as_invalid = reply.status == 422 and reply.json["error"]["code"] == "invalid"
        assert not refused_as_invalid, (template, body, reply.json)
    else:
        assert reply.status in (400, 422), (template, body, reply.status)
    return reply


BLANKS = ["", "   ", "\t\n", "\x01", "\u202e"]
VISIBLE = re.compile(VISIBLE_TEXT)


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"tags": ["a", "b"]},
        {"description": "d" * 4000},
        *({"title": blank} for blank in BLANKS),
        *({"host": blank} for blank in BLANKS),
        {"title": "x" * 121},
        {"title": 5},
        {"title": None},
        {"tags": [1]},
        {"tags": [f"t{n}" for n in range(9)]},
        {"description": "d" * 4001},
        {"room": "atlantis"},
        {"slot": 7},
    ],
)
@pytest_twisted.ensureDeferred
async def test_proposals(client: Client, fields: JSON) -> None:
    await check_body(client, "POST", PROPOSE, {**SESSION, **fields})


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"minutes": 30},
        {"minutes": 30.0},
        {"minutes": 30.5},
        {"minutes": 4},
        {"minutes": 241},
        {"minutes": "30"},
        {"minutes": True},
        {"starts": "2030-05-15T12:00:00+02:00"},
        {"starts": "2030-05-15T12:00:00"},
        {"starts": "2030-05-15T10:00:00Z"},
        *({"title": blank} for blank in BLANKS),
        *({"place": blank} for blank in BLANKS),
        {"title": "x" * 121},
        {"place": "p" * 121},
    ],
)
@pytest_twisted.ensureDeferred
async def test_meetups(client: Client, fields: JSON) -> None:
    await check_body(client, "POST", MEETUPS, {**MEETUP, **fields})


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"count": 1},
        {"count": 1.0},
        {"count": 1.5},
        {"count": 0},
        {"count": 51},
        {"count": "1"},
        {"count": True},
    ],
)
@pytest_twisted.ensureDeferred
async def test_undo(client: Client, body: JSON) -> None:
    await check_body(client, "POST", UNDO, body, token=FACILITATOR_TOKEN)


@pytest_twisted.ensureDeferred
async def test_sessions_edits_going_and_swaps(client: Client) -> None:
    first = await check_body(client, "POST", PROPOSE, SESSION)
    key, sid = first.json["edit_token"], first.json["session"]["id"]
    other = await check_body(client, "POST", PROPOSE, {**SESSION, "slot": slot_id(13)}, key)
    for fields in ({"title": "New"}, {"title": "  "}, {"host": ""}, {"slot": slot_id(14)}, {}):
        await check_body(client, "PATCH", ONE, fields, key, session_id=sid)
    await call(client, "PATCH", ONE, {"title": "x"}, session_id=sid)
    await call(client, "PATCH", ONE, {"title": "x"}, token="not-the-key-000000", session_id=sid)
    await call(client, "PATCH", ONE, {"title": "x"}, token=key, session_id="s404")
    for body in ({"attendee": "attendee-0001"}, {"attendee": "short"}, {"attendee": 5}):
        for method in ("POST", "DELETE"):
            await check_body(client, method, GOING, body, session_id=sid)
    swap = {"first": sid, "second": other.json["session"]["id"]}
    await check_body(client, "POST", SWAPS, swap, key)
    await check_body(client, "POST", SWAPS, {"first": sid}, key)
    await call(client, "GET", ONE, session_id=sid)
    await call(client, "GET", ONE, session_id="s404")
    await call(client, "DELETE", ONE, token=key, session_id=sid)


@pytest_twisted.ensureDeferred
async def test_reads(client: Client) -> None:
    board = await call(client, "GET", BOARD)
    unchanged = await client.get(
        BOARD.format(slug=SLUG), headers={"If-None-Match": board.headers["etag"]}
    )
    check_response("GET", BOARD, unchanged)
    await call(client, "GET", BOARD, slug="ghost")
    await call(client, "GET", "/api/events")
    await call(client, "GET", "/api/openapi.json")
    await call(client, "GET", "/api/status")
    await call(client, "GET", "/api/status", token="not-the-facilitator-0")
    await call(client, "GET", "/api/status", token=FACILITATOR_TOKEN)
    await call(client, "GET", LOG)
    await call(client, "GET", LOG, token="not-the-facilitator-0")
    for limit in ("", "?limit=5", "?limit=0", "?limit=abc", "?limit=201", "?limit=2.0"):
        await call(client, "GET", LOG, token=FACILITATOR_TOKEN, query=limit)


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"[1]", b"\xff"],
)
@pytest.mark.parametrize(
    ("method", "template", "params"),
    [
        ("POST", PROPOSE, {}),
        ("POST", MEETUPS, {}),
        ("POST", UNDO, {}),
        ("POST", SWAPS, {}),
        ("PATCH", ONE, {"session_id": "s1"}),
        ("POST", GOING, {"session_id": "s1"}),
        ("DELETE", GOING, {"session_id": "s1"}),
    ],
)
@pytest_twisted.ensureDeferred
async def test_unparseable_bodies_are_documented_400s(
    server: RunningServer, client: Client, raw: bytes, method: str, template: str, params: JSON
) -> None:
    path = template.format(slug=SLUG, **params)
    reply = await client.request(
        method, path, raw=raw, token=FACILITATOR_TOKEN, headers={"Content-Type": "application/json"}
    )
    assert reply.status == 400
    check_response(method, template, reply)


def test_every_operation_documents_server_failures() -> None:
    for template, item in OPENAPI["paths"].items():
        for method, op in item.items():
            if template.endswith("/live"):
                continue
            assert {"500", "503"} <= set(op["responses"]), (method, template)


def test_the_document_is_valid_json_schema_throughout() -> None:
    text = json.dumps(OPENAPI)
    for ref in set(re.findall(r'"\$ref": "#/components/schemas/(\w+)"', text)):
        assert ref in OPENAPI["components"]["schemas"]
    for schema in OPENAPI["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


@pytest_twisted.ensureDeferred
async def test_facilitator_routes(client: Client) -> None:
    blocked = "/api/events/{slug}/blocked/{room}/{slot}"
    hidden = "/api/events/{slug}/sessions/{session_id}/hidden"
    cell = {"room": "r1", "slot": slot_id(15)}
    for method in ("PUT", "DELETE"):
        await call(client, method, blocked, token=FACILITATOR_TOKEN, **cell)
        await call(client, method, blocked, **cell)
    await call(client, "PUT", blocked, token=FACILITATOR_TOKEN, room="r9", slot=slot_id(15))
    sid = (await check_body(client, "POST", PROPOSE, SESSION)).json["session"]["id"]
    for method in ("PUT", "DELETE"):
        await call(client, method, hidden, token=FACILITATOR_TOKEN, session_id=sid)
    await call(client, "PUT", blocked, token=FACILITATOR_TOKEN, room="r1", slot=slot_id(12))
    meetup = await check_body(client, "POST", MEETUPS, MEETUP)
    one_meetup = "/api/events/{slug}/meetups/{meetup_id}"
    mid = meetup.json["meetup"]["id"]
    await call(client, "DELETE", one_meetup, token=FACILITATOR_TOKEN, meetup_id=mid)
    await call(client, "DELETE", one_meetup, token=FACILITATOR_TOKEN, meetup_id=mid)
    await check_body(client, "POST", UNDO, {"count": 2}, token=FACILITATOR_TOKEN)
    log = await call(client, "GET", LOG, token=FACILITATOR_TOKEN)
    assert len(log.json["entries"]) > 5


TEXTS = st.text(st.characters(codec="utf-8"), max_size=130) | st.sampled_from(BLANKS)


@given(TEXTS)
def test_a_title_the_document_allows_is_one_the_board_takes(title: str) -> None:
    schema = operation("POST", PROPOSE)["requestBody"]["content"]["application/json"]["schema"]
    allowed = validator(schema["properties"]["title"]).is_valid(title)
    try:
        text_field(title, "title", 1, TITLE_MAX)
    except Refused:
        taken = False
    else:
        taken = True
    # The board measures cleaned text, so it may take a little more than documented,
    # never less.
    assert taken or not allowed, repr(title)
    if not VISIBLE.search(title):
        assert not taken, repr(title)

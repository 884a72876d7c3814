"""
Moderation through the API on a real server: meetup keys, reports (private, one per
attendee, auto-hide), bulk actions as one event, undo by seq through "going" traffic,
the log in words with its going filter, capacity on sessions and moving to a bigger
room, and placement suggestions applied as one event.
"""

from __future__ import annotations

import json

import pytest_twisted

from tests.live.wsclient import LiveClient
from tests.support import SLUG, Client, RunningServer, slot_id

BASE = f"/api/events/{SLUG}"


async def _going(client: Client, session_id: str, count: int, prefix: str = "person") -> None:
    for n in range(count):
        path = f"{BASE}/sessions/{session_id}/going"
        assert (await client.post(path, {"attendee": f"{prefix}-{n:04d}"})).status == 200


@pytest_twisted.ensureDeferred
async def test_a_meetup_starter_gets_a_key_to_edit_and_end_it(
    client: Client, server: RunningServer
) -> None:
    started = (await client.post(f"{BASE}/meetups", {"title": "Rust", "place": "cafe"})).json
    key, meetup_id = started["edit_token"], started["meetup"]["id"]
    path = f"{BASE}/meetups/{meetup_id}"
    stranger = (await client.propose()).json["edit_token"]
    assert (await client.request("PATCH", path, {"title": "Mine"}, token=stranger)).status == 403
    edited = await client.request("PATCH", path, {"title": "Rust & Go"}, token=key)
    assert edited.json["meetup"]["title"] == "Rust & Go"
    assert (await client.post(f"{path}/end", token=key)).status == 200
    board = (await client.get(f"{BASE}/board")).json
    assert board["meetups"] == []  # it had not started: it is taken off
    assert "owner" not in json.dumps(board)


@pytest_twisted.ensureDeferred
async def test_reports_are_private_counted_once_and_auto_hide_when_set(
    client: Client, server: RunningServer
) -> None:
    session_id = (await client.propose(title="Buy cheap watches")).json["session"]["id"]
    live = LiveClient(server.url, SLUG)
    await live.connect()
    await live.at_seq(2)
    settings = {"auto_hide": 3}
    put = await client.request("PUT", f"{BASE}/moderation", settings, token=server.token)
    assert put.json == {"auto_hide": 3, "freeze_minutes": 15}
    for n in (1, 1, 2):
        body = {"item": session_id, "attendee": f"reporter-{n}", "reason": "secret words"}
        assert (await client.post(f"{BASE}/reports", body)).status == 202
    assert (await client.get(f"{BASE}/reports")).status == 401
    stranger = (await client.propose(room="r2")).json["edit_token"]
    assert (await client.get(f"{BASE}/reports", token=stranger)).status == 403
    queue = (await client.get(f"{BASE}/reports", token=server.token)).json["reports"]
    assert [(r["item"], r["count"], r["hidden"]) for r in queue] == [(session_id, 2, False)]
    await client.post(f"{BASE}/reports", {"item": session_id, "attendee": "reporter-3"})
    board = (await client.get(f"{BASE}/board")).json
    assert session_id not in {s["id"] for s in board["sessions"]}
    seq = board["seq"]
    await live.at_seq(seq)
    public = json.dumps([board, live.frames])
    assert "secret words" not in public
    assert "reporter-" not in public
    assert '"report_filed"' not in public
    hidden = next(e for f in live.frames if f["type"] == "events" for e in f["events"])
    assert hidden["type"] == "private"
    await live.close()
    dismissed = await client.request(
        "DELETE", f"{BASE}/reports/{session_id}?hide=1", token=server.token
    )
    assert dismissed.status == 200
    assert (await client.get(f"{BASE}/reports", token=server.token)).json["reports"] == []


@pytest_twisted.ensureDeferred
async def test_bulk_block_and_hide_are_one_event_each_and_one_undo(
    client: Client, server: RunningServer
) -> None:
    ids = [(await client.propose(room=r, hour=15)).json["session"]["id"] for r in ("r1", "r2")]
    seq = (await client.get(f"{BASE}/board")).json["seq"]
    block = {"slot": slot_id(13)}
    blocked = (await client.post(f"{BASE}/blocked", block, token=server.token)).json
    assert (blocked["seq"], blocked["events"]) == (seq + 1, 1)
    hidden = (await client.post(f"{BASE}/hidden", {"sessions": ids}, token=server.token)).json
    assert hidden["seq"] == seq + 2
    board = (await client.get(f"{BASE}/board")).json
    assert board["sessions"] == []
    assert {c["room"] for c in board["blocked"] if c["slot"] == slot_id(13)} == {
        "r1",
        "r2",
        "r3",
        "r4",
    }
    assert (await client.post(f"{BASE}/undo", {"count": 1}, token=server.token)).status == 200
    assert len((await client.get(f"{BASE}/board")).json["sessions"]) == 2
    bad = await client.post(
        f"{BASE}/blocked", {"room": "r1", "slot": slot_id(9)}, token=server.token
    )
    assert bad.status == 422


@pytest_twisted.ensureDeferred
async def test_undo_by_seq_and_the_log_see_past_a_flood_of_going(
    client: Client, server: RunningServer
) -> None:
    session_id = (await client.propose(title="Packaging")).json["session"]["id"]
    await client.request("PUT", f"{BASE}/sessions/{session_id}/hidden", token=server.token)
    hid_at = (await client.get(f"{BASE}/board")).json["seq"]
    await client.request("DELETE", f"{BASE}/sessions/{session_id}/hidden", token=server.token)
    await _going(client, session_id, 60)
    log = (await client.get(f"{BASE}/log", token=server.token)).json["entries"]
    assert [e["type"] for e in log[:3]] == ["session_hidden", "session_hidden", "session_proposed"]
    assert log[2]["summary"].startswith("proposed “Packaging” (Ann Host)")
    assert (log[2]["who"], log[2]["name"], log[0]["who"]) == ("host", "Ann Host", "facilitator")
    assert all(e["undoable"] for e in log[:3])
    with_going = (await client.get(f"{BASE}/log?going=1", token=server.token)).json["entries"]
    assert with_going[0]["type"] == "going_set"
    assert with_going[0]["who"] == "attendee"
    # Undo "showed again" alone, past the sixty "going" since: hidden again.
    shown_at = hid_at + 1
    only = {"seq": shown_at, "only": True}
    undone = await client.post(f"{BASE}/undo", only, token=server.token)
    assert undone.json["undone"] == [shown_at]
    assert (await client.get(f"{BASE}/sessions/{session_id}")).status == 404
    again = await client.post(f"{BASE}/undo", {"seq": shown_at}, token=server.token)
    assert again.status == 409
    assert (await client.get(f"{BASE}/board")).json["seq"] == hid_at + 62


@pytest_twisted.ensureDeferred
async def test_capacity_state_and_moving_a_full_session_to_a_bigger_room(
    client: Client, server: RunningServer
) -> None:
    proposed = (await client.propose(room="r3", hour=14)).json  # Room Three: 10 seats
    session_id, key = proposed["session"]["id"], proposed["edit_token"]
    assert (proposed["session"]["seats"], proposed["session"]["fill"]) == (10, "roomy")
    await _going(client, session_id, 8)
    shown = (await client.get(f"{BASE}/sessions/{session_id}")).json["session"]
    assert shown["fill"] == "filling"
    await _going(client, session_id, 12, prefix="more")
    shown = (await client.get(f"{BASE}/sessions/{session_id}")).json["session"]
    assert (shown["going"], shown["fill"]) == (20, "full")
    # Someone takes the bigger room first: the move is refused cleanly.
    await client.propose(room="r2", hour=14)
    path = f"{BASE}/sessions/{session_id}"
    taken = await client.request("PATCH", path, {"room": "r2"}, token=key)
    assert (taken.status, taken.json["error"]["code"]) == (409, "cell_taken")
    moved = await client.request("PATCH", path, {"room": "r1"}, token=key)
    assert (moved.json["session"]["seats"], moved.json["session"]["fill"]) == (30, "roomy")


@pytest_twisted.ensureDeferred
async def test_a_placement_suggestion_applies_as_one_event(
    client: Client, server: RunningServer
) -> None:
    crowded = (await client.propose(room="r3", hour=16, title="Crowded")).json["session"]["id"]
    quiet = (await client.propose(room="r4", hour=16, title="Quiet")).json["session"]["id"]
    await _going(client, crowded, 25)
    path = f"{BASE}/placement?slot={slot_id(16)}"
    assert (await client.get(path)).status == 401
    plan = (await client.get(path, token=server.token)).json
    assert plan["fit_before"] == 10
    assert plan["fit_after"] == 25
    moved = {m["session"]: (m["from"], m["to"]) for m in plan["moves"]}
    assert moved[crowded][1] in ("r1", "r4")
    seq = plan["seq"]
    live = LiveClient(server.url, SLUG)
    await live.connect()
    await live.at_seq(seq)
    body = {"moves": [{k: m[k] for k in ("session", "from", "to")} for m in plan["moves"]]}
    applied = (await client.post(f"{BASE}/placement", body, token=server.token)).json
    assert (applied["seq"], applied["events"]) == (seq + 1, 1)
    # Everyone watching (the hosts too) gets the whole plan as one event.
    await live.at_seq(seq + 1)
    event = live.frames[-1]["events"][-1]
    assert event["type"] == "batch"
    assert {s["id"]: s["room"] for s in event["put"]["sessions"]} == {
        session: target for session, (_, target) in moved.items()
    }
    await live.close()
    board = {s["id"]: s for s in (await client.get(f"{BASE}/board")).json["sessions"]}
    assert board[crowded]["fill"] != "full"
    assert board[quiet]["slot"] == slot_id(16)
    stale = await client.post(f"{BASE}/placement", body, token=server.token)
    assert (stale.status, stale.json["error"]["code"]) == (409, "placement_stale")
    undone = await client.post(f"{BASE}/undo", {"count": 1}, token=server.token)
    assert undone.json["undone"] == [seq + 1]
    board = {s["id"]: s for s in (await client.get(f"{BASE}/board")).json["sessions"]}
    assert board[crowded]["room"] == "r3"
    day = await client.get(f"{BASE}/placement?day=2030-05-15", token=server.token)
    assert day.json["fit_after"] >= day.json["fit_before"]
    assert (await client.get(f"{BASE}/placement", token=server.token)).status == 422

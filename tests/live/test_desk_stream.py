"""
The facilitator desk's own live stream, C{/e/{slug}/desk/live}, over real sockets:
only a valid desk session cookie opens it; what it carries (reports, hidden sessions,
the log) never reaches the board's public stream, whose frames are read here one by
one; each change is rendered once per view watched, however many desks watch it, and
a heavy one (a new official schedule) in the thread pool with every frame still in
order; and the HTML it ships is, byte for byte, what the desk page itself holds at
that seq.
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

import pytest
import pytest_twisted
from twisted.python.threadable import isInIOThread

from openspace.clock import utc_now
from openspace.commands import SYSTEM, SetOfficialSchedule, SetSources
from openspace.model import OfficialTalk, ScheduleSource
from openspace.web import desk_live
from tests.live.wsclient import LiveClient
from tests.support import SLUG, Client, RunningServer, slot_id, utc
from tests.web.browsing import Browser, raw_get
from tests.web.test_pages_desk import DESK, signed_in

API = f"/api/events/{SLUG}"
SECRET_REASON = "A reason only facilitators may read"
SECRET_TITLE = "Renamed while hidden"


def desk_client(server: RunningServer, desk: Browser | None, query: str = "") -> LiveClient:
    """
    A live client of the desk's stream, with C{desk}'s cookies (none for L{None}).
    """
    cookies = "; ".join(f"{k}={v}" for k, v in (desk.cookies if desk else {}).items())
    client = LiveClient(server.url, SLUG, headers={"Cookie": cookies} if cookies else None)
    base = "ws" + server.url.removeprefix("http")
    client.url = lambda resume=True: f"{base}{DESK}/live{query}"  # type: ignore[method-assign]
    return client


def html_frame(client: LiveClient, seq: int) -> dict[str, str] | None:
    """
    The HTML sent after the event of C{seq} (the placement suggestion), if any yet.
    """
    for frame in client.frames:
        if frame["type"] == "html" and frame["seq"] == seq:
            found: dict[str, str] = frame["html"]
            return found
    return None


def html_of(client: LiveClient) -> dict[str, str]:
    """
    Every fragment the client was sent, the latest for each key.
    """
    found: dict[str, str] = {}
    for frame in client.frames:
        for event in frame.get("events", []):
            found.update(event.get("html", {}))
    return found


@pytest_twisted.ensureDeferred
async def test_only_a_signed_in_facilitator_opens_the_desk_stream(
    server: RunningServer, client: Client
) -> None:
    for cookie in (None, "os_desk=0123456789abcdef.9999999999.00ff00ff", "os_desk=forged"):
        refused = LiveClient(server.url, SLUG, headers={"Cookie": cookie} if cookie else None)
        with pytest.raises(ConnectionRefusedError):
            await refused.connect(url="ws" + server.url.removeprefix("http") + f"{DESK}/live")
        headers = {"Upgrade": "websocket", "Connection": "Upgrade"}
        if cookie:
            headers["Cookie"] = cookie
        assert (await raw_get(client, f"{DESK}/live", headers)).status == 403
    desk = await signed_in(client)
    # A signed-in desk's plain GET is told to upgrade; its WebSocket opens.
    assert (await desk.get(f"{DESK}/live")).status == 426
    opened = desk_client(server, desk)
    await opened.connect()
    await opened.until(lambda: bool(opened.frames))
    assert opened.frames[0]["type"] in ("snapshot", "resumed")
    await opened.close()


@pytest_twisted.ensureDeferred
async def test_desk_data_never_reaches_the_public_stream(
    server: RunningServer, client: Client
) -> None:
    desk = await signed_in(client)
    public = LiveClient(server.url, SLUG)
    private = desk_client(server, desk, "?going=1")
    await public.connect()
    await private.connect()
    try:
        made = (await client.propose(room="r2", hour=13, title="Soon hidden")).json["session"]
        hidden = f"{API}/sessions/{made['id']}/hidden"
        await client.request("PUT", hidden, token=server.token)
        await client.request(
            "PATCH", f"{API}/sessions/{made['id']}", {"title": SECRET_TITLE}, token=server.token
        )
        other = (await client.propose(room="r1", hour=14, title="Reported")).json["session"]
        report = {"item": other["id"], "attendee": "reporter-1", "reason": SECRET_REASON}
        await client.post(f"{API}/reports", report)
        await client.post(f"{API}/sessions/{other['id']}/going", {"attendee": "a-going-one"})
        seq = (await client.get(f"{API}/board")).json["seq"]
        await public.at_seq(seq)
        await private.at_seq(seq)
    finally:
        await public.close()
        await private.close()
    everything_public = json.dumps(public.frames, ensure_ascii=False)
    for secret in (SECRET_TITLE, SECRET_REASON, "desk:", "Reports (", "(hidden)", "reporter"):
        assert secret not in everything_public, secret
    assert public.errors == [] and private.errors == []
    # The desk got them all, as its page shows them.
    shipped = html_of(private)
    hidden_row = shipped[f"desk:session:{made['id']}"]
    assert SECRET_TITLE in hidden_row and "(hidden)" in hidden_row
    assert SECRET_REASON in shipped["desk:reports"]
    assert "Reports (1)" in shipped["desk:reports"]
    assert "1 going" in shipped[f"desk:session:{other['id']}"]
    assert "someone is going to" in shipped[f"desk:log:{seq}"]


@pytest_twisted.ensureDeferred
async def test_each_change_is_rendered_once_per_view_not_per_desk(
    server: RunningServer, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: dict[str, int] = {"common": 0, "log": 0, "suggest": 0}

    def counted(name: str, real: Any) -> Any:
        def call(*args: Any) -> Any:
            calls[name] += 1
            return real(*args)

        return call

    monkeypatch.setattr(desk_live, "common", counted("common", desk_live.common))
    monkeypatch.setattr(desk_live, "log_pieces", counted("log", desk_live.log_pieces))
    monkeypatch.setattr(desk_live, "suggest", counted("suggest", desk_live.suggest))
    desk = await signed_in(client)
    views = ["", "", "", "?going=1", "?going=1", f"?placement={slot_id(13)}"]
    desks = [desk_client(server, desk, query) for query in views]
    for opened in desks:
        await opened.connect()
    try:
        await client.propose(room="r2", hour=13, title="Counted")
        seq = (await client.get(f"{API}/board")).json["seq"]
        for opened in desks:
            await opened.at_seq(seq)
        await desks[-1].until(lambda: html_frame(desks[-1], seq) is not None)
    finally:
        for opened in desks:
            await opened.close()
    # Six desks, three views: the shared pieces once, the log once per going/not, the
    # suggestion once (in a thread) for the one view that asked for it.
    assert calls == {"common": 1, "log": 2, "suggest": 1}
    for opened in desks:
        last = [frame for frame in opened.frames if frame["type"] == "events"][-1]
        assert "html" in last["events"][-1]
        assert opened.errors == []


def event_seqs(client: LiveClient) -> list[int]:
    return [e["seq"] for f in client.frames if f["type"] == "events" for e in f["events"]]


@pytest_twisted.ensureDeferred
async def test_a_new_official_schedule_is_rendered_off_the_reactor_in_order(
    server: RunningServer, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = server.service.store
    assert store is not None
    # Which change's shared pieces were rendered, on the reactor thread or not; a render
    # off it waits for the gate, so a change committed meanwhile must wait its turn.
    rendered: list[tuple[int, bool]] = []
    gate = threading.Event()
    real = desk_live.common

    def recorded(before: Any, after: Any, now: Any) -> Any:
        rendered.append((after.seq, isInIOThread()))
        if not isInIOThread():
            assert gate.wait(60)
        return real(before, after, now)

    monkeypatch.setattr(desk_live, "common", recorded)
    desk = await signed_in(client)
    desks = [desk_client(server, desk, q) for q in ("", "?going=1", f"?placement={slot_id(13)}")]
    for opened in desks:
        await opened.connect()
    try:
        source = "https://talks.example/schedule.json"
        now = utc_now(server.clock)
        await store.execute(SLUG, SetSources((ScheduleSource(source),)), SYSTEM, now)
        sources_seq = (await client.get(f"{API}/board")).json["seq"]
        for opened in desks:
            await opened.at_seq(sources_seq)
        talks = tuple(
            OfficialTalk(f"t{n}", source, f"Talk {n}", utc(11), utc(11) + timedelta(minutes=30))
            for n in range(500)
        )
        await store.execute(SLUG, SetOfficialSchedule(source, talks), SYSTEM, now)
        await client.propose(room="r2", hour=13, title="After the schedule")
        seq = (await client.get(f"{API}/board")).json["seq"]
        # Both are committed; the schedule is being rendered: nothing after it went out.
        for opened in desks:
            assert event_seqs(opened)[-1] == sources_seq
        gate.set()
        for opened in desks:
            await opened.at_seq(seq)
        # The placement view's suggestion, told while the schedule was rendered, follows.
        await desks[-1].until(lambda: html_frame(desks[-1], seq) is not None)
    finally:
        gate.set()
        for opened in desks:
            await opened.close()
    # Once per change whatever the views: the schedule off the reactor, the next on it.
    assert [r for r in rendered if r[0] > sources_seq] == [(seq - 1, False), (seq, True)]
    for opened in desks:
        assert event_seqs(opened)[-3:] == [sources_seq, seq - 1, seq]
        assert opened.errors == []
        heavy = [e for f in opened.frames if f["type"] == "events" for e in f["events"]][-2]
        assert {"desk:sessions", "desk:cells"} <= set(heavy["html"])


async def page_after(
    server: RunningServer, client: Client, query: str, change: Any
) -> tuple[dict[str, str], str, int]:
    """
    The fragments a desk of view C{query} is sent for C{change}, and the desk page of
    that view at the same seq.
    """
    desk = await signed_in(client)
    watching = desk_client(server, desk, query)
    await watching.connect()
    try:
        await change()
        seq = (await client.get(f"{API}/board")).json["seq"]
        await watching.at_seq(seq)
        if "placement" in query:
            await watching.until(lambda: html_frame(watching, seq) is not None)
    finally:
        await watching.close()
    last = [frame for frame in watching.frames if frame["type"] == "events"][-1]
    shipped = {**last["events"][-1]["html"], **(html_frame(watching, seq) or {})}
    page = (await desk.get(f"{DESK}{query}")).body.decode()
    return shipped, page, seq


@pytest_twisted.ensureDeferred
async def test_the_shipped_html_is_the_desk_pages_own(
    server: RunningServer, client: Client
) -> None:
    made = (await client.propose(room="r2", hour=13, title="Fragments <b>&</b> desk")).json
    session_id = made["session"]["id"]

    crowds = iter(range(1000))

    async def crowd() -> None:
        for _ in range(21):
            body = {"attendee": f"crowd-{next(crowds):04d}"}
            await client.post(f"{API}/sessions/{session_id}/going", body)

    reporters = iter(range(100))

    async def report() -> None:
        reporter = f"reporter-{next(reporters)}"
        body = {"item": session_id, "attendee": reporter, "reason": "<script>x</script>"}
        assert (await client.post(f"{API}/reports", body)).status == 202

    async def block() -> None:
        await client.request("PUT", f"{API}/blocked/r3/{slot_id(15)}", token=server.token)

    async def meetup() -> None:
        await client.post(f"{API}/meetups", {"title": "Tea & <i>talk</i>", "place": "Café"})

    neighbour: list[str] = []

    async def propose() -> None:
        made = await client.propose(room="r1", hour=13, title="Next to it")
        neighbour.append(f"desk:session:{made.json['session']['id']}")

    async def cancel() -> None:
        await client.request("DELETE", f"{API}/sessions/{session_id}", token=server.token)

    row = f"desk:session:{session_id}"
    grid_row = f"desk:slot:{slot_id(13)}"
    checks = [
        ("", report, {"desk:reports"}),
        ("?going=1", report, {"desk:reports", "LOG"}),
        ("", block, {f"desk:slot:{slot_id(15)}", "LOG"}),
        ("", meetup, {"desk:meetups", "LOG"}),
        (f"?placement={slot_id(13)}", crowd, {f"desk:session:{session_id}", "desk:suggestion"}),
        ("?going=1", crowd, {row, "LOG"}),
        # A proposal: its row, the count, its slot's grid row, and the rows of that
        # slot's other sessions (their "move to a bigger room" may change).
        ("", propose, {"NEW", row, "desk:sessions-title", grid_row, "LOG"}),
        ("", cancel, {"desk:reports", row, "NEW", "desk:sessions-title", grid_row, "LOG"}),
    ]
    for query, change, keys in checks:
        shipped, page, seq = await page_after(server, client, query, change)
        named = {"NEW": neighbour[0] if neighbour else "", "LOG": f"desk:log:{seq}"}
        expected = {named.get(key, key) for key in keys}
        assert set(shipped) == expected, (query, change.__name__)
        for key, fragment in shipped.items():
            if fragment is None:
                assert f'data-frag="{key}"' not in page
                continue
            assert fragment in page, (query, key)
            assert f'data-frag="{key}"' in fragment
            # Nothing of who watches: no token in what every desk of the view shares.
            assert 'name="csrf"' not in fragment

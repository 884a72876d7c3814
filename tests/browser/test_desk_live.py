"""
Open facilitator desks show every kind of change from their own pushed events.

Three desks stay open in real Chromium, one per view (plain, with attendees' going in
the log, with a placement suggestion asked for), while the test makes each kind of
change (propose, edit, move, swap, hide/show, cancel, reports, meetups, block/unblock,
layout, official schedule, going) through the API or the store.  Each desk must show
it having asked the server for nothing (its network log stays empty: no fetch of the
desk or of any part of it), with a gapless log of applied sequence numbers; the views
differ where they should (going only in the going view's log; the suggestion follows
who is going).
"""

from __future__ import annotations

import pytest
import pytest_twisted

from openspace.clock import utc_now
from openspace.commands import SYSTEM, SetLayout, SetOfficialSchedule, SetSources
from openspace.events import Layout
from openspace.model import OfficialTalk, Room, ScheduleSource
from tests.browser.conftest import BrowserThread
from tests.browser.test_in_place import API, SOURCE, Screens, text_of, two_sessions_of_one_host
from tests.support import SLUG, Client, RunningServer, conference_layout, slot_id, utc

pytestmark = pytest.mark.browser

DESKS = ("desk", "going", "placement")
ORDER = "Array.from(document.querySelectorAll('tr[data-session-id]'), r => r.dataset.sessionId)"


def row(session_id: str) -> str:
    return text_of(f"tr[data-session-id={session_id!r}]")


def log_has(seq: int) -> str:
    return f"{text_of('#undo-title ~ .table-scroll td:first-child')}.split('|').includes('#{seq}')"


async def head(client: Client) -> int:
    seq: int = (await client.get(f"{API}/board")).json["seq"]
    return seq


@pytest_twisted.ensureDeferred
async def test_open_desks_show_every_change_without_a_request(
    server: RunningServer, client: Client, browser: BrowserThread
) -> None:
    store = server.service.store
    assert store is not None
    first_id, second_id, token = await two_sessions_of_one_host(client)
    screens = Screens(browser)
    await screens.open(
        server.url,
        {
            "desk": f"/e/{SLUG}/desk",
            "going": f"/e/{SLUG}/desk?going=1",
            "placement": f"/e/{SLUG}/desk?placement={slot_id(13)}",
        },
    )

    async def all_show(predicate: str) -> None:
        for name in DESKS:
            await screens.shows(name, predicate)

    try:
        await screens.shows("placement", f"{text_of('.notice')}.includes('No move would')")
        # propose
        made = await client.propose(room="r4", hour=11, title="Fresh idea", host="Bo")
        fresh_id = made.json["session"]["id"]
        await all_show(f"{row(fresh_id)}.includes('Fresh idea')")
        await all_show(f"{text_of('#sessions-title')} === 'Sessions (3)'")
        # edit
        patch = f"{API}/sessions/{first_id}"
        await client.request("PATCH", patch, {"title": "Typing, typed"}, token=token)
        await all_show(f"{row(first_id)}.includes('Typing, typed')")
        await all_show(f"{text_of('#cells-title ~ .table-scroll td')}.includes('Typing, typed')")
        # move
        body = {"room": "r3", "slot": slot_id(14)}
        await client.request("PATCH", patch, body, token=token)
        await all_show(f"{row(first_id)}.includes('Room Three')")
        # The new row went in, and the moved one moved, by slot: 11:00, 13:00, 14:00.
        await all_show(f"{ORDER}.join() === {','.join((fresh_id, second_id, first_id))!r}")
        # swap: the host's two sessions trade cells
        swapped = await client.post(
            f"{API}/swaps", {"first": first_id, "second": second_id}, token=token
        )
        assert swapped.status == 200, swapped.body
        await all_show(f"{row(first_id)}.includes('Room Two')")
        await all_show(f"{row(second_id)}.includes('Room Three')")
        # hide and show
        hidden = f"{API}/sessions/{fresh_id}/hidden"
        await client.request("PUT", hidden, token=server.token)
        await all_show(f"{row(fresh_id)}.includes('Fresh idea (hidden)')")
        await client.request("DELETE", hidden, token=server.token)
        await all_show(f"!{row(fresh_id)}.includes('(hidden)')")
        # a report: the queue on every view, its entry only in the going view's log
        report = {"item": second_id, "attendee": "reporter-1", "reason": "Looks like spam"}
        await client.post(f"{API}/reports", report)
        reported = await head(client)
        await all_show(f"{text_of('#reports-title')} === 'Reports (1)'")
        await all_show(f"{text_of('#reports-title ~ .table-scroll')}.includes('Looks like spam')")
        await screens.shows("going", log_has(reported))
        # cancel
        await client.request("DELETE", f"{API}/sessions/{fresh_id}", token=server.token)
        await all_show(f"{row(fresh_id)} === ''")
        await all_show(f"{text_of('#sessions-title')} === 'Sessions (2)'")
        # meetup
        await client.post(f"{API}/meetups", {"title": "Rust chat", "place": "Café"})
        await all_show(f"{text_of('#meetups-title ~ .table-scroll')}.includes('Rust chat')")
        # block and unblock
        cell = f"{API}/blocked/r4/{slot_id(11)}"
        unblock = (
            "Array.from(document.querySelectorAll('button[name=unblock]'))"
            ".some(b => b.textContent.includes('Room Four at 11:00–12:00'))"
        )
        await client.request("PUT", cell, token=server.token)
        await all_show(unblock)
        await client.request("DELETE", cell, token=server.token)
        await all_show(f"!{unblock}")
        # layout: a new room
        now = utc_now(server.clock)
        base = conference_layout()
        wider = Layout(base.info, (*base.rooms, Room("r5", "Room Five", 8)), base.slots)
        await store.execute(SLUG, SetLayout(wider), SYSTEM, now)
        await all_show(f"{text_of('#cells-title ~ .table-scroll th')}.includes('Room Five')")
        # official schedule
        talk = OfficialTalk("k1", SOURCE, "Keynote: desks", utc(11), utc(12), room="Main hall")
        await store.execute(SLUG, SetSources((ScheduleSource(SOURCE),)), SYSTEM, now)
        await store.execute(SLUG, SetOfficialSchedule(SOURCE, (talk,)), SYSTEM, now)
        await all_show(log_has(await head(client)))
        # going: 40 for Room Two's 20 seats; the suggestion for 13:00 follows
        for n in range(40):
            await client.post(f"{API}/sessions/{first_id}/going", {"attendee": f"crowd-{n:04d}"})
        await all_show(f"{row(first_id)}.includes('40 going')")
        suggested = text_of("[data-frag='desk:suggestion']")
        await screens.shows("placement", f"{suggested}.includes('Apply this move')")
        going_seq = await head(client)
        await screens.shows("going", log_has(going_seq))

        for name in DESKS:
            await screens.shows(name, f"openspace.live.state.seq === {going_seq}")
            log = await screens.evaluate(name, "openspace.live.state.log")
            assert log == list(range(log[0], going_seq + 1)), name
            assert screens.asked[name] == [], (name, screens.asked[name])
        # The going view's log: the newest change on top, the oldest fallen off.
        logged = "Array.from(document.querySelectorAll('[data-frag=\"desk:undo\"] tbody tr'))"
        rows = await screens.evaluate("going", f"{logged}.map(r => r.cells[0].textContent)")
        assert going_seq > 50 and rows == [
            f"#{seq}" for seq in range(going_seq, going_seq - 50, -1)
        ]
        # Rows that came and moved stand in the server's order: by slot, then room.
        board = (await client.get(f"{API}/board")).json
        order = [s["id"] for s in sorted(board["sessions"], key=lambda s: (s["slot"], s["room"]))]
        shown = (
            "Array.from(document.querySelectorAll('tr[data-session-id]'), r => r.dataset.sessionId)"
        )
        for name in DESKS:
            assert await screens.evaluate(name, shown) == order, name
        # Attendees' traffic stays out of the plain views' logs.
        for name in ("desk", "placement"):
            assert not await screens.evaluate(name, log_has(going_seq)), name
            assert not await screens.evaluate(name, log_has(reported)), name
    finally:
        await screens.close()

"""
The official schedule on the pages, over real HTTP: beside each slot of the board, on
the kiosk while it runs, and as clashes on a session's page.
"""

from __future__ import annotations

import re

import pytest_twisted
from attrs import evolve
from tests.conftest import NOW
from tests.support import SLUG, Client, RunningServer, conference_layout, utc

from openspace.commands import SYSTEM, SetOfficialSchedule, SetSources
from openspace.model import Board, OfficialTalk, ScheduleSource
from openspace.web.pages.timeline import stale_in

URL = "https://talks.example/schedule.json"
# The server's "now" is 11:30 in Berlin: the first talk is running, the second is next.
RUNNING = OfficialTalk(
    "k1", URL, "Keynote <live>", utc(11), utc(12), "Main Hall", ("Ada Quill",), url="https://x/k1"
)
NEXT = OfficialTalk("t2", URL, "Packaging", utc(12), utc(12, 45), "Room Two", ("Bo",))


@pytest_twisted.ensureDeferred
async def test_pages_show_the_official_schedule_and_its_clashes(
    server: RunningServer, client: Client
) -> None:
    store = server.service.store
    assert store is not None
    await store.execute(SLUG, SetSources((ScheduleSource(URL),)), SYSTEM, NOW)
    await store.execute(SLUG, SetOfficialSchedule(URL, (RUNNING, NEXT)), SYSTEM, NOW)
    clash = await client.propose(room="r1", hour=12, title="Open packaging", host="Bo")
    session = clash.json["session"]["id"]

    board = (await client.get(f"/e/{SLUG}/")).body.decode()
    assert board.count("Also on the official schedule (1)") == 2
    assert '<details class="official">' in board
    assert "Keynote &lt;live&gt;" in board
    assert '<a href="https://x/k1">' in board
    assert "12:00–12:45" in board and " — Room Two" in board

    kiosk = (await client.get(f"/e/{SLUG}/kiosk")).body.decode()
    assert kiosk.index("Now in the talk rooms") < kiosk.index("Keynote &lt;live&gt;")
    # The talk to come is there for the kiosk's clock to show, hidden until it starts.
    coming = re.search(r"<li ([^>]*)>(?:(?!</li>).)*Packaging</strong>", kiosk)
    assert coming is not None and 'hidden=""' in coming.group(1)

    page = await client.get(f"/e/{SLUG}/s/{session}")
    assert page.status == 200
    assert "Bo also speaks at the same time in the official talk “Packaging”" in page.body.decode()


def layout_only_board() -> Board:
    layout = conference_layout()
    return Board(layout.info, 1, NOW, layout.rooms, layout.slots)


def test_the_kiosk_renders_again_when_an_official_talk_starts_or_ends() -> None:
    board = layout_only_board()
    # 11:30 in Berlin: the next slot starts at 12:00, the short talk ends at 11:40.
    assert stale_in(board, NOW) == 30 * 60 + 1
    short = evolve(RUNNING, end=utc(11, 40))
    assert stale_in(evolve(board, official=(short,)), NOW) == 10 * 60 + 1

"""
The board's grid and filters over real HTTP: where the server puts each card and cell,
the day switcher, the filtered renderings (shared and cached like the board), and the
filter's rule itself (Hypothesis).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest_twisted
from hypothesis import given
from hypothesis import strategies as st

from openspace.commands import SYSTEM, SetLayout, SetOfficialSchedule, SetSources
from openspace.events import Layout
from openspace.model import OfficialTalk, Room, ScheduleSource, Session, Slot
from openspace.web.pages.filters import BoardFilter
from tests.conftest import NOW
from tests.support import DAY, SLUG, Client, RunningServer, conference_layout, slot_id, utc
from tests.web.test_fragments import fragments_of


async def board(client: Client, query: str = "") -> str:
    reply = await client.get(f"/e/{SLUG}/{query}")
    assert reply.status == 200
    return reply.body.decode()


def card_class(page: str, title: str) -> str:
    found = re.search(r'<article class="([^"]+)"[^>]*><h3><a href="[^"]+">' + title, page)
    assert found is not None, title
    return found.group(1)


@pytest_twisted.ensureDeferred
async def test_cards_and_cells_carry_their_place_in_the_grid(
    server: RunningServer, client: Client
) -> None:
    store = server.service.store
    assert store is not None
    url = "https://example.org/schedule.json"
    talk = OfficialTalk("k1", url, "Keynote", utc(14), utc(15), "Room Three", ("Ada",))
    await store.execute(SLUG, SetSources((ScheduleSource(url),)), SYSTEM, NOW)
    await store.execute(SLUG, SetOfficialSchedule(url, (talk,)), SYSTEM, NOW)
    await client.propose(room="r2", hour=12, title="Second room")
    page = await board(client)
    # One column per room that holds sessions (not the hallway spot), in the board's order.
    head = re.search(r'<div class="grid-head"[^>]*>(.*?)</div>', page)
    assert head is not None
    assert re.findall(r'<span class="(c\d+)">([^<]+)</span>', head.group(1)) == [
        ("c1", "Room One"),
        ("c2", "Room Two"),
        ("c3", "Room Three"),
        ("c4", "Room Four"),
    ]
    assert card_class(page, "Second room") == "card c2"
    assert f'class="c4" href="/e/{SLUG}/propose?room=r4&amp;slot={slot_id(12)}"' in page
    assert '<p class="cell blocked c4">Blocked</p>' in page  # r4 at 17:00
    assert '<p class="cell talk c3"><span class="kind">Official talk: </span>Keynote</p>' in page
    assert f'<section class="slot d1" data-slot="{slot_id(12)}"' in page
    assert '<div class="grid show-d1">' in page


@pytest_twisted.ensureDeferred
async def test_the_day_switcher_shows_the_current_day_or_the_one_asked_for(
    server: RunningServer, client: Client
) -> None:
    store = server.service.store
    assert store is not None
    base = conference_layout()
    tomorrow = tuple(
        Slot(f"t{slot.id}", slot.start + timedelta(days=1), slot.end + timedelta(days=1))
        for slot in base.slots
    )
    await store.execute(
        SLUG, SetLayout(Layout(base.info, base.rooms, base.slots + tomorrow)), SYSTEM, NOW
    )
    page = await board(client)
    assert '<div class="grid show-d1">' in page
    assert re.search(r'<a href="\?day=2030-05-15" data-day="1"[^>]*aria-current="date"', page)
    assert f'<section class="slot d2" data-slot="t{slot_id(9)}"' in page
    second = await board(client, "?day=2030-05-16")
    assert '<div class="grid show-d2">' in second
    assert re.search(r'<a href="\?day=2030-05-16" data-day="2"[^>]*aria-current="date"', second)
    assert '<a class="print" href="?day=2030-05-16">Print</a>' in second
    # A day the board does not have is the current day.
    assert '<div class="grid show-d1">' in await board(client, "?day=1999-01-01")
    # Once the first day is over, the current day is the second.
    server.set_now(DAY.replace(hour=18))
    assert '<div class="grid show-d2">' in await board(client)


@pytest_twisted.ensureDeferred
async def test_filters_mark_what_they_leave_out_in_a_shared_rendering(client: Client) -> None:
    await client.propose(room="r1", hour=11, title="Async all the things", tags=["async"])
    await client.propose(
        room="r2", hour=12, title="Typing", host="Bo Types", description="A flux capacitor."
    )
    page = await board(client)
    assert card_class(page, "Async all the things") == "card c1"
    assert '<a href="?tag=async">#async</a>' in page
    tagged = await board(client, "?tag=async")
    assert 'class="board filtering"' in tagged
    assert card_class(tagged, "Async all the things") == "card c1"
    assert card_class(tagged, "Typing") == "card c2 out"
    assert "Only sessions tagged <strong>#async</strong>" in tagged
    searched = await board(client, "?q=CAPACITOR+flux")
    assert card_class(searched, "Async all the things") == "card c1 out"
    assert card_class(searched, "Typing") == "card c2"
    assert 'value="CAPACITOR flux"' in searched
    # Each filter is a rendering of its own, cached and revalidated like the board.
    first = await client.get(f"/e/{SLUG}/?q=flux")
    etag = first.headers["etag"]
    again = await client.get(f"/e/{SLUG}/?q=flux", headers={"If-None-Match": etag})
    assert again.status == 304
    assert (await client.get(f"/e/{SLUG}/")).headers["etag"] != etag


@pytest_twisted.ensureDeferred
async def test_a_layout_change_ships_the_rooms_header(server: RunningServer) -> None:
    store = server.service.store
    assert store is not None
    base = conference_layout()
    wider = Layout(base.info, (*base.rooms, Room("r5", "Room Five", 8)), base.slots)
    html = await fragments_of(server, lambda: store.execute(SLUG, SetLayout(wider), SYSTEM, NOW))
    head = html["grid-head"]
    assert head is not None and '<span class="c5">Room Five</span>' in head
    slot = html[f"slot:{slot_id(12)}"]
    assert slot is not None and 'class="c5" href' in slot
    days = html["days"]
    assert days is not None and days.count("data-day=") == 1


@pytest_twisted.ensureDeferred
async def test_a_new_day_ships_the_day_switcher(server: RunningServer, client: Client) -> None:
    store = server.service.store
    assert store is not None
    base = conference_layout()
    later = Slot("later", DAY + timedelta(days=1, hours=8), DAY + timedelta(days=1, hours=9))
    longer = Layout(base.info, base.rooms, (*base.slots, later))
    html = await fragments_of(server, lambda: store.execute(SLUG, SetLayout(longer), SYSTEM, NOW))
    days = html["days"]
    assert days is not None and 'href="?day=2030-05-16" data-day="2"' in days
    assert days in await board(client)  # the page at that state has the same markup


words = st.text(alphabet="abcXYZ é", min_size=0, max_size=12)


@given(title=words, host=words, description=words, query=words, tags=st.lists(words, max_size=3))
def test_the_filter_ignores_case_and_word_order(
    title: str, host: str, description: str, query: str, tags: list[str]
) -> None:
    tags = [" ".join(tag.split()) for tag in tags if tag.strip()]
    session = Session("s1", title, description, host, tuple(tags), "r1", "x", "0" * 64)
    forward = BoardFilter(words=query)
    assert forward.matches(session) == BoardFilter(words=query.upper()).matches(session)
    assert forward.matches(session) == BoardFilter(words=" ".join(query.split()[::-1])).matches(
        session
    )
    assert BoardFilter().matches(session)
    text = f"{title}\n{host}\n{description}".lower()
    assert forward.matches(session) == all(word in text for word in query.lower().split())
    for tag in tags:
        assert BoardFilter(tag=tag.lower()).matches(session)
    assert not BoardFilter(tag="nothing-has-this").matches(session)

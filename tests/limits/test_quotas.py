"""
Quotas that keep the board readable: sessions per host key, meetups per person and per
place; facilitators are exempt, and the refusal is typed (409 "quota" over the API).
"""

from __future__ import annotations

from datetime import timedelta

import pytest_twisted

from openspace.commands import FACILITATOR, ProposeSession, StartMeetup
from openspace.fields import MEETUPS_PER_OWNER, MEETUPS_PER_PLACE, SESSIONS_PER_KEY
from tests.engine.test_board import NOW, Scene
from tests.support import SLUG, Client, RunningServer, slot_id

ROOMS = ("r1", "r2", "r3", "r4")


def _propose(n: int, owner: str = "key-a") -> ProposeSession:
    return ProposeSession("Talk", "", "Ann", [], ROOMS[n % 4], slot_id(12 + n // 4), owner)


def test_one_key_holds_only_so_many_sessions_that_are_not_over() -> None:
    scene = Scene()
    for n in range(SESSIONS_PER_KEY):
        scene.run(_propose(n))
    refusal = scene.refusal(_propose(SESSIONS_PER_KEY))
    assert refusal.code == "quota"
    assert str(SESSIONS_PER_KEY) in refusal.message
    # Another key, and the facilitator, are not held back by it.
    scene.run(_propose(SESSIONS_PER_KEY, owner="key-b"))
    scene.run(_propose(SESSIONS_PER_KEY + 1), FACILITATOR)


def test_sessions_that_are_over_leave_the_quota() -> None:
    scene = Scene()
    for n in range(SESSIONS_PER_KEY):
        scene.run(_propose(n))
    # At 13:00 the four 12:00 sessions are over.
    later = NOW + timedelta(hours=1, minutes=30)
    scene.run(_propose(SESSIONS_PER_KEY + 4), now=later)


def test_one_person_has_only_so_many_meetups_that_have_not_ended() -> None:
    scene = Scene()
    for n in range(MEETUPS_PER_OWNER):
        scene.run(StartMeetup(f"Chat {n}", f"place {n}", owner="me"))
    refusal = scene.refusal(StartMeetup("One more", "elsewhere", owner="me"))
    assert refusal.code == "quota"
    scene.run(StartMeetup("Anyone else", "elsewhere", owner="you"))
    # Once the first ones have ended, the same person may start more.
    scene.run(StartMeetup("Later", "later", owner="me"), now=NOW + timedelta(minutes=30))


def test_one_place_holds_only_so_many_meetups_at_once() -> None:
    scene = Scene()
    for n in range(MEETUPS_PER_PLACE):
        scene.run(StartMeetup(f"Chat {n}", "cafe"))
    refusal = scene.refusal(StartMeetup("Too many", "cafe"))
    assert (refusal.code, refusal.field) == ("quota", "place")
    # Free text is compared without case or spacing; other times are free.
    for n in range(MEETUPS_PER_PLACE):
        scene.run(StartMeetup(f"Stairs {n}", "By the  Stairs"))
    assert scene.refusal(StartMeetup("Stairs", "by the stairs")).code == "quota"
    scene.run(StartMeetup("Later", "cafe", NOW + timedelta(hours=1)))
    scene.run(StartMeetup("Desk", "cafe"), FACILITATOR)


@pytest_twisted.ensureDeferred
async def test_the_api_answers_a_quota_with_409(client: Client, server: RunningServer) -> None:
    path = f"/api/events/{SLUG}/meetups"
    for n in range(MEETUPS_PER_OWNER):
        body = {"title": "Chat", "place": f"Spot {n}", "attendee": "attendee-quota"}
        assert (await client.post(path, body)).status == 201
    body = {"title": "Chat", "place": "Spot x", "attendee": "attendee-quota"}
    refused = await client.post(path, body)
    assert refused.status == 409
    assert refused.json["error"]["code"] == "quota"
    meetups = (await client.get(f"/api/events/{SLUG}/board")).json["meetups"]
    assert len(meetups) == MEETUPS_PER_OWNER
    assert all("owner" not in meetup for meetup in meetups)

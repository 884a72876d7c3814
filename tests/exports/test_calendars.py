"""
The iCalendar feeds and the Atom change feed, read back with icalendar and lxml.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from lxml import etree

from openspace.commands import (
    CancelMeetup,
    CancelSession,
    EditSession,
    HideSession,
    ProposeSession,
    Refused,
    SetGoing,
    StartMeetup,
    SwapSessions,
)
from openspace.exports.atom import changes_atom
from openspace.exports.history import fold
from openspace.exports.ical import (
    CANCELLED_KEPT,
    board_calendar,
    personal_calendar,
    room_calendar,
    session_calendar,
)
from openspace.replay import replay
from tests.exports.boards import LINKS, Story
from tests.support import slot_id

START = datetime(2030, 5, 1, 12, tzinfo=UTC)
ATOM = "{http://www.w3.org/2005/Atom}"


def events(body: bytes) -> dict[str, Any]:
    calendar = Calendar.from_ical(body)
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def story_with_sessions() -> Story:
    story = Story.start(START)
    story.do(
        ProposeSession(
            "Packaging", "How we ship", "Ann", ["pypa", "tools"], "r1", slot_id(10), "owner-a"
        )
    )
    story.do(ProposeSession("Typing", "", "Bob", [], "r2", slot_id(11), "owner-b"))
    return story


def test_sessions_carry_what_calendars_need() -> None:
    story = story_with_sessions()
    body = board_calendar(story.current, LINKS, story.now).body
    calendar = Calendar.from_ical(body)
    assert calendar["X-WR-TIMEZONE"] == "Europe/Berlin"
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/Berlin"
    packaging = events(body)["Packaging"]
    assert packaging["UID"] == f"session-s2.conf-{int(START.timestamp())}@openspace"
    assert packaging["SEQUENCE"] == 0
    assert packaging["DTSTART"].dt == datetime(2030, 5, 15, 8, tzinfo=UTC)
    assert str(packaging["DTSTART"].dt.tzinfo) == "Europe/Berlin"
    assert packaging["DTSTAMP"].dt == START + timedelta(minutes=1)
    assert packaging["LAST-MODIFIED"].dt == START + timedelta(minutes=1)
    assert str(packaging["LOCATION"]) == "Room One — Ground floor"
    assert str(packaging["URL"]) == "https://board.example.org/e/conf/s/s2"
    assert "How we ship" in str(packaging["DESCRIPTION"])
    assert "Host: Ann" in str(packaging["DESCRIPTION"])
    assert list(packaging["CATEGORIES"].cats) == ["pypa", "tools"]
    assert str(packaging["STATUS"]) == "CONFIRMED"
    assert "CATEGORIES" not in events(body)["Typing"]


def test_uid_stays_and_sequence_grows_with_every_change() -> None:
    story = story_with_sessions()
    uid = events(board_calendar(story.current, LINKS, story.now).body)["Packaging"]["UID"]
    story.do(EditSession("s2", room="r3", slot=slot_id(14)))
    story.do(SwapSessions("s2", "s3"))
    story.do(EditSession("s2", title="Packaging!"))
    story.do(SetGoing("s2", "attendee-0001", True))  # not a change for calendars
    moved = events(board_calendar(story.current, LINKS, story.now).body)["Packaging!"]
    assert moved["UID"] == uid
    assert moved["SEQUENCE"] == 3
    assert moved["LAST-MODIFIED"].dt == START + timedelta(minutes=5)
    assert str(moved["LOCATION"]).startswith("Room Two")


def test_cancelled_sessions_stay_cancelled_for_a_week_then_leave() -> None:
    story = story_with_sessions()
    story.do(CancelSession("s2"))
    cancelled_at = story.now - timedelta(minutes=1)
    document = board_calendar(story.current, LINKS, story.now)
    gone = events(document.body)["Packaging"]
    assert str(gone["STATUS"]) == "CANCELLED"
    assert gone["SEQUENCE"] == 1
    assert document.fresh_until == cancelled_at + CANCELLED_KEPT
    later = board_calendar(story.current, LINKS, cancelled_at + CANCELLED_KEPT)
    assert "Packaging" not in events(later.body)
    assert later.last_modified == cancelled_at + CANCELLED_KEPT
    assert later.fresh_until is None


def test_hidden_sessions_never_appear() -> None:
    story = story_with_sessions()
    story.do(HideSession("s2"))
    assert "Packaging" not in events(board_calendar(story.current, LINKS, story.now).body)
    story.do(CancelSession("s2"))
    assert "Packaging" not in events(board_calendar(story.current, LINKS, story.now).body)
    assert b"Packaging" not in changes_atom(story.current, LINKS).body


def test_meetups_rooms_single_sessions_and_personal_feeds() -> None:
    story = story_with_sessions()
    story.do(StartMeetup("Coffee", "Café", datetime(2030, 5, 15, 9, tzinfo=UTC), 30))
    story.do(StartMeetup("Gone soon", "Café", datetime(2030, 5, 15, 9, tzinfo=UTC), 30))
    story.do(CancelMeetup("m5"))
    story.do(SetGoing("s3", "attendee-0001", True))
    history, now = story.current, story.now
    everything = events(board_calendar(history, LINKS, now).body)
    assert set(everything) == {"Packaging", "Typing", "Coffee", "Gone soon"}
    assert str(everything["Gone soon"]["STATUS"]) == "CANCELLED"
    assert list(everything["Coffee"]["CATEGORIES"].cats) == ["Hallway meetup"]
    assert set(events(room_calendar(history, LINKS, now, "r1").body)) == {"Packaging"}
    assert set(events(room_calendar(history, LINKS, now, "cafe").body)) == set()
    assert set(events(session_calendar(history, LINKS, now, "s3").body)) == {"Typing"}
    mine = personal_calendar(
        history, LINKS, now, starred=set(), attendee="attendee-0001", owner="owner-a"
    )
    assert set(events(mine.body)) == {"Packaging", "Typing"}
    starred = personal_calendar(history, LINKS, now, starred={"s2"}, attendee=None, owner=None)
    assert set(events(starred.body)) == {"Packaging"}


def test_the_same_board_gives_the_same_bytes() -> None:
    story = story_with_sessions()
    first = board_calendar(story.current, LINKS, story.now)
    again = board_calendar(story.current, LINKS, story.now + timedelta(hours=5))
    assert first.body == again.body and first.etag == again.etag


def test_folding_the_whole_log_gives_the_board_and_the_same_history() -> None:
    story = story_with_sessions()
    story.do(EditSession("s2", room="r3", slot=slot_id(14)))
    story.do(CancelSession("s3"))
    folded = fold(None, story.log)
    assert folded == story.current
    assert folded is not None and folded.board == replay(story.log)


def test_the_atom_feed_tells_changes_newest_first_with_names() -> None:
    story = story_with_sessions()
    story.do(EditSession("s2", room="r3", slot=slot_id(14)))
    story.do(EditSession("s3", title="Typing, again"))
    story.do(SetGoing("s2", "attendee-secret-id", True))
    story.do(CancelSession("s3"))
    story.do(StartMeetup("Coffee", "Café", datetime(2030, 5, 15, 9, tzinfo=UTC), 30))
    body = changes_atom(story.current, LINKS).body
    assert b"attendee-secret-id" not in body
    feed = etree.fromstring(body)
    entries = feed.findall(f"{ATOM}entry")
    titles = [entry.findtext(f"{ATOM}title") for entry in entries]
    assert titles == [
        "Hallway meetup: Coffee",
        "Cancelled: Typing, again",
        "Renamed: Typing, again",
        "Moved: Packaging",
        "New: Typing",
        "New: Packaging",
    ]
    summaries = [entry.findtext(f"{ATOM}summary") for entry in entries]
    assert summaries[3] == (
        "“Packaging” moved to Room Three, Wed 15 May 14:00 (was Room One, Wed 15 May 10:00)."
    )
    assert summaries[2] == "“Typing” is now called “Typing, again”."
    assert summaries[5] == "“Packaging” by Ann: Room One, Wed 15 May 10:00."
    assert all("s2" not in text and "r3" not in text for text in summaries)
    links = [entry.find(f"{ATOM}link").get("href") for entry in entries]
    assert links[3] == "https://board.example.org/e/conf/s/s2"
    assert links[1] == "https://board.example.org/e/conf/"
    updated = [entry.findtext(f"{ATOM}updated") for entry in entries]
    assert updated == sorted(updated, reverse=True)


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["propose", "move", "rename", "hide", "show", "cancel", "going"]),
        st.integers(0, 5),
        st.integers(0, 3),
        st.integers(10, 16),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(OPERATIONS)
def test_calendars_keep_uids_and_grow_sequences_and_atom_keeps_secrets_whatever_happens(
    operations: list[tuple[str, int, int, int]],
) -> None:
    story = Story.start(START)
    seen: dict[str, tuple[int, tuple[str, ...]]] = {}
    for kind, pick, room, hour in operations:
        sessions = sorted(story.current.board.sessions)
        target = sessions[pick % len(sessions)] if sessions else None
        command: Any = {
            "propose": ProposeSession(
                f"T{len(story.log)}", "", "H", [], f"r{room + 1}", slot_id(hour), "o"
            ),
            "move": target and EditSession(target, room=f"r{room + 1}", slot=slot_id(hour)),
            "rename": target and EditSession(target, title=f"Renamed {len(story.log)}"),
            "hide": target and HideSession(target, True),
            "show": target and HideSession(target, False),
            "cancel": target and CancelSession(target),
            "going": target and SetGoing(target, f"attendee-{pick:04d}", True),
        }[kind]
        if not command:
            continue
        try:
            story.do(command)
        except Refused:
            continue
        board = story.current.board
        atom = changes_atom(story.current, LINKS).body
        assert b"attendee-" not in atom
        # Titles are unique here: a hidden session's title shows in no entry.
        for hidden in (s for s in board.sessions.values() if s.hidden):
            assert f"“{hidden.title}”".encode() not in atom
        calendar = Calendar.from_ical(board_calendar(story.current, LINKS, story.now).body)
        found = list(calendar.walk("VEVENT"))
        uids = [str(event["UID"]) for event in found]
        assert len(uids) == len(set(uids))
        confirmed = {
            str(e["UID"]).split(".", 1)[0] for e in found if str(e["STATUS"]) == "CONFIRMED"
        }
        assert confirmed == {f"session-{s.id}" for s in board.visible_sessions()}
        for event in found:
            uid, sequence = str(event["UID"]), int(event["SEQUENCE"])
            shown = (
                *(str(event[name]) for name in ("SUMMARY", "LOCATION", "STATUS")),
                event["DTSTART"].dt.isoformat(),
            )
            if uid in seen:
                before, was = seen[uid]
                assert sequence >= before
                if shown != was:
                    assert sequence > before, (uid, was, shown)
            seen[uid] = (sequence, shown)


def test_rendered_events_are_kept_between_builds_and_change_nothing() -> None:
    story = story_with_sessions()
    story.do(StartMeetup("Coffee", "Café", datetime(2030, 5, 15, 9, tzinfo=UTC), 30))
    memo: dict[Any, bytes] = {}
    first = board_calendar(story.current, LINKS, story.now, memo)
    assert first.body == board_calendar(story.current, LINKS, story.now).body
    rendered = len(memo)  # three events and the zone
    assert rendered == 4
    story.do(EditSession("s2", title="Packaging!"))
    story.do(SetGoing("s3", "attendee-0001", True))
    again = board_calendar(story.current, LINKS, story.now, memo)
    assert again.body == board_calendar(story.current, LINKS, story.now).body
    assert len(memo) == rendered + 1  # only the renamed session was rendered again
    mine = personal_calendar(
        story.current, LINKS, story.now, starred={"s2"}, attendee=None, owner=None, memo=memo
    )
    assert len(memo) == rendered + 1
    assert set(events(mine.body)) == {"Packaging!"}

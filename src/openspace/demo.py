"""
The demo event a newcomer sees after C{openspace serve --demo}.

Its slots are laid around the moment the server starts, in the machine's own time zone,
so there is always something on now, something next and more later, plus a hallway
meetup running.  All the text is invented.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from openspace.commands import Command, ProposeSession, SetGoing, SetLayout, StartMeetup
from openspace.eventfile import slot_id
from openspace.events import Layout
from openspace.model import Board, EventInfo, Room, RoomKind, Slot
from openspace.tokens import digest, new_edit_key

SLUG = "demo"
HOURS_BEFORE = 2
HOURS_AFTER = 8

ROOMS = (
    Room("lagoon", "Lagoon Room", 40, "Ground floor, left of registration", "Step-free"),
    Room("harbour", "Harbour Room", 25, "Level 1, end of the corridor", "Lift next to stairs"),
    Room("attic", "The Attic", 12, "Level 3, up the spiral stairs", "Stairs only"),
    Room("garden", "Garden Tent", 60, "Through the café, outside", "Step-free, grass"),
    Room("coffee", "Coffee bar", None, "Ground floor, by the windows", "", RoomKind.hallway),
    Room("sofas", "Sofa corner", None, "Level 1 landing", "", RoomKind.hallway),
)

# (hours from now's slot, room, title, host, tags, description)
SESSIONS = (
    (-1, "lagoon", "Packaging horror stories", "Ada Quill", ("packaging",), "Bring yours."),
    (
        0,
        "lagoon",
        "Async all the things?",
        "Bo Lindqvist",
        ("async", "twisted"),
        "When Deferreds, when coroutines, when threads. Beginners welcome.",
    ),
    (
        0,
        "attic",
        "Typing legacy code",
        "Chen Wei",
        ("typing",),
        "mypy --strict one file at a time.",
    ),
    (0, "garden", "Mentored sprint prep", "Dolores Okafor", ("sprints", "community"), ""),
    (
        1,
        "harbour",
        "Testing against real databases",
        "Émile Laurent",
        ("testing",),
        "Fixtures, transactions, and why mocks lied to us.",
    ),
    (1, "garden", "First-time speakers' circle", "Farah Haddad", ("community",), ""),
    (2, "lagoon", "Accessibility in web frameworks", "Gus Møller", ("web", "a11y"), ""),
    (3, "attic", "Rust extensions for Pythonistas", "Hana Sato", ("rust",), ""),
    (5, "harbour", "Open-space retro", "Ada Quill", ("meta",), "What should we change next year?"),
)


def local_zone_name(environ: Mapping[str, str], localtime: Path = Path("/etc/localtime")) -> str:
    """
    The machine's IANA zone name: C{$TZ}, else where C{/etc/localtime} points, else UTC.
    """
    candidates = [environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        candidates.append(str(localtime.resolve()).partition("zoneinfo/")[2])
    for name in candidates:
        if not name:
            continue
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return name
    return "UTC"


def demo_layout(now: datetime, zone_name: str) -> Layout:
    zone = ZoneInfo(zone_name)
    local_hour = now.astimezone(zone).replace(minute=0, second=0, microsecond=0)
    first = local_hour.astimezone(ZoneInfo("UTC")) - timedelta(hours=HOURS_BEFORE)
    slots = []
    for k in range(HOURS_BEFORE + HOURS_AFTER):
        start = first + timedelta(hours=k)
        local = start.astimezone(zone)
        slots.append(Slot(slot_id(local.date(), local.time()), start, start + timedelta(hours=1)))
    return Layout(EventInfo(SLUG, "Demo Open Spaces", zone_name), ROOMS, tuple(slots))


def demo_commands(layout: Layout) -> list[Command]:
    """
    What fills the demo board after L{demo_layout}: sessions, attendees, a meetup.
    """
    now_index = HOURS_BEFORE
    commands: list[Command] = [SetLayout(layout)]
    for offset, room, title, host, tags, description in SESSIONS:
        slot = layout.slots[now_index + offset]
        owner = digest(new_edit_key())
        commands.append(ProposeSession(title, description, host, tags, room, slot.id, owner))
    commands.append(StartMeetup("Coffee and CPython internals", "coffee", minutes=45))
    return commands


def demo_attendance(board: Board) -> list[Command]:
    """
    A few people going to each session, so the counts are not all zero.
    """
    return [
        SetGoing(session.id, f"demo-attendee-{n:03d}", True)
        for index, session in enumerate(sorted(board.sessions.values(), key=lambda s: s.id))
        for n in range((index * 7) % 11 + 1)
    ]


def is_current(board: Board, now: datetime) -> bool:
    """
    Whether an existing demo board still has slots from now on.
    """
    return any(slot.end > now for slot in board.slots)

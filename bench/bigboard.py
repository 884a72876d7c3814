"""
The benchmark board of issue 9: 10 rooms x 30 slots (three days of ten), 150 sessions of
realistic text, built through the product's own ways in (the event file for the layout,
the JSON API for every proposal) so that the server holds it exactly as it would a real
conference's.  Deterministic: the same seed gives the same board.  Benchmark code, not
product code; standard library only.
"""

from __future__ import annotations

import json
import random
import subprocess
import urllib.request
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

SLUG = "bench"
ROOMS = 10
DAYS = 3
SLOTS_PER_DAY = 10
SESSIONS = 150

_PLACES = (
    ("Lagoon Room", "Ground floor, left of registration", "Step-free"),
    ("Harbour Room", "Level 1, end of the corridor", "Lift next to the stairs"),
    ("The Attic", "Level 3, up the spiral stairs", "Stairs only"),
    ("Garden Tent", "Through the café, outside", "Step-free, grass"),
    ("Library", "Level 2, behind the quiet zone", "Step-free"),
    ("Boardroom", "Level 4, ask at the desk for the code", "Lift"),
    ("Studio B", "Basement, follow the orange signs", "Lift to -1"),
    ("Courtyard", "Between the two wings, covered", "Step-free, cobbles"),
    ("Room 250", "Level 2, past the escalators", "Step-free via lift B"),
    ("Sofa corner", "Level 1 landing", "Step-free"),
)
_TOPICS = (
    "packaging", "async", "typing", "testing", "databases", "web APIs", "accessibility",
    "mentoring", "documentation", "security", "performance", "data science", "teaching",
    "open source maintenance", "CI pipelines", "observability", "Rust extensions",
    "GUI toolkits", "embedded Python", "community organising",
)
_FORMATS = (
    "Hallway chat about {t}", "{T} horror stories", "Ask me anything: {t}",
    "Birds of a feather: {t}", "Hands-on: {t} for beginners", "{T} in legacy code",
    "What is next for {t}?", "Show and tell: {t} tools", "Unconference: {t} deep dive",
    "Lightning round on {t}",
)
_SENTENCES = (
    "Bring your war stories and the fixes that actually worked.",
    "Beginners are very welcome; we start from the basics and go where the room wants.",
    "I will show a small example project, then we open the floor for questions.",
    "Laptops optional: this is a discussion, not a workshop.",
    "We will collect the best links and tips in a shared document afterwards.",
    "Maintainers of a few of the libraries involved have said they will drop by.",
    "If you are stuck on something right now, come and we will look at it together.",
    "Expect opinions, some live coding, and probably a whiteboard full of arrows.",
    "Last year's session ran out of chairs, so this time it is in a bigger room.",
    "Accessibility needs? Tell the host at the start and we will adapt.",
)
_FIRST = (
    "Ada", "Bo", "Chen", "Dolores", "Émile", "Farah", "Gustavo", "Hana", "Ines", "Jonas",
    "Kemal", "Lina", "Mateo", "Noor", "Olu", "Priya", "Quentin", "Rosa", "Sven", "Tamar",
    "Umar", "Vera", "Wen", "Ximena", "Yusuf", "Zofia",
)
_LAST = (
    "Quill", "Lindqvist", "Wei", "Okafor", "Laurent", "Haddad", "Pereira", "Sato",
    "Moreau", "Becker", "Yilmaz", "Novak", "Fernández", "Rahman", "Adeyemi", "Iyer",
    "Dubois", "Costa", "Nilsson", "Levi",
)


def event_toml(first_day: date) -> str:
    """
    The layout as an event file for C{openspace event load}.
    """
    lines = [f'slug = "{SLUG}"', 'name = "Bench Conf open spaces"', 'timezone = "Europe/Berlin"']
    for number, (name, where, access) in enumerate(_PLACES[:ROOMS], 1):
        lines += [
            "",
            "[[rooms]]",
            f'id = "r{number}"',
            f'name = "{name}"',
            f"capacity = {20 + 5 * number}",
            f'where = "{where}"',
            f'access = "{access}"',
        ]
    hours = [f"{9 + h:02d}:00-{9 + h:02d}:50" for h in range(SLOTS_PER_DAY)]
    for day in range(DAYS):
        slots = ", ".join(f'"{s}"' for s in hours)
        when = first_day + timedelta(days=day)
        lines += ["", "[[days]]", f'date = "{when}"', f"slots = [{slots}]"]
    return "\n".join(lines) + "\n"


def proposals(rooms: list[str], slots: list[str], seed: int = 9) -> Iterator[dict[str, object]]:
    """
    C{SESSIONS} proposals of realistic text, each in a cell of its own and by a host of
    their own (no clash warnings), spread over the whole grid.
    """
    rng = random.Random(seed)
    cells = [(room, slot) for slot in slots for room in rooms]
    rng.shuffle(cells)
    hosts = [f"{a} {b}" for a in _FIRST for b in _LAST]
    rng.shuffle(hosts)
    for number in range(SESSIONS):
        topic = rng.choice(_TOPICS)
        title = rng.choice(_FORMATS).format(t=topic, T=topic[0].upper() + topic[1:])
        room, slot = cells[number]
        yield {
            "title": title,
            "description": " ".join(rng.sample(_SENTENCES, rng.randint(1, 3))),
            "host": hosts[number],
            "tags": rng.sample(_TOPICS, rng.randint(1, 3)),
            "room": room,
            "slot": slot,
        }


def free_cells(board: dict[str, object]) -> list[tuple[str, str]]:
    """
    The (room, slot) cells of C{board} (as C{GET .../board} returns it) with no session.
    """
    taken = {(s["room"], s["slot"]) for s in board["sessions"]}  # type: ignore[index,union-attr,attr-defined]
    rooms = [r["id"] for r in board["rooms"]]  # type: ignore[index,union-attr,attr-defined]
    slots = [s["id"] for s in board["slots"]]  # type: ignore[index,union-attr,attr-defined]
    return [(r, s) for s in slots for r in rooms if (r, s) not in taken]


def call(base: str, method: str, path: str, body: object = None) -> tuple[int, object]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        base + path, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, json.loads(response.read() or b"null")


def load_layout(python: str, db: Path, workdir: Path) -> None:
    """
    Create the event in a fresh database C{db} with C{openspace event load}.
    """
    toml = workdir / "bench-event.toml"
    toml.write_text(event_toml(date.today() + timedelta(days=1)))
    subprocess.run(
        [python, "-m", "openspace", "event", "load", str(toml), "--db", str(db)],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def seed_sessions(base: str) -> dict[str, object]:
    """
    Propose every session through the JSON API of the server at C{base}; return the board.
    """
    _, board = call(base, "GET", f"/api/events/{SLUG}/board")
    rooms = [r["id"] for r in board["rooms"]]  # type: ignore[index]
    slots = [s["id"] for s in board["slots"]]  # type: ignore[index]
    for proposal in proposals(rooms, slots):
        status, _ = call(base, "POST", f"/api/events/{SLUG}/sessions", proposal)
        assert status == 201, status
    _, board = call(base, "GET", f"/api/events/{SLUG}/board")
    return board  # type: ignore[return-value]

"""
Events from TOML files: C{openspace event load}, and the errors that name the field.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_twisted

from openspace.eventfile import EventFileError, load_event_file
from tests.process import run_openspace

GOOD = """
slug = "pycon-2030"
name = "PyCon 2030 Open Spaces"
timezone = "America/Chicago"

[[rooms]]
id = "r250"
name = "Room 250"
capacity = 40
where = "Level 2, past the escalators"
access = "Step-free via lift B"

[[rooms]]
id = "coffee"
name = "Coffee bar"
kind = "hallway"

[[days]]
date = "2030-05-15"
slots = ["10:00-11:00", "11:00-12:00", "13:30-14:30"]

[[days]]
date = 2030-05-16
slots = ["9:00-10:00"]

[[blocked]]
room = "r250"
date = "2030-05-15"
start = "13:30"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "event.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_gives_a_layout_in_utc(tmp_path: Path) -> None:
    layout = load_event_file(write(tmp_path, GOOD))
    assert layout.info.slug == "pycon-2030"
    assert [room.kind.value for room in layout.rooms] == ["room", "hallway"]
    assert [slot.id for slot in layout.slots] == [
        "2030-05-15-1000",
        "2030-05-15-1100",
        "2030-05-15-1330",
        "2030-05-16-0900",
    ]
    first = layout.slots[0]
    assert first.start.isoformat() == "2030-05-15T15:00:00+00:00"
    assert {(c.room, c.slot) for c in layout.blocked} == {("r250", "2030-05-15-1330")}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('slug = "pycon-2030"', "slug = 7"), "slug must be text"),
        (("capacity = 40", 'capacity = "forty"'), "rooms[0].capacity must be a whole number"),
        (('timezone = "America/Chicago"', 'timezone = "Mars/Olympus"'), "timezone"),
        (('"11:00-12:00"', '"11:00-10:00"'), "days[0].slots[1]"),
        (('"11:00-12:00"', '"noon"'), "days[0].slots[1] must look like"),
        (('kind = "hallway"', 'kind = "closet"'), "rooms[1].kind"),
        (('id = "coffee"', 'id = "r250"'), "rooms[1].id"),
        (('start = "13:30"', 'start = "15:00"'), "blocked"),
        (("[[days]]\ndate = 2030-05-16", '[[days]]\ndate = "someday"'), "days[1].date"),
        (('name = "Room 250"', 'name = "Room 250'), "line 8"),
        (('"10:00-11:00", "11:00-12:00"', '"10:00-11:30", "11:00-12:00"'), "overlaps"),
    ],
)
def test_mistakes_name_the_field_or_line(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    old, new = change
    assert old in GOOD
    with pytest.raises(EventFileError) as caught:
        load_event_file(write(tmp_path, GOOD.replace(old, new, 1)))
    assert message in str(caught.value)


def test_a_time_skipped_by_daylight_saving_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace(
        'date = 2030-05-16\nslots = ["9:00-10:00"]', 'date = 2030-03-10\nslots = ["2:00-3:00"]'
    )
    with pytest.raises(EventFileError, match="does not exist"):
        load_event_file(write(tmp_path, text))


@pytest.mark.slow
@pytest_twisted.ensureDeferred
async def test_load_creates_then_updates_and_a_bad_file_changes_nothing(tmp_path: Path) -> None:
    db = str(tmp_path / "db.sqlite3")
    path = write(tmp_path, GOOD)
    code, out, err = await run_openspace("event", "load", str(path), "--db", db)
    assert code == 0, err
    assert "'pycon-2030' loaded: 2 rooms, 4 slots, 1 blocked cells" in out

    write(tmp_path, GOOD.replace('"9:00-10:00"', '"9:00-10:00", "10:00-11:00"'))
    code, out, _ = await run_openspace("event", "load", str(path), "--db", db)
    assert (code, "5 slots" in out) == (0, True)

    write(tmp_path, GOOD.replace("capacity = 40", "capacity = -1"))
    code, out, err = await run_openspace("event", "load", str(path), "--db", db)
    assert code == 2
    assert "rooms[0].capacity" in err

    code, out, _ = await run_openspace("event", "list", "--db", db)
    assert code == 0
    assert out.startswith("pycon-2030\tPyCon 2030 Open Spaces\t0 sessions")

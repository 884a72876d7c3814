"""
The log filter and undo by seq on PostgreSQL: attendees' going and reports are left
out of the facilitator's log and never stand in the way of an undo.
"""

from __future__ import annotations

import pytest
import pytest_twisted

from openspace.commands import (
    ATTENDEE,
    FACILITATOR,
    SYSTEM,
    BlockMany,
    FileReport,
    ProposeSession,
    SetGoing,
    SetLayout,
)
from openspace.store.interface import UndoFrom
from openspace.store.sql import SQLBoardStore
from openspace.undo import ATTENDEE_TRAFFIC
from tests.support import SLUG, conference_layout, slot_id, utc

pytestmark = pytest.mark.postgres

NOW = utc(9, 30)


@pytest_twisted.ensureDeferred
async def test_going_and_reports_stay_out_of_the_log_and_out_of_the_way(
    pg_store: SQLBoardStore,
) -> None:
    await pg_store.execute(SLUG, SetLayout(conference_layout()), SYSTEM, NOW)
    proposal = ProposeSession("Talk", "", "Host", [], "r1", slot_id(12), "owner")
    session_id = (await pg_store.execute(SLUG, proposal, ATTENDEE, NOW)).decision.ids[0]
    blocked = await pg_store.execute(SLUG, BlockMany(True, slot=slot_id(14)), FACILITATOR, NOW)
    target = blocked.logged[0].seq
    for n in range(30):
        await pg_store.execute(SLUG, SetGoing(session_id, f"attendee-{n:03d}", True), ATTENDEE, NOW)
    await pg_store.execute(SLUG, FileReport(session_id, "attendee-001", "rude"), ATTENDEE, NOW)
    tail = await pg_store.log_tail(SLUG, 3, skip=ATTENDEE_TRAFFIC)
    assert [entry.seq for entry in tail] == [1, 2, target]
    assert len(await pg_store.log_tail(SLUG, 50)) == 34  # everything, when asked
    undone = await pg_store.execute(SLUG, UndoFrom(target, only=True), FACILITATOR, NOW)
    assert not any(cell.slot == slot_id(14) for cell in undone.board.blocked)
    assert len(undone.board.sessions[session_id].going) == 30
    assert undone.board.reports[session_id][0].reason == "rude"

"""
A board whose official schedule source cannot be read says so, with the time of the
last good read.
"""

from __future__ import annotations

from datetime import UTC, datetime

from twisted.internet.defer import Deferred
from twisted.web.template import flattenString

from openspace.model import Board
from openspace.official.poller import SourceStatus
from openspace.web.pages.official import sources_notice
from tests.support import conference_layout

BOARD_AT = datetime(2030, 5, 15, 9, 0, tzinfo=UTC)


def flatten(tag: object) -> str:
    rendered: list[bytes] = []
    done: Deferred[object] = flattenString(None, tag)
    done.addCallback(rendered.append)
    return rendered[0].decode()


def board() -> Board:
    layout = conference_layout()
    return Board(info=layout.info, seq=1, created=BOARD_AT, rooms=layout.rooms, slots=layout.slots)


def test_a_failing_source_is_shown_with_its_last_good_time() -> None:
    stale = SourceStatus(
        url="https://example.org/schedule.xml",
        format="frab-xml",
        status="stale",
        last_success=datetime(2030, 5, 15, 8, 42, tzinfo=UTC),
        last_error="connection refused",
    )
    html = flatten(sources_notice(board(), [stale]))
    assert "Official schedule as of 10:42" in html
    assert "unreachable" in html


def test_healthy_and_pending_sources_show_nothing() -> None:
    ok = SourceStatus(url="u", format="ical", status="ok", last_success=BOARD_AT)
    pending = SourceStatus(url="u", format="auto", status="pending")
    assert sources_notice(board(), [ok, pending]) == ""


def test_a_source_never_read_since_restart_still_warns() -> None:
    stale = SourceStatus(url="u", format="ical", status="stale", last_error="timeout")
    assert "from an earlier read" in flatten(sources_notice(board(), [stale]))

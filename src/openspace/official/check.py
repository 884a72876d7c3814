"""
C{openspace source check URL}: read a schedule source once and say what is in it.

A facilitator's first tool when setting up a source: the format (and whether it was
detected), how many items were read, the time range they span, the rooms they use (an
official talk blocks a board room only when the names match) and every skipped item with
its reason.  It reads the source with the server's own L{SchedulePoller}, for one
attempt, so the same limits apply (deadline, size cap) and what it reports is what the
board would get.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from attrs import frozen
from treq.client import HTTPClient
from twisted.internet.defer import Deferred
from twisted.web.client import Agent

from openspace.clock import Clock
from openspace.model import OfficialTalk
from openspace.official.parsed import ParseResult
from openspace.official.poller import HTTPGetter, SchedulePoller, SourceStatus, inline

UTC = ZoneInfo("UTC")


@frozen
class CheckReport:
    """
    What one read of a source gave: a L{ParseResult}, or the reason there is none.

    @ivar detected: whether the format was detected rather than given.
    """

    url: str
    detected: bool
    result: ParseResult | None
    error: str | None = None


async def check_source(
    client: HTTPGetter, clock: Clock, url: str, format: str | None, timezone: str | None
) -> CheckReport:
    """
    Read C{url} once, as the server's poller would.
    """
    results: list[ParseResult] = []
    polled: Deferred[SourceStatus] = Deferred()

    def first(status: SourceStatus) -> None:
        if not polled.called:
            polled.callback(status)

    poller = SchedulePoller(
        client=client,
        clock=clock,
        url=url,
        on_schedule=results.append,
        # Nothing else runs in this command: parsing may block.
        run_parse=inline,
        on_status=first,
        format=format,
        timezone=timezone,
    )
    poller.start()
    try:
        status = await polled
    finally:
        poller.stop()
    return CheckReport(url, format is None, results[0] if results else None, status.last_error)


def _rooms(talks: Sequence[OfficialTalk]) -> list[str]:
    return sorted({talk.room for talk in talks if talk.room}, key=str.casefold)


def report_json(report: CheckReport) -> dict[str, Any]:
    """
    The report as one JSON object: C{format}, C{items}, C{skipped} (C{item},
    C{reason}), C{rooms}, C{start} and C{end} (ISO 8601, UTC), and C{error} when the
    source could not be read.
    """
    result = report.result
    talks = result.talks if result is not None else ()
    shown: dict[str, Any] = {
        "format": result.format if result is not None else None,
        "items": len(talks),
        "skipped": [
            {"item": skipped.item, "reason": skipped.reason}
            for skipped in (result.skipped if result is not None else ())
        ],
        "rooms": _rooms(talks),
        "start": min(t.start for t in talks).isoformat() if talks else None,
        "end": max(t.end for t in talks).isoformat() if talks else None,
    }
    if report.error is not None:
        shown["error"] = report.error
    return shown


def _when(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def report_lines(report: CheckReport, zone: ZoneInfo) -> list[str]:
    """
    The report for people, with times in C{zone}.
    """
    result = report.result
    if result is None:
        return [f"cannot read {report.url}: {report.error}"]
    how = "detected" if report.detected else "as given"
    talks = result.talks
    rooms = _rooms(talks)
    lines = [
        f"source:  {report.url}",
        f"format:  {result.format} ({how})",
        f"items:   {len(talks)}",
    ]
    if talks:
        start, end = min(t.start for t in talks), max(t.end for t in talks)
        lines.append(f"time:    {_when(start, zone)} to {_when(end, zone)}")
    lines.append(f"rooms:   {len(rooms)}" + (f": {', '.join(rooms)}" if rooms else ""))
    lines.append(f"skipped: {len(result.skipped)}")
    lines.extend(f"  - {skipped.item}: {skipped.reason}" for skipped in result.skipped)
    return lines


def zone_argument(name: str) -> str:
    """
    An C{argparse} type: an IANA time zone name.
    """
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise argparse.ArgumentTypeError(f"{name!r} is not an IANA time zone name") from e
    return name


async def source_check(
    reactor: Any,
    url: str,
    format: str | None,
    timezone: str | None,
    as_json: bool,
    out: TextIO,
    err: TextIO,
) -> int:
    """
    C{openspace source check}: print the report; 0 when the source was read, else 1.
    """
    # One request: Agent's default pool, which keeps no connections open.
    report = await check_source(HTTPClient(Agent(reactor)), reactor, url, format, timezone)
    if as_json:
        print(json.dumps(report_json(report), ensure_ascii=False), file=out)
    else:
        lines = report_lines(report, ZoneInfo(timezone) if timezone else UTC)
        print("\n".join(lines), file=out if report.result is not None else err)
    return 0 if report.result is not None else 1

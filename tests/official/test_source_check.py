"""
C{openspace source check}, run as the real command against a real local HTTP server:
what it prints, its JSON, its exit status; and every sample of the shared samples
folder, served over HTTP and checked (skipped without the folder, except on CI).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import pytest_twisted
from tests.official.test_samples import EXPECTED
from tests.official.upstream import Document, Upstream, folder, frab, serving
from tests.process import run_openspace
from twisted.internet.defer import Deferred, gatherResults
from twisted.web.resource import Resource

from openspace.official.check import CheckReport, report_lines, source_check
from openspace.official.parsed import ParseResult

GOOD = frab(
    {"id": "t1", "start": "10:00", "room": "Room One", "speakers": ["Ada"]},
    {"id": "t2", "start": "16:30", "room": "Main Hall", "duration": "01:00"},
    {"id": "t3", "start": "11:00", "room": "Main Hall", "title": ""},
)


@pytest_twisted.async_yield_fixture
async def upstream() -> AsyncIterator[Upstream]:
    root = Resource()
    root.putChild(b"schedule.json", Document(GOOD))
    broken = Document(GOOD)
    broken.status = 404
    root.putChild(b"gone.json", broken)
    root.putChild(b"page.html", Document(b"<!doctype html><p>Log in", b"text/html"))
    async with serving(root) as running:
        yield running


async def check(*args: str) -> tuple[int | None, str, str]:
    return await run_openspace("source", "check", *args)


async def checks(*runs: list[str]) -> list[tuple[int | None, str, str]]:
    """
    Several checks at once (each is a child process that takes a while to start).
    """
    return await gatherResults([Deferred.fromCoroutine(check(*args)) for args in runs])


@pytest_twisted.ensureDeferred
async def test_it_says_what_it_found(upstream: Upstream) -> None:
    code, out, err = await check(upstream.url + "/schedule.json", "--timezone", "Europe/Berlin")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"source:  {upstream.url}/schedule.json",
        "format:  frab-json (detected)",
        "items:   2",
        "time:    2030-05-15 10:00 CEST to 2030-05-15 17:30 CEST",
        "rooms:   2: Main Hall, Room One",
        "skipped: 1",
        "  - day 1, Main Hall #2: no title",
    ]


@pytest_twisted.ensureDeferred
async def test_json_is_one_object(upstream: Upstream) -> None:
    code, out, _ = await check(upstream.url + "/schedule.json", "--format", "frab-json", "--json")
    assert code == 0
    assert json.loads(out) == {
        "format": "frab-json",
        "items": 2,
        "skipped": [{"item": "day 1, Main Hall #2", "reason": "no title"}],
        "rooms": ["Main Hall", "Room One"],
        "start": "2030-05-15T08:00:00+00:00",
        "end": "2030-05-15T15:30:00+00:00",
    }


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/gone.json", "HTTP 404 Not Found"),
        ("/page.html", "the source sent an HTML page, not a schedule"),
    ],
)
@pytest_twisted.ensureDeferred
async def test_a_source_that_cannot_be_read_fails(
    upstream: Upstream, path: str, reason: str
) -> None:
    (code, out, err), (json_code, json_out, _) = await checks(
        [upstream.url + path], [upstream.url + path, "--json"]
    )
    assert (code, out) == (1, "")
    assert err.strip() == f"cannot read {upstream.url}{path}: {reason}"
    assert json_code == 1
    assert json.loads(json_out)["error"] == reason


@pytest_twisted.ensureDeferred
async def test_an_unreachable_source_fails(upstream: Upstream) -> None:
    url = upstream.url + "/schedule.json"
    await upstream.stop()
    code, out, _ = await check(url, "--json")
    assert code == 1
    shown = json.loads(out)
    assert (shown["items"], shown["format"]) == (0, None)
    assert "refused" in shown["error"].lower()


@pytest_twisted.ensureDeferred
async def test_a_wrong_format_or_zone_is_refused(upstream: Upstream) -> None:
    url = upstream.url + "/schedule.json"
    (code, _, err), (zone_code, _, zone_err) = await checks(
        [url, "--format", "ical"], [url, "--timezone", "Mars/Olympus"]
    )
    assert code == 1
    assert err.startswith(f"cannot read {url}: ")
    assert zone_code == 2
    assert "'Mars/Olympus' is not an IANA time zone name" in zone_err


def test_an_empty_schedule_says_so() -> None:
    report = CheckReport("https://x.example/s.json", False, ParseResult("ical", ()))
    assert report_lines(report, ZoneInfo("UTC")) == [
        "source:  https://x.example/s.json",
        "format:  ical (as given)",
        "items:   0",
        "rooms:   0",
        "skipped: 0",
    ]


@pytest_twisted.ensureDeferred
async def test_every_sample_is_checked_over_http(samples: Path) -> None:
    from twisted.internet import reactor

    # In this process: the command's own function, without eleven interpreters starting.
    results = []
    async with serving(folder(samples)) as running:
        for path in sorted(samples.iterdir()):
            zone = EXPECTED.get(path.name, ("", 0, None))[2]
            out = StringIO()
            url = f"{running.url}/{path.name}"
            code = await source_check(reactor, url, None, zone, True, out, StringIO())
            results.append((path.name, code, json.loads(out.getvalue())))
    for name, code, shown in results:
        if name in EXPECTED:
            expected_format, minimum, _ = EXPECTED[name]
            assert (code, shown["format"], shown["skipped"]) == (0, expected_format, []), name
            assert shown["items"] >= minimum, name
            assert shown["start"] < shown["end"], name
        else:
            # The schemas and the notes are not schedules.
            assert (code, shown["items"]) == (1, 0), name
            assert shown["error"], name

"""
Tests for L{openspace.official.poller}: in memory with C{StubTreq} and C{task.Clock},
plus one test against a real twisted.web server on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_twisted
from attrs import define, field
from treq.testing import StubTreq
from twisted.internet.defer import Deferred, fail
from twisted.internet.task import Clock
from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET, Request

from openspace.official.parsed import ParseResult
from openspace.official.poller import (
    SchedulePoller,
    SourceStatus,
    in_thread_pool,
    inline,
    retry_after_seconds,
    status_json,
)

URL = "http://schedule.example/schedule.json"


@define
class Reply:
    """
    What the fake upstream answers to one request.

    @ivar hang: answer nothing at all (headers never arrive).
    @ivar stall: send the headers and the body, then never finish the response.
    @ivar chunks: stream the body in these pieces without a Content-Length.
    """

    code: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(factory=dict)
    hang: bool = False
    stall: bool = False
    chunks: tuple[bytes, ...] = ()


class Upstream(Resource):
    """
    Answers each request with the next scripted L{Reply} (the last one repeats) and
    remembers the requests, and whether each connection was cut before it finished.
    """

    isLeaf = True

    def __init__(self, *replies: Reply) -> None:
        super().__init__()
        self.replies = list(replies)
        self.requests: list[Request] = []
        self.aborted: list[bool] = []

    def render_GET(self, request: Request) -> bytes | int:
        index = len(self.requests)
        self.requests.append(request)
        self.aborted.append(False)
        request.notifyFinish().addErrback(lambda _: self.aborted.__setitem__(index, True))
        reply = self.replies[min(index, len(self.replies) - 1)]
        if reply.hang:
            return NOT_DONE_YET
        request.setResponseCode(reply.code)
        for name, value in reply.headers.items():
            request.setHeader(name, value)
        if reply.stall or reply.chunks:
            for chunk in reply.chunks or (reply.body,):
                request.write(chunk)
            return NOT_DONE_YET
        return reply.body

    def header(self, index: int, name: str) -> str | None:
        value = self.requests[index].getHeader(name)
        return None if value is None else str(value)


def schedule_json(*titles: str) -> bytes:
    """
    A pretalx widget document with one talk per title.
    """
    talks = [
        {
            "code": f"T{number}",
            "title": title,
            "start": f"2024-06-01T{9 + number:02d}:00:00+00:00",
            "end": f"2024-06-01T{9 + number:02d}:30:00+00:00",
        }
        for number, title in enumerate(titles)
    ]
    return json.dumps({"talks": talks, "rooms": [], "speakers": []}).encode()


@define
class Harness:
    """
    A poller wired to an L{Upstream} through StubTreq, a Clock, and recorders.
    """

    upstream: Upstream
    clock: Clock = field(factory=Clock)
    received: list[ParseResult] = field(factory=list)
    parses: list[int] = field(factory=list)
    statuses: list[SourceStatus] = field(factory=list)
    jitter: Iterator[float] = field(factory=lambda: itertools.repeat(0.5))
    stub: StubTreq = field(init=False)
    poller: SchedulePoller = field(init=False)

    def __attrs_post_init__(self) -> None:
        self.stub = StubTreq(self.upstream)
        self.poller = self.make_poller()

    def make_poller(self, **overrides: Any) -> SchedulePoller:
        def counting(work: Callable[[], ParseResult]) -> Deferred[ParseResult]:
            self.parses.append(1)
            return inline(work)

        options: dict[str, Any] = {
            "client": self.stub,
            "clock": self.clock,
            "url": URL,
            "on_schedule": self.received.append,
            "on_status": self.statuses.append,
            "run_parse": counting,
            "random": lambda: next(self.jitter),
        }
        options.update(overrides)
        return SchedulePoller(**options)

    def run(self, seconds: float = 0) -> None:
        self.clock.advance(seconds)
        self.stub.flush()

    def next_poll_in(self) -> float:
        (call,) = self.clock.getDelayedCalls()
        return call.getTime() - self.clock.seconds()


def started(*replies: Reply, **overrides: Any) -> Harness:
    harness = Harness(Upstream(*replies))
    if overrides:
        harness.poller = harness.make_poller(**overrides)
    harness.poller.start()
    harness.run()
    return harness


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def test_first_poll_delivers_the_schedule() -> None:
    h = started(Reply(body=schedule_json("Opening", "Closing")))
    assert [len(r.talks) for r in h.received] == [2]
    assert h.received[0].format == "pretalx-widget"
    assert h.poller.status == SourceStatus(
        url=URL,
        format="pretalx-widget",
        status="ok",
        last_success=at(0),
        last_error=None,
        last_attempt=at(0),
    )
    assert h.statuses == [h.poller.status]
    assert h.next_poll_in() == 120


def test_304_costs_no_parsing_and_sends_the_validators_as_received() -> None:
    validators = {"ETag": '"v1"', "Last-Modified": "Sat, 01 Jun 2024 10:00:00 GMT"}
    h = started(Reply(body=schedule_json("Opening"), headers=validators), Reply(code=304))
    h.run(120)
    assert h.upstream.header(0, "If-None-Match") is None
    assert h.upstream.header(1, "If-None-Match") == '"v1"'
    assert h.upstream.header(1, "If-Modified-Since") == "Sat, 01 Jun 2024 10:00:00 GMT"
    assert (len(h.received), len(h.parses)) == (1, 1)
    assert h.poller.status.status == "ok"
    assert h.poller.status.last_success == at(120)


def test_unchanged_body_is_not_parsed_again() -> None:
    h = started(Reply(body=schedule_json("Opening")))
    h.run(120)
    h.run(120)
    assert len(h.upstream.requests) == 3
    assert (len(h.received), len(h.parses)) == (1, 1)
    assert h.poller.status.last_success == at(240)


def test_changed_body_is_delivered() -> None:
    h = started(Reply(body=schedule_json("Opening")), Reply(body=schedule_json("Opening!")))
    h.run(120)
    assert [r.talks[0].title for r in h.received] == ["Opening", "Opening!"]


def test_404_before_any_schedule_is_pending_with_the_error() -> None:
    h = started(Reply(code=404, body=b"nope"))
    assert h.received == []
    assert h.poller.status.status == "pending"
    assert h.poller.status.last_error == "HTTP 404 Not Found"
    assert h.poller.status.last_success is None
    assert h.next_poll_in() == 5 + 0.5 * 5


def test_500_after_success_is_stale_and_keeps_the_last_schedule() -> None:
    h = started(Reply(body=schedule_json("Opening")), Reply(code=500))
    h.run(120)
    status = h.poller.status
    assert (status.status, status.last_error) == ("stale", "HTTP 500 Internal Server Error")
    assert (status.last_success, status.last_attempt) == (at(0), at(120))
    assert len(h.received) == 1


def test_recovery_clears_the_error_and_resets_the_backoff() -> None:
    h = started(Reply(code=500), Reply(code=500), Reply(body=schedule_json("Opening")))
    h.run(h.next_poll_in())
    h.run(h.next_poll_in())
    assert h.poller.status.status == "ok"
    assert h.poller.status.last_error is None
    assert h.next_poll_in() == 120


def test_headers_that_never_arrive_hit_the_deadline_and_close_the_connection() -> None:
    h = started(Reply(hang=True), deadline=30)
    h.run(29.9)
    assert h.poller.status.last_error is None
    h.run(0.1)
    assert h.poller.status.last_error == "no complete answer within 30 s"
    assert h.upstream.aborted == [True]
    assert h.next_poll_in() == 7.5


def test_a_stalled_body_hits_the_deadline_and_closes_the_connection() -> None:
    h = started(Reply(body=b'{"talks": [', stall=True), deadline=30)
    h.run(30)
    assert h.poller.status.last_error == "no complete answer within 30 s"
    assert h.upstream.aborted == [True]
    assert h.received == []


def test_a_trickling_body_still_meets_the_whole_request_deadline() -> None:
    h = started(Reply(body=b'{"talks": [', stall=True), deadline=30)
    request = h.upstream.requests[0]
    for _ in range(2):
        h.run(10)
        request.write(b" " * 10)
        h.stub.flush()
    assert h.poller.status.last_error is None
    h.run(10)
    assert h.poller.status.last_error == "no complete answer within 30 s"
    assert h.upstream.aborted == [True]


def test_an_endless_body_is_cut_off_while_it_is_read() -> None:
    h = started(Reply(chunks=(b"x" * 600, b"x" * 600, b"x" * 600)), max_bytes=1000)
    assert h.poller.status.last_error == "body larger than 1000 bytes"
    assert h.upstream.aborted == [True]
    assert h.parses == []


def test_a_declared_length_over_the_cap_is_refused_before_reading() -> None:
    h = started(Reply(body=b"x" * 2000), max_bytes=1000)
    assert h.poller.status.last_error == "Content-Length 2000 over 1000 bytes"
    assert h.parses == []


def test_garbage_is_a_parse_error_and_keeps_the_schedule() -> None:
    garbage = Reply(body=b"\x00\xffgarbage", headers={"Content-Type": "application/octet-stream"})
    h = started(Reply(body=schedule_json("Opening")), garbage)
    h.run(120)
    assert h.poller.status.status == "stale"
    assert h.poller.status.last_error == (
        "unrecognised schedule format (Content-Type 'application/octet-stream')"
    )
    assert len(h.received) == 1


def test_an_empty_schedule_does_not_replace_a_full_one() -> None:
    h = started(Reply(body=schedule_json("Opening")), Reply(body=schedule_json()))
    h.run(120)
    assert len(h.received) == 1
    assert h.poller.status.status == "stale"
    assert h.poller.status.last_error == "the new document has no talks; keeping the last 1"


def test_an_empty_first_schedule_is_delivered() -> None:
    h = started(Reply(body=schedule_json()))
    assert [len(r.talks) for r in h.received] == [0]
    assert h.poller.status.status == "ok"


def test_retry_after_seconds_is_honoured() -> None:
    h = started(Reply(code=503, headers={"Retry-After": "300"}))
    assert h.next_poll_in() == 300
    h.run(299)
    assert len(h.upstream.requests) == 1
    h.run(1)
    assert len(h.upstream.requests) == 2


def test_retry_after_http_date_is_honoured() -> None:
    h = Harness(Upstream(Reply(code=429, headers={"Retry-After": format_datetime(at(1200), True)})))
    h.clock.advance(1000)
    h.poller.start()
    h.run()
    assert h.next_poll_in() == 200


def test_retry_after_is_capped() -> None:
    h = started(Reply(code=503, headers={"Retry-After": "999999"}), max_retry_after=3600)
    assert h.next_poll_in() == 3600


def test_a_short_retry_after_does_not_shorten_the_backoff() -> None:
    h = started(Reply(code=503, headers={"Retry-After": "1"}))
    assert h.next_poll_in() == 7.5


def test_backoff_grows_exponentially_with_bounded_jitter() -> None:
    jitter = iter([0.0, 1.0, 0.25, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.999])
    h = Harness(Upstream(Reply(code=500)), jitter=jitter)
    h.poller.start()
    h.run()
    delays = []
    for _ in range(11):
        delays.append(h.next_poll_in())
        h.run(delays[-1])
    assert delays == pytest.approx([5, 15, 21.25, 40, 80, 160, 320, 600, 600, 600, 604.995])


def test_stop_cancels_the_next_poll() -> None:
    h = started(Reply(body=schedule_json("Opening")))
    h.poller.stop()
    assert h.clock.getDelayedCalls() == []
    h.run(1000)
    assert len(h.upstream.requests) == 1


def test_stop_aborts_the_request_in_flight_without_recording_an_error() -> None:
    h = started(Reply(hang=True))
    h.poller.stop()
    h.run()
    assert h.upstream.aborted == [True]
    assert h.clock.getDelayedCalls() == []
    assert h.poller.status.status == "pending"
    assert h.poller.status.last_error is None


def test_start_twice_polls_once() -> None:
    h = started(Reply(body=schedule_json("Opening")))
    h.poller.start()
    h.run()
    assert len(h.upstream.requests) == 1


def test_a_failed_delivery_is_retried_with_the_same_content() -> None:
    outcomes: list[Deferred[None] | None] = [fail(RuntimeError("store is down")), None]
    delivered: list[ParseResult] = []

    def on_schedule(result: ParseResult) -> Deferred[None] | None:
        delivered.append(result)
        return outcomes.pop(0)

    h = started(Reply(body=schedule_json("Opening")), on_schedule=on_schedule)
    assert h.poller.status.last_error == "store is down"
    h.run(h.next_poll_in())
    assert len(delivered) == 2
    assert h.poller.status.status == "ok"


def test_a_raising_status_listener_does_not_stop_polling() -> None:
    def broken(status: SourceStatus) -> None:
        raise RuntimeError("listener bug")

    h = started(Reply(body=schedule_json("Opening")), on_status=broken)
    h.run(120)
    assert len(h.upstream.requests) == 2


def test_status_json_is_what_the_board_lists() -> None:
    status = SourceStatus(
        url=URL, format="ical", status="stale", last_success=at(60), last_error="HTTP 500"
    )
    assert status_json(status) == {
        "url": URL,
        "format": "ical",
        "status": "stale",
        "last_success": "1970-01-01T00:01:00+00:00",
        "last_error": "HTTP 500",
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Thu, 01 Jan 1970 00:10:00 GMT", 540.0),
        ("Thu, 01 Jan 1970 00:00:30 GMT", 0.0),
        ("soon", None),
        ("-5", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_values(value: str | None, expected: float | None) -> None:
    assert retry_after_seconds(value, at(60)) == expected


class ETagFile(Resource):
    """
    Serves one file with a strong ETag (its SHA-256) and answers 304 to a matching
    C{If-None-Match}, as a well-behaved upstream does.
    """

    isLeaf = True

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.codes: list[int] = []

    def render_GET(self, request: Request) -> bytes:
        body = self.path.read_bytes()
        etag = f'"{hashlib.sha256(body).hexdigest()}"'
        request.setHeader("ETag", etag)
        request.setHeader("Content-Type", "application/json")
        code = 304 if request.getHeader("If-None-Match") == etag else 200
        request.setResponseCode(code)
        self.codes.append(code)
        return b"" if code == 304 else body


@pytest_twisted.ensureDeferred
async def test_real_http_server_with_etags_and_a_changing_file(tmp_path: Path) -> None:
    from treq.client import HTTPClient
    from twisted.internet import endpoints, reactor
    from twisted.web.client import Agent, HTTPConnectionPool
    from twisted.web.server import Site

    schedule = tmp_path / "schedule.json"
    schedule.write_bytes(schedule_json("Opening"))
    served = ETagFile(schedule)
    port = await endpoints.serverFromString(reactor, "tcp:0:interface=127.0.0.1").listen(
        Site(served)
    )
    pool = HTTPConnectionPool(reactor, persistent=False)
    received: list[ParseResult] = []
    statuses: list[Deferred[SourceStatus]] = [Deferred() for _ in range(3)]

    def next_status(status: SourceStatus) -> None:
        waiting = [d for d in statuses if not d.called]
        # Runs inside the poller's callback: the file changes before the next poll.
        if len(received) == 1 and served.codes[-1] == 304:
            schedule.write_bytes(schedule_json("Opening", "Lightning talks"))
        if waiting:
            waiting[0].callback(status)

    poller = SchedulePoller(
        client=HTTPClient(Agent(reactor, pool=pool)),
        clock=reactor,
        url=f"http://127.0.0.1:{port.getHost().port}/schedule.json",
        on_schedule=received.append,
        on_status=next_status,
        run_parse=in_thread_pool(reactor, reactor.getThreadPool()),
        interval=0.01,
    )
    poller.start()
    try:
        first, second, third = [await d for d in statuses]
    finally:
        poller.stop()
        await port.stopListening()
        await pool.closeCachedConnections()
    assert [s.status for s in (first, second, third)] == ["ok", "ok", "ok"]
    assert served.codes == [200, 304, 200]
    assert [len(r.talks) for r in received] == [1, 2]

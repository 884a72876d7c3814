"""
Deliveries to a real receiver that fails, hangs, answers slowly, goes away and comes
back: every change arrives, in order, signed, one request at a time; a hook failing
for a day is disabled and says why; the log is the queue across restarts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_twisted
from twisted.internet.defer import Deferred

from openspace.commands import ATTENDEE, FACILITATOR, HideSession, ProposeSession, SetGoing
from openspace.tokens import digest
from openspace.webhooks.dispatcher import Dispatcher
from openspace.webhooks.registry import Webhooks
from openspace.webhooks.signing import verify
from tests.support import SLUG, slot_id
from tests.webhooks.receiver import (
    Answer,
    Receiver,
    assert_in_order_without_gaps,
    deduplicated,
    receiving,
)
from tests.webhooks.rig import NOW, Rig, rig


@pytest_twisted.async_yield_fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with receiving() as running:
        yield running


@pytest_twisted.async_yield_fixture
async def hooks(tmp_path: Path) -> AsyncIterator[Rig]:
    async with rig(tmp_path / "board.sqlite3") as running:
        yield running


@pytest_twisted.ensureDeferred
async def test_every_change_arrives_in_order_and_signed(hooks: Rig, receiver: Receiver) -> None:
    hook, secret = await hooks.registry.register(SLUG, receiver.url)
    start = await hooks.head()
    for _ in range(12):
        last = await hooks.change()
    await hooks.delivered_up_to(hook.id, last)
    assert receiver.script.seqs() == list(range(start + 1, last + 1))
    for request in receiver.script.received:
        signed = request.headers["x-openspace-signature"]
        assert verify(secret, signed, request.body, NOW.timestamp()) == int(NOW.timestamp())
        assert request.headers["x-openspace-hook"] == hook.id
        assert request.headers["x-openspace-event"] == SLUG
        assert request.headers["content-type"] == "application/json"
        assert request.json["type"] == "events"
        assert request.json["event"] == SLUG
    assert receiver.script.most_in_flight == 1
    stored = await hooks.registry.get(SLUG, hook.id)
    assert (stored.acked, stored.failing_since, stored.last_error) == (last, None, None)


@pytest_twisted.ensureDeferred
async def test_failures_are_retried_with_backoff_and_retry_after(
    hooks: Rig, receiver: Receiver
) -> None:
    hook, _ = await hooks.registry.register(SLUG, receiver.url)
    receiver.script.then(Answer(503, retry_after="120"), Answer(500))
    start = await hooks.head()
    failed = hooks.attempts.next(lambda a: not a.delivered)
    first = await hooks.change()
    refused = await failed
    assert refused.error == "HTTP 503 Service Unavailable"
    assert refused.retry_in == 120  # the receiver asked for more than the backoff's 2 s
    assert (refused.first, refused.last) == (first, first)
    # Changes meanwhile wait for the retry: nothing is sent before it.
    last = await hooks.change()
    hooks.clock.advance(119)
    assert len(receiver.script.received) == 1
    hooks.clock.advance(1)
    second = await hooks.retry(hook.id)
    assert second.error == "HTTP 500 Internal Server Error"
    assert second.retry_in == 4  # 2 s doubled (the jitter is 0 here)
    await hooks.delivered_up_to(hook.id, last)
    seqs = receiver.script.seqs()
    assert deduplicated(seqs) == list(range(start + 1, last + 1))
    assert_in_order_without_gaps(seqs)
    stored = await hooks.registry.get(SLUG, hook.id)
    assert stored.failing_since is None and hooks.registry.status(stored) == "active"


@pytest_twisted.ensureDeferred
async def test_a_hanging_receiver_meets_the_deadline_and_gets_the_batch_again(
    hooks: Rig, receiver: Receiver
) -> None:
    hook, secret = await hooks.registry.register(SLUG, receiver.url)
    receiver.script.then(Answer(hang=True))
    start = await hooks.head()
    arrived = receiver.script.next_arrival()
    first = await hooks.change()
    await arrived
    # More changes while the request hangs: still only one request in flight.
    for _ in range(3):
        last = await hooks.change()
    assert len(receiver.script.received) == 1
    failed = hooks.attempts.next()
    hooks.clock.advance(30)
    timed_out = await failed
    assert timed_out.error == "no complete answer within 30 s"
    await receiver.script.drained()
    hooks.clock.advance(timed_out.retry_in or 0)
    await hooks.delivered_up_to(hook.id, last)
    seqs = receiver.script.seqs()
    # The hung batch came again (at least once); the seqs tell the receiver.
    assert seqs.count(first) == 2
    assert deduplicated(seqs) == list(range(start + 1, last + 1))
    assert_in_order_without_gaps(seqs)
    assert receiver.script.most_in_flight == 1
    for request in receiver.script.received:
        signed = request.headers["x-openspace-signature"]
        verify(secret, signed, request.body, hooks.clock.seconds())


@pytest_twisted.ensureDeferred
async def test_a_slow_answer_holds_back_the_next_request(hooks: Rig, receiver: Receiver) -> None:
    hook, _ = await hooks.registry.register(SLUG, receiver.url)
    release: Deferred[None] = Deferred()
    receiver.script.then(Answer(release=release))
    start = await hooks.head()
    arrived = receiver.script.next_arrival()
    await hooks.change()
    await arrived
    for _ in range(4):
        last = await hooks.change()
    hooks.clock.advance(29)  # slow, but within the deadline
    assert len(receiver.script.received) == 1 and hooks.delivery(hook.id).busy
    release.callback(None)
    await hooks.delivered_up_to(hook.id, last)
    # The four changes made meanwhile came together, right after.
    assert [r.seqs for r in receiver.script.received] == [
        [start + 1],
        list(range(start + 2, last + 1)),
    ]
    assert receiver.script.most_in_flight == 1
    assert not [a for a in hooks.attempts.seen if not a.delivered]


@pytest_twisted.ensureDeferred
async def test_a_receiver_down_for_an_hour_gets_everything_when_back(
    hooks: Rig, receiver: Receiver
) -> None:
    hook, _ = await hooks.registry.register(SLUG, receiver.url)
    start = await hooks.head()
    await receiver.stop()
    down_since = hooks.clock.seconds()
    failed = hooks.attempts.next()
    for _ in range(30):
        last = await hooks.change()
    attempt = await failed
    assert not attempt.delivered and "refused" in (attempt.error or "")
    delays = []
    while hooks.clock.seconds() - down_since < 3600:
        assert attempt.retry_in is not None
        delays.append(attempt.retry_in)
        following = hooks.attempts.next()
        hooks.clock.advance(attempt.retry_in)
        attempt = await following
    assert delays[:4] == [2, 4, 8, 16] and max(delays) == 600  # exponential, capped
    stored = await hooks.registry.get(SLUG, hook.id)
    assert hooks.registry.status(stored) == "failing" and stored.acked == start
    await receiver.start()
    assert attempt.retry_in is not None
    hooks.clock.advance(attempt.retry_in)
    await hooks.delivered_up_to(hook.id, last)
    assert receiver.script.seqs() == list(range(start + 1, last + 1))
    # Big batches: a backlog is not one request per change.
    assert len(receiver.script.received) == 1


@pytest_twisted.ensureDeferred
async def test_a_hook_failing_for_a_day_is_disabled_and_says_why(
    hooks: Rig, receiver: Receiver
) -> None:
    hook, _ = await hooks.registry.register(SLUG, receiver.url)
    start = await hooks.head()
    receiver.script.default = Answer(503, retry_after="3600")
    first_failure = hooks.attempts.next()
    last = await hooks.change()
    attempt = await first_failure
    began = hooks.clock.seconds()
    while attempt.disabled is None:
        assert attempt.retry_in == 3600
        following = hooks.attempts.next()
        hooks.clock.advance(attempt.retry_in)
        attempt = await following
    assert hooks.clock.seconds() - began == 24 * 3600
    assert attempt.retry_in is None
    stored = await hooks.registry.get(SLUG, hook.id)
    assert hooks.registry.status(stored) == "disabled"
    assert stored.disabled is not None and "HTTP 503" in stored.disabled
    assert "every delivery failed from" in stored.disabled
    assert hooks.registry.to_json(stored)["disabled_reason"] == stored.disabled
    assert hook.id not in hooks.dispatcher.deliveries()
    tried = len(receiver.script.received)
    hooks.clock.advance(7200)
    await hooks.change()
    assert len(receiver.script.received) == tried

    # Enabled again, it resumes from the last acknowledged seq: nothing is lost.
    receiver.script.default = Answer()
    last = await hooks.head()
    await hooks.registry.set_enabled(SLUG, hook.id, True)
    await hooks.delivered_up_to(hook.id, last)
    assert deduplicated(receiver.script.seqs()) == list(range(start + 1, last + 1))


@pytest_twisted.ensureDeferred
async def test_the_log_is_the_queue_across_restarts(hooks: Rig, receiver: Receiver) -> None:
    hook, _ = await hooks.registry.register(SLUG, receiver.url)
    start = await hooks.head()
    middle = await hooks.change()
    await hooks.delivered_up_to(hook.id, middle)
    await hooks.dispatcher.stop()
    for _ in range(5):
        last = await hooks.change()
    assert receiver.script.seqs() == [middle]
    # A new process: its dispatcher reads the acknowledged seq from the database.
    again = Dispatcher(
        hooks=hooks.dispatcher.hooks,
        store=hooks.store,
        client=hooks.dispatcher.client,
        clock=hooks.clock,
        server_key=hooks.dispatcher.server_key,
    )
    again.add_observer(hooks.attempts)
    hooks.dispatcher = again
    await again.start()
    await hooks.delivered_up_to(hook.id, last)
    await again.stop()
    assert receiver.script.seqs() == list(range(start + 1, last + 1))


@pytest_twisted.ensureDeferred
async def test_payloads_carry_no_attendee_ids_keys_or_hidden_sessions(
    hooks: Rig, receiver: Receiver
) -> None:
    hook, _ = await hooks.registry.register(SLUG, receiver.url)
    key = "edit-key-that-must-stay-private"
    attendee = "attendee-id-that-must-stay-private"
    propose = ProposeSession("Secret plans", "", "Ann", [], "r4", slot_id(10), digest(key))
    outcome = await hooks.store.execute(SLUG, propose, ATTENDEE, NOW)
    (session_id,) = outcome.decision.ids
    await hooks.store.execute(SLUG, SetGoing(session_id, attendee, True), ATTENDEE, NOW)
    await hooks.store.execute(SLUG, HideSession(session_id, True), FACILITATOR, NOW)
    last = await hooks.change()
    await hooks.delivered_up_to(hook.id, last)
    bodies = b"".join(request.body for request in receiver.script.received)
    for private in (key, digest(key), attendee):
        assert private.encode() not in bodies
    events = [event for r in receiver.script.received for event in r.json["events"]]
    going = next(event for event in events if event["type"] == "going_set")
    assert going["put"]["sessions"][0]["going"] == 1 and going["actor"] == "attendee"
    hidden = next(event for event in events if event["type"] == "session_hidden")
    assert hidden["drop"]["sessions"] == [session_id]
    later = events[events.index(hidden) + 1 :]
    assert b"Secret plans" not in b"".join(str(event).encode() for event in later)


@pytest_twisted.ensureDeferred
async def test_a_new_facilitator_token_marks_secrets_to_renew(hooks: Rig) -> None:
    hook, secret = await hooks.registry.register(SLUG, "https://receiver.invalid/hook")
    assert hooks.registry.secret_current(hook)
    # The same database behind a server with another token: another key, other secrets.
    elsewhere = Webhooks(hooks.registry.hooks, hooks.store, hooks.clock, b"another key" * 3)
    assert not elsewhere.secret_current(hook)
    assert elsewhere.to_json(hook)["secret_current"] is False
    renewed, new_secret = await elsewhere.new_secret(SLUG, hook.id)
    assert elsewhere.secret_current(renewed) and new_secret != secret
    assert not hooks.registry.secret_current(renewed)

"""
The hub in memory: opening frames, resume from the ring, paused subscribers, gaps, and
random interleavings of changes with clients coming and going.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

from attrs import define, evolve, field
from hypothesis import given, settings
from hypothesis import strategies as st
from twisted.internet.defer import Deferred, fail

from openspace.commands import SetLayout, SetOfficialSchedule, SetSources
from openspace.feed import Subscription, board_epoch
from openspace.hub import Hub
from openspace.model import Board, OfficialTalk, ScheduleSource
from tests.conftest import NOW
from tests.live.replica import LocalBoard, Replica, change_steps
from tests.support import SLUG, conference_layout


@define
class Prepared:
    """
    A stand-in for Autobahn's prepared message, counting how often the hub prepares.
    """

    body: bytes


@define
class Client:
    """
    A subscriber in memory: frames land in its replica at once.
    """

    hub: Hub[Prepared]
    replica: Replica = field(factory=Replica)
    subscription: Subscription[Prepared] | None = None
    frames: list[dict[str, object]] = field(factory=list)

    def sink(self, message: Prepared) -> None:
        frame = json.loads(message.body)
        self.frames.append(frame)
        self.replica.receive(frame)

    def connect(self, board: Board) -> None:
        if self.subscription is None:
            self.subscription = self.hub.subscribe(
                board, self.sink, self.replica.seq, self.replica.epoch
            )

    def come_back(self, hub: Hub[Prepared], board: Board) -> None:
        """
        Reconnect, to another hub (a restarted server), with a fresh list of frames.
        """
        self.hub = hub
        self.frames.clear()
        self.connect(board)

    def disconnect(self) -> None:
        if self.subscription is not None:
            self.hub.unsubscribe(self.subscription)
            self.subscription = None

    def types(self) -> list[object]:
        return [frame["type"] for frame in self.frames]


@define
class Setup:
    hub: Hub[Prepared]
    local: LocalBoard
    prepared: list[bytes]
    made: int = 0

    @classmethod
    def make(cls, ring_size: int = 8) -> Setup:
        prepared: list[bytes] = []

        def prepare(body: bytes) -> Prepared:
            prepared.append(body)
            return Prepared(body)

        hub: Hub[Prepared] = Hub(prepare, "v1", ring_size)
        local = LocalBoard(NOW, hub.committed)
        local.create()
        return cls(hub, local, prepared)

    @property
    def board(self) -> Board:
        assert self.local.board is not None
        return self.local.board

    def client(self) -> Client:
        client = Client(self.hub)
        client.connect(self.board)
        return client

    def gone(self) -> Client:
        """
        A client that saw the board as it is now, then went away.
        """
        client = self.client()
        client.disconnect()
        return client

    def changes(self, count: int) -> None:
        """
        Propose C{count} sessions, each in a cell of its own.
        """
        for _ in range(count):
            assert self.local.change(0, self.made, self.made // 4, 0)
            self.made += 1


def test_fresh_client_gets_a_snapshot_then_every_event_once() -> None:
    setup = Setup.make()
    client = setup.client()
    setup.changes(3)
    assert client.types() == ["snapshot", "events", "events", "events"]
    assert client.replica.seqs == [2, 3, 4]
    assert client.replica.state == setup.local.view()
    assert client.replica.version == "v1"
    assert client.replica.epoch == board_epoch(setup.board)


def test_each_event_is_encoded_and_prepared_once_for_all_subscribers() -> None:
    setup = Setup.make()
    clients = [setup.client() for _ in range(5)]
    setup.prepared.clear()
    setup.changes(2)
    assert len(setup.prepared) == 2
    assert all(c.frames[-1] == json.loads(setup.prepared[-1]) for c in clients)


def test_snapshot_is_prepared_once_per_sequence_number() -> None:
    setup = Setup.make()
    setup.prepared.clear()
    for _ in range(3):
        setup.client()
    assert len(setup.prepared) == 1


def test_many_fresh_clients_at_one_seq_cause_one_encoding_per_seq() -> None:
    setup = Setup.make()
    setup.prepared.clear()
    first = [setup.client() for _ in range(50)]
    assert [json.loads(body)["type"] for body in setup.prepared] == ["snapshot"]
    setup.prepared.clear()
    setup.changes(1)
    later = [setup.client() for _ in range(50)]
    # The change's frame, and one new snapshot at the new seq for all fifty.
    assert [json.loads(body)["type"] for body in setup.prepared] == ["events", "snapshot"]
    assert all(c.replica.state == setup.local.view() for c in first + later)


def test_resuming_clients_share_their_opening_frame() -> None:
    setup = Setup.make()
    clients = [setup.gone() for _ in range(50)]
    setup.changes(2)
    setup.prepared.clear()
    for client in clients:
        client.come_back(setup.hub, setup.board)
    # No snapshot and no event encoded again: one "resumed" frame, shared by all.
    assert [json.loads(body)["type"] for body in setup.prepared] == ["resumed"]
    assert all(c.types() == ["resumed", "events", "events"] for c in clients)
    assert all(c.replica.state == setup.local.view() for c in clients)
    # Dropping again at the head: one more "resumed" frame (since is now the head) for
    # all of them, and from then on coming back at this seq costs nothing at all.
    for expected in (1, 0):
        setup.prepared.clear()
        for client in clients:
            client.disconnect()
            client.come_back(setup.hub, setup.board)
        assert len(setup.prepared) == expected
        assert all(c.types() == ["resumed"] for c in clients)


def test_a_shared_resumed_frame_is_made_again_when_the_board_moves() -> None:
    setup = Setup.make()
    early, late = setup.gone(), setup.gone()
    early.come_back(setup.hub, setup.board)
    setup.changes(1)
    late.come_back(setup.hub, setup.board)
    assert late.frames[0]["seq"] == setup.board.seq
    assert late.frames[0]["since"] == early.frames[0]["since"] == setup.board.seq - 1
    assert late.replica.state == setup.local.view()


def test_resume_within_the_ring_sends_exactly_the_missed_events() -> None:
    setup = Setup.make(ring_size=4)
    client = setup.client()
    setup.changes(1)
    client.disconnect()
    setup.changes(4)
    client.come_back(setup.hub, setup.board)
    assert client.types() == ["resumed", "events", "events", "events", "events"]
    assert client.frames[0]["since"] == 2
    assert client.replica.seqs == [2, 3, 4, 5, 6]
    assert client.replica.state == setup.local.view()


def test_resume_at_the_head_sends_only_the_resumed_frame() -> None:
    setup = Setup.make()
    client = setup.gone()
    client.come_back(setup.hub, setup.board)
    assert client.types() == ["resumed"]


def test_resume_older_than_the_ring_gets_a_snapshot() -> None:
    setup = Setup.make(ring_size=2)
    client = setup.gone()
    setup.changes(3)
    client.come_back(setup.hub, setup.board)
    assert client.types() == ["snapshot"]
    assert client.replica.state == setup.local.view()


def test_resume_ahead_of_the_server_or_of_another_epoch_gets_a_snapshot() -> None:
    setup = Setup.make()
    ahead = Client(setup.hub)
    ahead.subscription = setup.hub.subscribe(setup.board, ahead.sink, 99, board_epoch(setup.board))
    other = Client(setup.hub)
    other.subscription = setup.hub.subscribe(setup.board, other.sink, 1, 12345)
    assert ahead.types() == other.types() == ["snapshot"]


def test_a_paused_subscriber_is_handed_nothing_then_caught_up_from_the_ring() -> None:
    setup = Setup.make()
    client = setup.client()
    assert client.subscription is not None
    setup.hub.pause(client.subscription)
    setup.changes(3)
    assert client.types() == ["snapshot"]
    setup.hub.resume(client.subscription)
    assert client.types() == ["snapshot", "events", "events", "events"]
    assert client.replica.state == setup.local.view()


def test_a_subscriber_paused_past_the_ring_gets_a_snapshot_on_resume() -> None:
    setup = Setup.make(ring_size=2)
    client = setup.client()
    assert client.subscription is not None
    setup.hub.pause(client.subscription)
    setup.changes(3)
    setup.hub.resume(client.subscription)
    assert client.types() == ["snapshot", "snapshot"]
    assert client.replica.state == setup.local.view()


def test_a_subscriber_that_pauses_during_catch_up_stops_there() -> None:
    setup = Setup.make()
    client = setup.client()
    subscription = client.subscription
    assert subscription is not None
    setup.hub.pause(subscription)
    setup.changes(3)

    def pausing_sink(message: Prepared) -> None:
        client.sink(message)
        setup.hub.pause(subscription)

    subscription.sink = pausing_sink
    setup.hub.resume(subscription)
    assert client.replica.seqs == [2]
    setup.hub.resume(subscription)
    setup.hub.resume(subscription)
    assert client.replica.seqs == [2, 3, 4]


def test_commits_the_hub_already_has_are_ignored() -> None:
    setup = Setup.make()
    client = setup.client()
    setup.changes(2)
    setup.hub.committed(setup.board, setup.local.log[-2:])
    assert client.replica.seqs == [2, 3]


def test_a_gap_sends_every_subscriber_a_snapshot() -> None:
    setup = Setup.make()
    client = setup.client()
    hub_listener = setup.local.listener
    setup.local.listener = lambda board, logged: None
    setup.changes(2)
    setup.local.listener = hub_listener
    setup.changes(1)
    assert client.types() == ["snapshot", "snapshot"]
    assert client.replica.state == setup.local.view()
    setup.changes(1)
    assert client.replica.seqs == [5]


def test_a_board_that_does_not_match_the_fold_is_sent_as_a_snapshot() -> None:
    setup = Setup.make()
    client = setup.client()
    setup.local.listener = lambda board, logged: setup.hub.committed(
        evolve(board, blocked=frozenset()), logged
    )
    setup.changes(1)
    assert client.types() == ["snapshot", "events", "snapshot"]
    assert client.replica.state is not None
    assert client.replica.state["blocked"] == set()


def test_a_recreated_board_is_a_new_epoch() -> None:
    setup = Setup.make()
    client = setup.client()
    setup.changes(2)
    later = NOW + timedelta(days=1)
    recreated = LocalBoard(later, setup.hub.committed)
    recreated.create()
    assert client.types()[-1] == "snapshot"
    assert client.replica.epoch == board_epoch(recreated.board or setup.board)
    assert client.replica.state == recreated.view()


def test_a_failing_subscriber_is_dropped_and_the_others_still_get_the_frame() -> None:
    setup = Setup.make()

    def broken(message: Prepared) -> None:
        raise RuntimeError("socket gone")

    first = setup.client()
    setup.hub.subscribe(setup.board, broken)
    last = setup.client()
    setup.changes(1)
    assert first.replica.seqs == last.replica.seqs == [2]
    assert setup.hub.subscribers() == {"conf": 2}


def test_events_for_a_board_nobody_watches_start_a_feed_at_that_board() -> None:
    hub: Hub[Prepared] = Hub(Prepared, "v1")
    local = LocalBoard(NOW, lambda board, logged: None)
    local.create()
    local.change(0, 1, 1, 0)
    assert local.board is not None
    hub.committed(local.board, local.log[-1:])
    assert hub.head("conf") == 2
    assert hub.head("other") is None


def test_subscribers_are_counted_per_board() -> None:
    setup = Setup.make()
    one, two = setup.client(), setup.client()
    assert setup.hub.subscribers() == {"conf": 2}
    one.disconnect()
    two.disconnect()
    assert setup.hub.subscribers() == {"conf": 0}


def test_a_warmed_hub_serves_resumes_from_before_it_started() -> None:
    setup = Setup.make(ring_size=4)
    client = setup.gone()
    setup.changes(3)
    restarted: Hub[Prepared] = Hub(Prepared, "v2", 4)
    restarted.warm(setup.local.log)
    client.come_back(restarted, setup.board)
    assert client.types() == ["resumed", "events", "events", "events"]
    assert client.replica.state == setup.local.view()


def test_warming_puts_older_frames_in_front_of_a_feed_that_moved_on() -> None:
    setup = Setup.make(ring_size=6)
    client = setup.gone()
    setup.changes(2)
    restarted: Hub[Prepared] = Hub(Prepared, "v2", 6)
    setup.local.listener = restarted.committed
    setup.changes(2)
    # The log as read from the store when event 4 was committed, but its commit
    # listener call had not run yet: the feed starts at 4, the log ends there.
    restarted.warm(setup.local.log[:4])
    client.come_back(restarted, setup.board)
    assert client.types() == ["resumed", "events", "events", "events", "events"]
    assert client.replica.state == setup.local.view()


def test_warming_with_a_log_the_feed_cannot_use_changes_nothing() -> None:
    setup = Setup.make(ring_size=6)
    restarted: Hub[Prepared] = Hub(Prepared, "v2", 6)
    setup.local.listener = restarted.committed
    setup.changes(3)
    other = LocalBoard(NOW + timedelta(days=1), lambda board, logged: None)
    other.create()
    restarted.warm(other.log)
    restarted.warm([])
    assert restarted.head("conf") == 4
    client = Client(restarted)
    client.connect(setup.board)
    assert client.types() == ["snapshot"]


operations = st.lists(
    st.one_of(
        change_steps,
        st.tuples(st.sampled_from(["connect", "disconnect", "pause", "resume"]), st.integers(0, 2)),
    ),
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(operations, st.integers(1, 6))
def test_random_interleavings_leave_every_client_equal_to_the_board(
    steps: list[tuple[object, ...]], ring_size: int
) -> None:
    setup = Setup.make(ring_size)
    clients = [Client(setup.hub) for _ in range(3)]
    for step in steps:
        if step[0] == "change":
            kind, a, b, c = (int(n) for n in step[1:])  # type: ignore[call-overload]
            setup.local.change(kind, a, b, c)
            continue
        client = clients[int(step[1])]  # type: ignore[call-overload]
        if step[0] == "connect":
            client.connect(setup.board)
        elif step[0] == "disconnect":
            client.disconnect()
        elif client.subscription is not None:
            (setup.hub.pause if step[0] == "pause" else setup.hub.resume)(client.subscription)
    for client in clients:
        if client.subscription is not None:
            setup.hub.resume(client.subscription)
        client.connect(setup.board)
        assert client.replica.state == setup.local.view()
        # Between snapshots, every event arrived once and in order (Replica checks it).
        assert client.replica.seqs == sorted(set(client.replica.seqs))


def test_layout_changes_reach_clients() -> None:
    setup = Setup.make()
    client = setup.client()
    layout = conference_layout()
    renamed = evolve(layout, rooms=(evolve(layout.rooms[0], name="Big Room"), *layout.rooms[1:]))
    assert setup.local.run(SetLayout(renamed))
    assert client.replica.state == setup.local.view()
    assert client.frames[-1]["events"][0]["type"] == "layout_set"  # type: ignore[index]


Asked = list[tuple[Callable[[], tuple[Board, bytes]], Deferred[tuple[Board, bytes]]]]


def held_offload(hub: Hub[Prepared]) -> Asked:
    """
    Make C{hub} offload its heavy frames to Deferreds the test fires: the works it was
    given, each with its Deferred, are listed in what this returns.
    """
    asked: Asked = []

    def offload(work: Callable[[], tuple[Board, bytes]]) -> Deferred[tuple[Board, bytes]]:
        asked.append((work, Deferred()))
        return asked[-1][1]

    hub.offload = offload
    return asked


def test_an_official_schedule_frame_made_elsewhere_keeps_every_frame_in_order() -> None:
    setup = Setup.make()
    asked = held_offload(setup.hub)
    source = "https://talks.example/schedule.json"
    early = setup.client()
    assert setup.local.run(SetSources((ScheduleSource(source),)))
    start = setup.board.slots[0].start
    talks = tuple(
        OfficialTalk(f"t{n}", source, f"Talk {n}", start, start + timedelta(minutes=30), "Hall")
        for n in range(50)
    )
    head = setup.board.seq
    assert setup.local.run(SetOfficialSchedule(source, talks))
    setup.changes(2)
    # The official schedule's frame is being made: nothing after it goes out before it.
    assert len(asked) == 1
    assert early.replica.seqs[-1] == head and setup.hub.head(SLUG) == head
    late = setup.client()
    assert late.types() == ["snapshot"] and late.replica.seq == head
    work, made = asked[0]
    made.callback(work())
    for client in (early, late):
        assert client.replica.seqs[-3:] == [head + 1, head + 2, head + 3]
        assert client.replica.state == setup.local.view()
    assert setup.hub.head(SLUG) == setup.board.seq
    # Later commits go out at once again.
    setup.changes(1)
    assert early.replica.seqs[-1] == setup.board.seq
    assert late.replica.state == setup.local.view()


def test_a_failed_official_schedule_frame_sends_snapshots_from_the_store() -> None:
    setup = Setup.make()
    setup.hub.offload = lambda work: fail(ValueError("no thread today"))
    source = "https://talks.example/schedule.json"
    client = setup.client()
    assert setup.local.run(SetSources((ScheduleSource(source),)))
    start = setup.board.slots[0].start
    talk = OfficialTalk("t1", source, "Talk", start, start + timedelta(minutes=30), "Hall")
    assert setup.local.run(SetOfficialSchedule(source, (talk,)))
    assert client.types()[-1] == "snapshot"
    assert client.replica.state == setup.local.view()
    setup.changes(1)
    assert client.types()[-1] == "events"
    assert client.replica.state == setup.local.view()


def test_told_html_reaches_only_subscribers_at_its_seq_once_prepared() -> None:
    """
    L{Hub.tell}: a frame about the head seq (HTML worked out after its event) goes to
    every subscriber holding that seq, prepared once; a paused one, or a board that has
    moved on since, gets nothing.
    """
    setup = Setup.make()
    at_head, paused = setup.client(), setup.client()
    assert paused.subscription is not None
    setup.changes(1)
    setup.hub.pause(paused.subscription)
    board = setup.board
    body = json.dumps({"type": "html", "seq": board.seq, "html": {"k": "<p></p>"}}).encode()
    setup.prepared.clear()
    assert setup.hub.tell(board, body) == 1
    assert len(setup.prepared) == 1
    assert at_head.types() == ["snapshot", "events", "html"]
    assert paused.types() == ["snapshot", "events"]
    setup.changes(1)
    assert setup.hub.tell(board, body) == 0
    assert at_head.types() == ["snapshot", "events", "html", "events"]


def test_an_unwatched_private_stream_enriches_nothing() -> None:
    """
    A hub with C{enrich_unwatched=False} (the desk's) renders only while watched.
    """
    setup = Setup.make()
    rendered: list[int] = []

    def enrich(before: Board | None, entry: object, after: Board) -> dict[str, object]:
        rendered.append(after.seq)
        return {"html": {}}

    setup.hub.enrich = enrich
    setup.hub.enrich_unwatched = False
    setup.changes(1)
    client = setup.client()
    setup.changes(1)
    client.disconnect()
    setup.changes(1)
    assert rendered == [setup.board.seq - 1]


def test_html_told_while_a_layout_frame_is_made_follows_it() -> None:
    """
    A new layout's frame is made off the reactor too; HTML told meanwhile about the new
    layout's seq (a suggestion worked out in another thread) is handed after its event.
    """
    setup = Setup.make()
    asked = held_offload(setup.hub)
    client = setup.client()
    layout = conference_layout()
    renamed = evolve(layout, rooms=(evolve(layout.rooms[0], name="Big Room"), *layout.rooms[1:]))
    assert setup.local.run(SetLayout(renamed))
    board = setup.board
    body = json.dumps({"type": "html", "seq": board.seq, "html": {"k": "<p></p>"}}).encode()
    assert len(asked) == 1
    assert setup.hub.tell(board, body) == 0
    assert client.types() == ["snapshot"]
    work, made = asked[0]
    made.callback(work())
    assert client.types() == ["snapshot", "events", "html"]
    assert client.replica.state == setup.local.view()

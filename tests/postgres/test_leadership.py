"""
One leader at a time through a PostgreSQL advisory lock, and a new one when it dies.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import psycopg
import pytest
import pytest_twisted
from attrs import define, field

from openspace.leadership import Leadership
from openspace.store.dedicated import DedicatedConnection
from openspace.store.postgres import connect
from tests.postgres.waiting import until

pytestmark = pytest.mark.postgres


@define
class Candidate:
    name: str
    events: list[str] = field(factory=list)
    leadership: Leadership | None = None

    @property
    def leads(self) -> bool:
        return bool(self.events) and self.events[-1] == "elected"


def candidate(url: str, name: str) -> Candidate:
    from twisted.internet import reactor

    chosen = Candidate(name)
    session = DedicatedConnection(lambda: connect(url, f"leader-{name}"), reactor, name)
    chosen.leadership = Leadership(
        session,
        reactor,
        on_elected=lambda: chosen.events.append("elected"),
        on_deposed=lambda: chosen.events.append("deposed"),
        interval=0.05,
    )
    return chosen


@pytest_twisted.async_yield_fixture
async def candidates(pg_url: str) -> AsyncIterator[list[Candidate]]:
    group = [candidate(pg_url, name) for name in ("a", "b", "c")]
    for one in group:
        assert one.leadership is not None
        one.leadership.start()
    yield group
    for one in group:
        assert one.leadership is not None
        await one.leadership.stop()


async def one_leader(group: list[Candidate]) -> Candidate:
    await until(lambda: sum(one.leads for one in group) == 1)
    (leader,) = [one for one in group if one.leads]
    return leader


@pytest_twisted.ensureDeferred
async def test_exactly_one_leads_and_another_takes_over_when_it_steps_down(
    candidates: list[Candidate],
) -> None:
    leader = await one_leader(candidates)
    assert leader.leadership is not None
    await leader.leadership.stop()
    assert leader.events == ["elected", "deposed"]
    rest = [one for one in candidates if one is not leader]
    successor = await one_leader(rest)
    assert successor.events == ["elected"]


@pytest_twisted.ensureDeferred
async def test_when_the_leader_s_session_dies_another_node_takes_over(
    candidates: list[Candidate], pg_url: str
) -> None:
    leader = await one_leader(candidates)
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (f"openspace/leader-{leader.name}",),
        )
    # The old leader finds out at its next check and steps down; one other leads.
    await until(lambda: leader.events[-1] == "deposed")
    successor = await one_leader([one for one in candidates if one is not leader])
    assert successor is not leader
    assert not leader.leads

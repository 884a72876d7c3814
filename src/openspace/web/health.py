"""
Health checks for load balancers and orchestrators.

 - C{GET /healthz}: the process is alive and its reactor turns (no I/O at all).
 - C{GET /readyz}: this node can serve: its database answers within L{READY_TIMEOUT}
   at the schema this openspace needs, and its official schedule sources are not all
   failing.  C{200} or C{503}, each with what every check found.

Sources count as failing only when every configured source's last poll failed
(C{stale}); one that has not been read yet (C{pending}, as on PostgreSQL nodes that do
not lead the polling) is not failing.  Nothing secret is shown: failures are named by
their kind, the details go to the log.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

from attrs import frozen
from twisted.internet import defer
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IReactorTime
from twisted.logger import Logger

from openspace.clock import Clock
from openspace.model import Board
from openspace.official.poller import SourceStatus
from openspace.store.interface import BoardStore, SchemaTooNew, SchemaTooOld

READY_TIMEOUT = 5.0

_log = Logger()


@frozen
class Readiness:
    """
    @ivar statuses: how the sources of a board are doing (looked up at every check).
    @ivar timer: for the database's deadline.
    """

    store: BoardStore
    statuses: Callable[[Board], Sequence[SourceStatus]]
    timer: Clock

    async def check(self) -> tuple[bool, dict[str, str]]:
        """
        Whether this node is ready, and each check's finding in words ("ok" if fine).
        """
        checks = {"database": "ok", "schema": "ok", "sources": "ok"}
        try:
            await self._in_time(self.store.check_schema())
            checks["sources"] = await self._sources()
        except (SchemaTooNew, SchemaTooOld) as e:
            checks["schema"] = str(e)
        except Exception as e:
            _log.failure("readiness check: the database failed", None)
            checks = {
                "database": f"no answer within {READY_TIMEOUT:g} s"
                if isinstance(e, defer.TimeoutError)
                else f"unreachable ({type(e).__name__})"
            }
        return all(finding == "ok" for finding in checks.values()), checks

    async def _sources(self) -> str:
        statuses: list[SourceStatus] = []
        for slug in await self._in_time(self.store.slugs()):
            board = await self._in_time(self.store.board(slug))
            if board is not None:
                statuses.extend(self.statuses(board))
        failing = sum(status.status == "stale" for status in statuses)
        if statuses and failing == len(statuses):
            return f"all {failing} official schedule sources are failing"
        return "ok"

    def _in_time(self, work: Deferred[Any]) -> Deferred[Any]:
        # addTimeout is typed for the zope interface; any real clock provides it.
        return work.addTimeout(READY_TIMEOUT, cast(IReactorTime, self.timer))

"""
Keeping every event's official schedule current: one L{SchedulePoller} per source.

An event's sources are part of its board (L{openspace.model.Board.sources}, set from the
event file's C{[[sources]]} or by C{openspace serve --source}), so they are stored,
logged and seen by every node like any other setting.  L{SourcePollers} runs a poller
for each source of each board and turns every changed schedule into a
L{SetOfficialSchedule} command, executed through the store as the system: the engine
decides what changed (nothing is logged when the talks are the same), the store commits
it with the board, and the live layer pushes it like any other event.  Because the talks
are board state, a restart while a source is down shows its last good schedule at once.

The pollers follow the boards: after every commit the pollers of that board are matched
to its sources again, so adding, changing or removing a source (or re-creating the
board) starts, restarts or stops its poller without a restart of the server.

Only one node polls, or each would import the same schedule.  With SQLite there is one
node.  With PostgreSQL, L{poll_while_leading} runs the pollers only while this node holds
the poller lock (L{openspace.leadership.Leadership}); the engine's imports are
idempotent, so a short overlap of two leaders costs requests, never duplicate events.
Statuses are kept by the node that polls; the other nodes show its sources as
C{"pending"}.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from attrs import define, evolve, field, frozen
from treq.client import HTTPClient
from twisted.internet.defer import Deferred, succeed
from twisted.logger import Logger
from twisted.web.client import Agent, HTTPConnectionPool

from openspace.clock import Clock, utc_now
from openspace.commands import SYSTEM, Refused, SetOfficialSchedule, SetSources
from openspace.events import Logged
from openspace.model import Board, ScheduleSource
from openspace.official.parsed import ParseResult
from openspace.official.poller import (
    HTTPGetter,
    ParseRunner,
    SchedulePoller,
    SourceStatus,
    in_thread_pool,
)
from openspace.store.interface import BoardStore, Outcome

if TYPE_CHECKING:
    from openspace.leadership import Leadership

StatusListener = Callable[[str, SourceStatus], object]
"""
C{listener(slug, status)}: a source of board C{slug} has a new status.
"""


def pending(source: ScheduleSource) -> SourceStatus:
    """
    The status of a source that no poller here has tried yet.
    """
    return SourceStatus(url=source.url, format=source.format or "auto", status="pending")


def pending_statuses(board: Board) -> list[SourceStatus]:
    """
    The statuses of C{board}'s sources where no poller runs (see L{SourcePollers}).
    """
    return [pending(source) for source in board.sources]


@frozen
class _Setting:
    """
    What a running poller was made from: when it changes, the poller is replaced.
    """

    source: ScheduleSource
    timezone: str


@frozen
class _Running:
    """
    A poller at work, and what it was made from.
    """

    setting: _Setting
    poller: SchedulePoller


@define
class SourcePollers:
    """
    The pollers of every board's official schedule sources.

    @ivar clock: times the polls (the reactor, or a C{task.Clock} in tests) and says
        when a schedule arrived.
    @ivar client: treq's C{HTTPClient} (see L{source_pollers}) or C{StubTreq}.
    @ivar closing: called once on L{stop}, after the pollers stopped (to close the
        client's connection pool).
    """

    store: BoardStore
    clock: Clock
    client: HTTPGetter
    run_parse: ParseRunner
    closing: Callable[[], Deferred[Any]] | None = None
    _running: dict[tuple[str, str], _Running] = field(factory=dict)
    _listeners: list[StatusListener] = field(factory=list)
    _started: bool = False
    _following: bool = False
    _log = Logger()

    async def start(self) -> None:
        """
        Start polling the sources of every board, and follow the boards' changes.
        """
        self._started = True
        if not self._following:
            self._following = True
            self.store.add_listener(self._committed)
        for slug in await self.store.slugs():
            board = await self.store.board(slug)
            if board is not None:
                self.follow(board)

    def stop(self) -> Deferred[Any]:
        """
        Stop every poller (aborting requests in flight) and close the HTTP client.
        """
        self._started = False
        for running in self._running.values():
            running.poller.stop()
        self._running.clear()
        return self.closing() if self.closing is not None else succeed(None)

    def follow(self, board: Board) -> None:
        """
        Start, replace or stop the pollers of C{board} to match its sources.
        """
        if not self._started:
            return
        slug = board.info.slug
        wanted = {
            source.url: _Setting(source, source.timezone or board.info.timezone)
            for source in board.sources
        }
        for key, running in list(self._running.items()):
            if key[0] == slug and wanted.get(key[1]) != running.setting:
                running.poller.stop()
                del self._running[key]
                self._log.info("stopped polling {url} for {slug}", url=key[1], slug=slug)
        for url, setting in wanted.items():
            if (slug, url) not in self._running:
                poller = self._poller(slug, setting)
                self._running[(slug, url)] = _Running(setting, poller)
                self._log.info(
                    "polling {url} for {slug} every {interval:g} s",
                    url=url,
                    slug=slug,
                    interval=setting.source.interval,
                )
                poller.start()

    def statuses(self, board: Board) -> list[SourceStatus]:
        """
        The status of each of C{board}'s sources, in the board's order; a source whose
        talks are on the board but that failed since this process started is
        C{"stale"} (with no C{last_success}: that time is not stored).
        """
        shown = []
        for source in board.sources:
            running = self._running.get((board.info.slug, source.url))
            status = pending(source) if running is None else running.poller.status
            # The board may still show the schedule of an earlier run that this run
            # could not confirm: that is what "stale" means.
            if (
                status.status == "pending"
                and status.last_error is not None
                and any(talk.source == source.url for talk in board.official)
            ):
                status = evolve(status, status="stale")
            shown.append(status)
        return shown

    def add_status_listener(self, listener: StatusListener) -> None:
        """
        Call C{listener(slug, status)} after every poll of every source.
        """
        self._listeners.append(listener)

    def _committed(self, board: Board, logged: Sequence[Logged]) -> None:
        self.follow(board)

    def _poller(self, slug: str, setting: _Setting) -> SchedulePoller:
        source = setting.source
        return SchedulePoller(
            client=self.client,
            clock=self.clock,
            url=source.url,
            on_schedule=partial(self._deliver, slug, source.url),
            run_parse=self.run_parse,
            on_status=partial(self._polled, slug),
            format=source.format,
            timezone=setting.timezone,
            interval=source.interval,
        )

    def _deliver(self, slug: str, url: str, result: ParseResult) -> Deferred[Outcome]:
        # Failing here (the board was deleted, the database is down) makes the poller
        # keep the content as undelivered and try again at its next poll.
        command = SetOfficialSchedule(url, result.talks)
        return self.store.execute(slug, command, SYSTEM, utc_now(self.clock))

    def _polled(self, slug: str, status: SourceStatus) -> None:
        for listener in self._listeners:
            listener(slug, status)


def source_pollers(store: BoardStore, reactor: Any, clock: Clock) -> SourcePollers:
    """
    L{SourcePollers} on real HTTP: a treq client with its own persistent connection
    pool, parsing in the reactor's thread pool so that a large schedule never blocks
    the reactor.
    """
    pool = HTTPConnectionPool(reactor, persistent=True)
    return SourcePollers(
        store=store,
        clock=clock,
        client=HTTPClient(Agent(reactor, pool=pool)),
        run_parse=in_thread_pool(reactor, reactor.getThreadPool()),
        closing=pool.closeCachedConnections,
    )


def poll_while_leading(sources: SourcePollers, url: str, reactor: Any) -> Leadership:
    """
    Run C{sources} only while this node leads among the nodes of the PostgreSQL
    database at C{url}; stop the returned L{Leadership} to step down.
    """
    # psycopg is optional: only PostgreSQL deployments import it.
    from openspace.leadership import POLLER_LOCK, while_leading

    def start() -> Deferred[None]:
        return Deferred.fromCoroutine(sources.start())

    return while_leading(url, reactor, POLLER_LOCK, start, sources.stop)


class SourceSetupError(Exception):
    """
    Sources given on the command line cannot be attached: no such event, no way to
    tell which event, or a source that is not valid.
    """


async def attach_sources(
    store: BoardStore, slug: str | None, sources: Sequence[ScheduleSource], clock: Clock
) -> str:
    """
    Add C{sources} to the event C{slug} (or to the only event there is), replacing
    sources with the same URL; the slug they were attached to.

    @raise SourceSetupError: no C{slug} and not exactly one event, no such event, or
        a source that is not valid.
    """
    if slug is None:
        slugs = await store.slugs()
        if len(slugs) != 1:
            known = ", ".join(slugs) or "none yet"
            raise SourceSetupError(f"name the event for --source with --event (events: {known})")
        slug = slugs[0]
    board = await store.board(slug)
    if board is None:
        raise SourceSetupError(f"there is no event {slug!r} to attach --source to")
    merged = {source.url: source for source in (*board.sources, *sources)}
    try:
        await store.execute(slug, SetSources(tuple(merged.values())), SYSTEM, utc_now(clock))
    except Refused as e:
        raise SourceSetupError(f"--source: {e.message}") from e
    return slug

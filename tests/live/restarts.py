"""
Helpers for tests that stop and start real server processes under live clients.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from twisted.internet.defer import Deferred
from twisted.internet.error import ConnectError

from openspace.commands import SYSTEM, SetLayout
from openspace.service import open_store
from tests.live.wsclient import LiveClient
from tests.process import OpenspaceProcess
from tests.support import SLUG, conference_layout

RETRY_PAUSE = 0.1


async def make_db(db: Path, now: datetime) -> None:
    """
    A database holding the test conference, for child processes to serve.
    """
    from twisted.internet import reactor

    store = await open_store(str(db), reactor)
    try:
        await store.execute(SLUG, SetLayout(conference_layout()), SYSTEM, now)
    finally:
        await store.close()


async def serve_again(db: Path, url: str, *more: str) -> OpenspaceProcess:
    """
    A new server process on C{db}, listening where C{url} pointed, with options C{more}.
    """
    port = url.rstrip("/").rsplit(":", 1)[1]
    child, _ = await OpenspaceProcess.serve(
        str(db), *more, listen=f"tcp:{port}:interface=127.0.0.1"
    )
    return child


class Follower:
    """
    Keeps one L{LiveClient} connected, reconnecting (resuming) whenever it drops,
    like static/live.js does, until L{stop}.
    """

    def __init__(self, client: LiveClient) -> None:
        self.client = client
        self.reconnects = 0
        self._stopped = False
        self.done: Deferred[None] = Deferred.fromCoroutine(self._run())

    async def _run(self) -> None:
        from twisted.internet import reactor
        from twisted.internet.task import deferLater

        while not self._stopped:
            try:
                await self.client.connect()
            except (ConnectError, ConnectionRefusedError):
                # The server is down: try again shortly (pacing, not synchronisation).
                await deferLater(reactor, RETRY_PAUSE)
                continue
            await self.client.wait_closed(patience=None)
            self.reconnects += 1

    async def stop(self) -> None:
        self._stopped = True
        await self.client.close()
        await self.done

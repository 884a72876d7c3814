"""
Running the real C{openspace} command as a child process, the Twisted way.

The child prints C{openspace: listening on http://127.0.0.1:PORT/} once it serves; that
line is the readiness signal (no sleeps).  Its output is kept for assertions.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from twisted.internet.defer import Deferred
from twisted.internet.protocol import ProcessProtocol
from twisted.python.failure import Failure

from tests.support import FACILITATOR_TOKEN

_LISTENING = re.compile(rb"openspace: listening on (http://\S+?)/?\n")


class _Child(ProcessProtocol):
    """
    Collects a child's output; fires C{listening} on the readiness line.
    """

    def __init__(self) -> None:
        self.out = b""
        self.err = b""
        self.listening: Deferred[str] = Deferred()
        self.ended: Deferred[int | None] = Deferred()

    def outReceived(self, data: bytes) -> None:
        self.out += data
        match = _LISTENING.search(self.out)
        if match and not self.listening.called:
            self.listening.callback(match.group(1).decode())

    def errReceived(self, data: bytes) -> None:
        self.err += data

    def processEnded(self, reason: Failure) -> None:
        code = getattr(reason.value, "exitCode", None)
        if not self.listening.called:
            self.listening.errback(
                RuntimeError(f"openspace exited ({code}) before listening:\n{self.err.decode()}")
            )
        self.ended.callback(code)


class OpenspaceProcess:
    """
    One C{python -m openspace ...} child.
    """

    def __init__(
        self,
        args: Sequence[str],
        env: Mapping[str, str] | None = None,
        command: Sequence[str] = (sys.executable, "-m", "openspace"),
    ) -> None:
        from twisted.internet import reactor

        self._child = _Child()
        environment = dict(os.environ)
        environment.setdefault("OPENSPACE_FACILITATOR_TOKEN", FACILITATOR_TOKEN)
        environment.update(env or {})
        self._transport: Any = reactor.spawnProcess(
            self._child, command[0], [*command, *args], env=environment
        )

    @classmethod
    async def serve(
        cls,
        db: str,
        *more: str,
        env: Mapping[str, str] | None = None,
        listen: str = "tcp:0:interface=127.0.0.1",
    ) -> tuple[OpenspaceProcess, str]:
        child = cls(["serve", "--db", db, "--listen", listen, *more], env)
        url = await child._child.listening
        return child, url

    @property
    def stdout(self) -> str:
        return self._child.out.decode()

    @property
    def stderr(self) -> str:
        return self._child.err.decode()

    def signal(self, name: str) -> None:
        self._transport.signalProcess(name)

    async def kill(self) -> None:
        self.signal("KILL")
        await self._child.ended

    async def stop(self) -> int | None:
        """
        SIGTERM, and the exit code once it ends.
        """
        self.signal("TERM")
        return await self._child.ended

    async def ended(self) -> int | None:
        return await self._child.ended


async def run_command(*args: str) -> tuple[int | None, str, str]:
    """
    Run a console script installed beside this Python (e.g. C{twist}) to its end.
    """
    script = str(Path(sys.executable).parent / args[0])
    return await _run(OpenspaceProcess(args[1:], command=(script,)))


async def run_openspace(
    *args: str, env: Mapping[str, str] | None = None
) -> tuple[int | None, str, str]:
    """
    Run one C{openspace} command to its end: (exit code, stdout, stderr).
    """
    return await _run(OpenspaceProcess(args, env))


async def _run(child: OpenspaceProcess) -> tuple[int | None, str, str]:
    # Not a server: it never announces listening, which is no error here.
    child._child.listening.addErrback(lambda _: None)
    code = await child.ended()
    return code, child.stdout, child.stderr

"""
The C{openspace} command: serve boards, load events from TOML, list them.

    openspace serve [--db PATH] [--listen ENDPOINT ...] [--demo]
    openspace event load FILE.toml [--db PATH]
    openspace event list [--db PATH]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from twisted.internet.defer import Deferred
from twisted.logger import globalLogBeginner, textFileLogObserver
from twisted.python.failure import Failure

from openspace.clock import utc_now
from openspace.commands import SYSTEM, Refused, SetLayout
from openspace.eventfile import EventFileError, load_event_file
from openspace.service import (
    DEFAULT_DB,
    DEFAULT_LISTEN,
    OpenspaceService,
    ServerConfig,
    open_store,
    urls_for,
)
from openspace.tokens import TOKEN_ENV, TOKEN_FILE_ENV, SecretError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="openspace", description="A real-time open-space scheduler for conferences."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the server")
    serve.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file (default {DEFAULT_DB})")
    serve.add_argument(
        "--listen",
        action="append",
        metavar="ENDPOINT",
        help=f"Twisted endpoint string, repeatable (default {DEFAULT_LISTEN})",
    )
    serve.add_argument("--demo", action="store_true", help="create the demo event")
    serve.add_argument(
        "--facilitator-token-file",
        type=Path,
        help=f"file holding the facilitator token (or set ${TOKEN_FILE_ENV} or ${TOKEN_ENV})",
    )

    event = commands.add_parser("event", help="manage events").add_subparsers(
        dest="action", required=True
    )
    load = event.add_parser("load", help="create or update an event from a TOML file")
    load.add_argument("file", type=Path)
    load.add_argument("--db", default=DEFAULT_DB)
    listing = event.add_parser("list", help="list the events")
    listing.add_argument("--db", default=DEFAULT_DB)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if args.action == "load":
        return _react(lambda reactor: load_event(reactor, args.db, args.file))
    return _react(lambda reactor: list_events(reactor, args.db))


def serve(args: argparse.Namespace) -> int:
    from twisted.internet import reactor

    globalLogBeginner.beginLoggingTo([textFileLogObserver(sys.stderr)], redirectStandardIO=False)
    config = ServerConfig(
        db=args.db,
        listen=tuple(args.listen or [DEFAULT_LISTEN]),
        demo=args.demo,
        token_file=args.facilitator_token_file,
    )
    service = OpenspaceService(config, reactor)
    failed: list[Failure] = []

    def announce(urls: list[str]) -> None:
        # "listening" comes last: scripts and tests take it as the readiness signal.
        if args.demo:
            for url in urls_for(urls, "demo"):
                print(f"openspace: open the demo board at {url}", flush=True)
        for url in urls:
            print(f"openspace: listening on {url}", flush=True)

    def fail(failure: Failure) -> None:
        failed.append(failure)
        print(f"openspace: cannot start: {failure.getErrorMessage()}", file=sys.stderr)
        reactor.stop()

    service.ready.addCallbacks(announce, fail)
    reactor.callWhenRunning(service.startService)
    reactor.addSystemEventTrigger("before", "shutdown", service.stopService)
    reactor.run()
    return 1 if failed else 0


def _react(work: Callable[[Any], Coroutine[Any, Any, int]]) -> int:
    from twisted.internet import task

    codes: list[int] = []

    async def run(reactor: Any) -> None:
        codes.append(await work(reactor))

    try:
        task.react(lambda reactor: Deferred.fromCoroutine(run(reactor)))
    except SystemExit as e:
        if e.code:
            return int(e.code)
    return codes[0] if codes else 1


async def load_event(reactor: Any, db: str, path: Path) -> int:
    try:
        layout = load_event_file(path)
    except EventFileError as e:
        print(f"openspace: {e}", file=sys.stderr)
        return 2
    store = await open_store(db, reactor)
    try:
        outcome = await store.execute(layout.info.slug, SetLayout(layout), SYSTEM, utc_now(reactor))
    except Refused as e:
        print(f"openspace: {path}: {e.message}", file=sys.stderr)
        return 2
    finally:
        await store.close()
    board = outcome.board
    verb = "unchanged" if not outcome.logged else "loaded"
    print(
        f"openspace: event {board.info.slug!r} {verb}: {len(board.rooms)} rooms, "
        f"{len(board.slots)} slots, {len(board.blocked)} blocked cells"
    )
    return 0


async def list_events(reactor: Any, db: str) -> int:
    store = await open_store(db, reactor)
    try:
        for slug in await store.slugs():
            board = await store.board(slug)
            if board is not None:
                print(f"{slug}\t{board.info.name}\t{len(board.visible_sessions())} sessions")
    finally:
        await store.close()
    return 0


def run() -> None:
    try:
        sys.exit(main())
    except SecretError as e:
        print(f"openspace: {e}", file=sys.stderr)
        sys.exit(2)

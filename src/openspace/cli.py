"""
The C{openspace} command: serve boards, load events from TOML, list them, migrate the
database, and move whole events between databases.

    openspace serve [--db DB] [--listen ENDPOINT ...] [--demo]
                    [--source URL ... [--source-interval SECONDS] [--event SLUG]]
    openspace event load FILE.toml [--db DB]
    openspace event list [--db DB]
    openspace migrate [--db DB]
    openspace export [SLUG] [--db DB] > event.json
    openspace import [FILE] [--db DB] [--replace] < event.json
    openspace source check URL [--format F] [--timezone TZ] [--json]

DB is an SQLite file or a C{postgresql://} URL; without C{--db}, C{$OPENSPACE_DB}.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, TextIO

from twisted.internet.defer import Deferred
from twisted.logger import globalLogBeginner
from twisted.python.failure import Failure

from openspace.clock import utc_now
from openspace.codec import FormatError, dumps
from openspace.commands import SYSTEM, Refused, SetLayout, SetSources
from openspace.eventfile import EventFileError, read_event_file
from openspace.logformat import FORMATS, log_observer
from openspace.model import DEFAULT_SOURCE_INTERVAL, ScheduleSource
from openspace.official.check import source_check, zone_argument
from openspace.official.detect import PARSERS
from openspace.service import (
    DB_HELP,
    DEFAULT_LISTEN,
    OpenspaceService,
    ServerConfig,
    database,
    is_postgres_url,
    open_store,
    require_driver,
    unopened_store,
    urls_for,
)
from openspace.store.interface import (
    EventExists,
    MissingDriver,
    NotADatabase,
    SchemaTooNew,
    SchemaTooOld,
)
from openspace.store.transfer import export_event, import_event
from openspace.tokens import TOKEN_ENV, TOKEN_FILE_ENV, SecretError
from openspace.web.limits import add_limit_arguments, limit_options
from openspace.web.live import LiveOptions, origin_argument


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="openspace", description="A real-time open-space scheduler for conferences."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the server")
    _db_option(serve)
    serve.add_argument(
        "--listen",
        action="append",
        metavar="ENDPOINT",
        help=f"Twisted endpoint string, repeatable (default {DEFAULT_LISTEN})",
    )
    serve.add_argument("--demo", action="store_true", help="create the demo event")
    serve.add_argument(
        "--origin",
        action="append",
        type=origin_argument,
        help="origin browsers may open live updates from, besides the listening URLs "
        "(e.g. https://board.example.org), repeatable",
    )
    serve.add_argument(
        "--source",
        action="append",
        metavar="URL",
        help="poll this official schedule into the event (repeatable): the demo event "
        "with --demo, else the --event, else the only event",
    )
    serve.add_argument(
        "--source-interval",
        type=float,
        default=DEFAULT_SOURCE_INTERVAL,
        metavar="SECONDS",
        help=f"seconds between polls of each --source (default {DEFAULT_SOURCE_INTERVAL:g})",
    )
    serve.add_argument("--event", metavar="SLUG", help="the event that --source belongs to")
    serve.add_argument(
        "--log-format",
        choices=FORMATS,
        default="text",
        help="text lines (default) or one JSON object per line",
    )
    serve.add_argument(
        "--public-status",
        action="store_true",
        help="serve /api/status to anyone (default: only with the facilitator token)",
    )
    serve.add_argument(
        "--facilitator-token-file",
        type=Path,
        help=f"file holding the facilitator token (or set ${TOKEN_FILE_ENV} or ${TOKEN_ENV})",
    )
    serve.add_argument(
        "--metrics-listen",
        action="append",
        default=[],
        metavar="ENDPOINT",
        help="also serve /metrics, to anyone, on this endpoint (repeatable)",
    )
    add_limit_arguments(serve)

    event = commands.add_parser("event", help="manage events").add_subparsers(
        dest="action", required=True
    )
    load = event.add_parser("load", help="create or update an event from a TOML file")
    load.add_argument("file", type=Path)
    _db_option(load)
    _db_option(event.add_parser("list", help="list the events"))

    _db_option(commands.add_parser("migrate", help="bring the database schema up to date"))
    export = commands.add_parser("export", help="write one event's whole log as JSON")
    export.add_argument("slug", nargs="?", help="the event (needed if there are several)")
    _db_option(export)
    load_log = commands.add_parser("import", help="write an event from an export")
    load_log.add_argument("file", nargs="?", type=Path, help="the export (default: stdin)")
    load_log.add_argument("--replace", action="store_true", help="replace an existing event")
    _db_option(load_log)

    source = commands.add_parser("source", help="official schedule sources").add_subparsers(
        dest="action", required=True
    )
    check = source.add_parser("check", help="read a schedule source once and report on it")
    check.add_argument("url")
    check.add_argument("--format", choices=sorted(PARSERS), help="the parser (default: detect)")
    check.add_argument(
        "--timezone", type=zone_argument, help="IANA zone for local times given without one"
    )
    check.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help=DB_HELP)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "source":
        return _react(
            lambda reactor: source_check(
                reactor, args.url, args.format, args.timezone, args.json, sys.stdout, sys.stderr
            )
        )
    args.db = database(args.db, os.environ)
    try:
        require_driver(args.db)
    except MissingDriver as e:
        print(f"openspace: {e}", file=sys.stderr)
        return 2
    if args.command == "serve":
        try:
            args.limits = limit_options(args)
        except ValueError as e:
            print(f"openspace: {e}", file=sys.stderr)
            return 2
        return serve(args)
    if args.command == "migrate":
        return _react(lambda reactor: migrate(reactor, args.db))
    if args.command == "export":
        return _react(lambda reactor: export(reactor, args.db, args.slug, sys.stdout))
    if args.command == "import":
        return _react(lambda reactor: import_(reactor, args.db, args.file, args.replace))
    if args.action == "load":
        return _react(lambda reactor: load_event(reactor, args.db, args.file))
    return _react(lambda reactor: list_events(reactor, args.db))


def serve(args: argparse.Namespace) -> int:
    from twisted.internet import reactor

    globalLogBeginner.beginLoggingTo(
        [log_observer(args.log_format, sys.stderr)], redirectStandardIO=False
    )
    config = ServerConfig(
        db=args.db,
        listen=tuple(args.listen or [DEFAULT_LISTEN]),
        demo=args.demo,
        live=LiveOptions(origins=tuple(args.origin or ())),
        freeze_gc=True,
        token_file=args.facilitator_token_file,
        sources=tuple(ScheduleSource(u, interval=args.source_interval) for u in args.source or ()),
        source_event=args.event,
        public_status=args.public_status,
        limits=args.limits,
        metrics_listen=tuple(args.metrics_listen),
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
        if args.log_format == "text":
            # JSON logs have it already, as the service's critical event.
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
        try:
            codes.append(await work(reactor))
        except _expected_failures() as e:
            print(f"openspace: {e}", file=sys.stderr)
            codes.append(2)

    try:
        task.react(lambda reactor: Deferred.fromCoroutine(run(reactor)))
    except SystemExit as e:
        if e.code:
            return int(e.code)
    return codes[0] if codes else 1


async def load_event(reactor: Any, db: str, path: Path) -> int:
    try:
        loaded = read_event_file(path)
    except EventFileError as e:
        print(f"openspace: {e}", file=sys.stderr)
        return 2
    slug, now = loaded.layout.info.slug, utc_now(reactor)
    store = await open_store(db, reactor)
    try:
        outcome = await store.execute(slug, SetLayout(loaded.layout), SYSTEM, now)
        changed = bool(outcome.logged)
        if loaded.sources is not None:
            outcome = await store.execute(slug, SetSources(loaded.sources), SYSTEM, now)
            changed = changed or bool(outcome.logged)
    except Refused as e:
        print(f"openspace: {path}: {e.message}", file=sys.stderr)
        return 2
    finally:
        await store.close()
    board = outcome.board
    verb = "loaded" if changed else "unchanged"
    print(
        f"openspace: event {board.info.slug!r} {verb}: {len(board.rooms)} rooms, "
        f"{len(board.slots)} slots, {len(board.blocked)} blocked cells, "
        f"{len(board.sources)} official schedule sources"
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


def _expected_failures() -> tuple[type[Exception], ...]:
    """
    Failures that deserve one line, not a traceback.
    """
    # psycopg is loaded only for PostgreSQL; when it is not, none of its errors occur.
    psycopg: Any = sys.modules.get("psycopg")
    unreachable = (psycopg.OperationalError,) if psycopg is not None else ()
    return (SchemaTooNew, SchemaTooOld, NotADatabase, *unreachable)


def _where(db: str) -> str:
    if is_postgres_url(db):
        from openspace.store.postgres import describe

        return describe(db)
    return db


async def migrate(reactor: Any, db: str) -> int:
    store = unopened_store(db, reactor)
    try:
        before, after = await store.migrate()
    finally:
        await store.close()
    where = _where(db)
    if before == after:
        print(f"openspace: {where} is at schema version {after}; nothing to do")
    else:
        print(f"openspace: migrated {where} from schema version {before} to {after}")
    return 0


async def export(reactor: Any, db: str, slug: str | None, out: TextIO) -> int:
    store = await open_store(db, reactor)
    try:
        slugs = await store.slugs()
        if slug is None and len(slugs) != 1:
            print(f"openspace: name the event to export: {', '.join(slugs)}", file=sys.stderr)
            return 2
        chosen = slug or slugs[0]
        if chosen not in slugs:
            print(f"openspace: there is no event {chosen!r}", file=sys.stderr)
            return 2
        document = await export_event(store, chosen)
    finally:
        await store.close()
    out.write(dumps(document) + "\n")
    print(f"openspace: exported event {chosen!r} up to event {document['seq']}", file=sys.stderr)
    return 0


async def import_(reactor: Any, db: str, path: Path | None, replace: bool) -> int:
    try:
        with open(path, encoding="utf-8") if path else sys.stdin as source:
            document = json.load(source)
    except (OSError, ValueError) as e:
        print(f"openspace: cannot read the export: {e}", file=sys.stderr)
        return 2
    store = await open_store(db, reactor)
    try:
        board = await import_event(store, document, replace=replace)
    except EventExists as e:
        print(f"openspace: event {e} exists already; --replace replaces it", file=sys.stderr)
        return 2
    except (FormatError, ValueError) as e:
        print(f"openspace: not a usable export: {e}", file=sys.stderr)
        return 2
    finally:
        await store.close()
    print(f"openspace: imported event {board.info.slug!r} with {board.seq} events")
    return 0


def run() -> None:
    try:
        sys.exit(main())
    except SecretError as e:
        print(f"openspace: {e}", file=sys.stderr)
        sys.exit(2)

"""
The JSON API under C{/api/}: the contract that pages, kiosks, scripts and tests use.

Each handler turns a request into one board command, hands it to the store, and turns
the outcome (or the refusal) into JSON.  The OpenAPI description of these routes lives
in L{openspace.web.openapi}; a test keeps the two in step.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

from attrs import Factory, define, field
from klein import Klein
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread
from twisted.python.failure import Failure
from twisted.web.iweb import IRequest
from twisted.web.resource import IResource
from werkzeug.exceptions import MethodNotAllowed, NotFound

from openspace.clock import Clock, utc_now
from openspace.commands import (
    ATTENDEE,
    Actor,
    BlockCell,
    CancelMeetup,
    CancelSession,
    Command,
    DismissReports,
    EditSession,
    EndMeetup,
    HideMeetup,
    HideSession,
    ProposeSession,
    Refused,
    SetGoing,
    StartMeetup,
    SwapSessions,
    UnblockCell,
)
from openspace.idempotency import Reply
from openspace.model import Board
from openspace.official.poller import SourceStatus, status_json
from openspace.official.sources import pending_statuses
from openspace.placement import Placement, suggest
from openspace.reports import report_queue
from openspace.store.interface import BoardStore, Outcome, UndoFrom, UndoLast, Write
from openspace.tokens import FacilitatorKey, digest, new_edit_key
from openspace.undo import ATTENDEE_TRAFFIC, undo_targets
from openspace.views import (
    board_session_json,
    log_entry_json,
    meetup_json,
    placement_json,
    reports_json,
    warning_json,
)
from openspace.web import desk_api
from openspace.web.auth import actor_for, bearer_token, facilitator_only, required_actor
from openspace.web.boardjson import BoardEncoder
from openspace.web.bodies import read_json, take, take_tags, take_time
from openspace.web.errors import ApiError, write_error, write_json
from openspace.web.headers import allow_header
from openspace.web.idempotent import InFlight, Writes, key_of, write_reply
from openspace.web.live import Live
from openspace.web.openapi import OPENAPI
from openspace.webhooks.registry import Webhooks
from openspace.webhooks.storage import Hook

T = TypeVar("T")
R = TypeVar("R")
JSON = dict[str, Any]

UNDO_MAX = 50
LOG_MAX = 200


@define
class JSONAPI:
    """
    The API's routes, bound to one store.
    """

    store: BoardStore
    clock: Clock
    facilitator: FacilitatorKey
    live: Live | None = None
    source_statuses: Callable[[Board], Sequence[SourceStatus]] = pending_statuses
    webhooks: Webhooks | None = None
    # /api/status to anyone; by default only with the facilitator token.
    public_status: bool = False
    # CPU work too big for the reactor thread (a day's placement suggestion) runs here.
    offload: Callable[..., Deferred[Any]] = deferToThread
    _rendered: dict[str, tuple[tuple[object, ...], bytes]] = field(factory=dict)
    _encoder: BoardEncoder = field(
        default=Factory(lambda api: BoardEncoder(api.offload), takes_self=True), init=False
    )
    _in_flight: InFlight = field(factory=InFlight)
    _writes: Writes = field(init=False)

    app: ClassVar[Klein] = Klein()

    def __attrs_post_init__(self) -> None:
        # One node's keys in flight, whatever the write.
        self._writes = Writes(self.store, self.clock, self._in_flight)

    # --- plumbing ---

    @app.handle_errors(ApiError)
    def _api_error(self, request: IRequest, failure: Failure) -> bytes:
        error = failure.value
        assert isinstance(error, ApiError)
        return write_error(request, error)

    @app.handle_errors(Refused)
    def _refused(self, request: IRequest, failure: Failure) -> bytes:
        refusal = failure.value
        assert isinstance(refusal, Refused)
        return write_error(request, ApiError.from_refusal(refusal))

    @app.handle_errors(NotFound)
    def _not_found(self, request: IRequest, failure: Failure) -> bytes:
        return write_error(request, ApiError(404, "not_found", "no such API route"))

    @app.handle_errors(MethodNotAllowed)
    def _bad_method(self, request: IRequest, failure: Failure) -> bytes:
        allow_header(request, failure)
        method = request.method.decode("ascii", "replace")
        return write_error(
            request, ApiError(405, "method_not_allowed", f"{method} is not allowed here")
        )

    async def _board(self, slug: str) -> Board:
        board = await self.store.board(slug)
        if board is None:
            raise ApiError(404, "not_found", f"there is no event {slug!r}")
        return board

    async def _write(
        self,
        request: IRequest,
        slug: str,
        command: Command | UndoLast | UndoFrom,
        actor: Actor,
        respond: Callable[[Outcome], Reply],
    ) -> bytes:
        """
        Carry out C{command} and answer with C{respond(outcome)}; with an
        C{Idempotency-Key}, at most once (see L{openspace.web.idempotent}).
        """
        key = key_of(request)
        await self._board(slug)
        now = utc_now(self.clock)
        if key is None:
            reply = respond(await self.store.execute(slug, command, actor, now))
        else:
            done = await self._in_flight.once(
                request,
                slug,
                key,
                lambda once: self.store.execute_once(slug, command, actor, now, once, respond),
            )
            reply = done.reply
        return write_reply(request, reply)

    def _find_session(self, board: Board, session_id: str) -> JSON:
        session = board.sessions.get(session_id)
        if session is None or session.hidden:
            raise ApiError(404, "not_found", f"there is no session {session_id!r}")
        return board_session_json(board, session)

    # --- reading ---

    @app.route("/openapi.json", methods=["GET"])
    def openapi(self, request: IRequest) -> bytes:
        return write_json(request, 200, OPENAPI)

    @app.route("/status", methods=["GET"])
    def status(self, request: IRequest) -> bytes:
        if not self.public_status:
            facilitator_only(request, self.facilitator)
        request.setHeader(b"cache-control", b"no-store")
        live = self.live.status() if self.live is not None else {"connections": 0, "boards": {}}
        return write_json(request, 200, {"live": live})

    @app.route("/events/<slug>/live", methods=["GET"])
    async def live_updates(self, request: IRequest, slug: str) -> IResource:
        """
        The board's live WebSocket (see L{openspace.web.live}).
        """
        board = await self._board(slug)
        if self.live is None:
            raise ApiError(404, "not_found", "live updates are not served here")
        return self.live.connect(request, board)

    @app.route("/events", methods=["GET"])
    async def events(self, request: IRequest) -> bytes:
        shown = []
        for slug in await self.store.slugs():
            board = await self.store.board(slug)
            if board is not None:
                shown.append({"slug": slug, "name": board.info.name, "seq": board.seq})
        return write_json(request, 200, {"events": shown})

    @app.route("/events/<slug>/board", methods=["GET"])
    async def board(self, request: IRequest, slug: str) -> bytes:
        board = await self._board(slug)
        statuses = self.source_statuses(board)
        etag = board_etag(board, statuses)
        request.setHeader(b"etag", etag)
        request.setHeader(b"cache-control", b"no-cache")
        if _matches(request.getHeader(b"if-none-match"), etag):
            request.setResponseCode(304)
            return b""
        request.setHeader(b"content-type", b"application/json; charset=utf-8")
        # A new official schedule is encoded in a thread, not on the reactor.
        await self._encoder.prepare(board)
        return self._render(board, etag, statuses)

    def _render(self, board: Board, etag: bytes, statuses: Sequence[SourceStatus]) -> bytes:
        """
        The board's JSON, encoded once per ETag and statuses of its schedule sources.
        """
        key = (etag, *statuses)
        cached = self._rendered.get(board.info.slug)
        if cached is not None and cached[0] == key:
            return cached[1]
        sources = {"sources": [status_json(status) for status in statuses]}
        body = self._encoder.encode(board, sources)
        self._rendered[board.info.slug] = (key, body)
        return body

    @app.route("/events/<slug>/sessions/<session_id>", methods=["GET"])
    async def session(self, request: IRequest, slug: str, session_id: str) -> bytes:
        board = await self._board(slug)
        return write_json(request, 200, {"session": self._find_session(board, session_id)})

    @app.route("/events/<slug>/log", methods=["GET"])
    async def log(self, request: IRequest, slug: str) -> bytes:
        facilitator_only(request, self.facilitator)
        board = await self._board(slug)
        limit = _int_arg(request, b"limit", 50, 1, LOG_MAX)
        going = _str_arg(request, b"going") in ("1", "true", "yes")
        skip = () if going else ATTENDEE_TRAFFIC
        entries = await self.store.log_tail(slug, limit, skip=skip)
        undoable = {e.seq for e in undo_targets(entries, len(entries))}
        shown = [log_entry_json(e, board, e.seq in undoable) for e in reversed(entries)]
        return write_json(request, 200, {"entries": shown})

    # --- hosts ---

    @app.route("/events/<slug>/sessions", methods=["POST"])
    async def propose(self, request: IRequest, slug: str) -> bytes:
        body = read_json(request)
        token = bearer_token(request)
        actor = actor_for(token, self.facilitator)
        # A host who already has a key keeps using it, so one key owns all their sessions;
        # the facilitator token is never an edit key (its digest would then be stored).
        key = token if token is not None and not actor.privileged else new_edit_key()
        command = ProposeSession(
            title=take(body, "title", str),
            description=take(body, "description", str, ""),
            host=take(body, "host", str),
            tags=take_tags(body) or [],
            room=take(body, "room", str),
            slot=take(body, "slot", str),
            owner=digest(key),
        )

        def respond(outcome: Outcome) -> Reply:
            session = outcome.board.sessions[outcome.decision.ids[0]]
            body = {
                "session": board_session_json(outcome.board, session),
                "edit_token": key,
                "warnings": [warning_json(w) for w in outcome.decision.warnings],
            }
            return Reply(201, body, secret=("edit_token",))

        return await self._write(request, slug, command, actor, respond)

    @app.route("/events/<slug>/sessions/<session_id>", methods=["PATCH"])
    async def edit(self, request: IRequest, slug: str, session_id: str) -> bytes:
        actor = required_actor(request, self.facilitator)
        body = read_json(request)
        command = EditSession(
            session_id,
            title=take(body, "title", str, None),
            description=take(body, "description", str, None),
            host=take(body, "host", str, None),
            tags=take_tags(body),
            room=take(body, "room", str, None),
            slot=take(body, "slot", str, None),
        )
        return await self._write(
            request, slug, command, actor, lambda o: Reply(200, _session_outcome(o, session_id))
        )

    @app.route("/events/<slug>/sessions/<session_id>", methods=["DELETE"])
    async def cancel(self, request: IRequest, slug: str, session_id: str) -> bytes:
        actor = required_actor(request, self.facilitator)
        return await self._write(request, slug, CancelSession(session_id), actor, _no_content)

    @app.route("/events/<slug>/swaps", methods=["POST"])
    async def swap(self, request: IRequest, slug: str) -> bytes:
        actor = required_actor(request, self.facilitator)
        body = read_json(request)
        first, second = take(body, "first", str), take(body, "second", str)

        def respond(outcome: Outcome) -> Reply:
            board = outcome.board
            sessions = [board_session_json(board, board.sessions[i]) for i in (first, second)]
            warnings = [warning_json(w) for w in outcome.decision.warnings]
            return Reply(200, {"sessions": sessions, "warnings": warnings})

        return await self._write(request, slug, SwapSessions(first, second), actor, respond)

    # --- attendees ---

    @app.route("/events/<slug>/sessions/<session_id>/going", methods=["POST", "DELETE"])
    async def going(self, request: IRequest, slug: str, session_id: str) -> bytes:
        body = read_json(request)
        attendee = take(body, "attendee", str, None) or _str_arg(request, b"attendee")
        if attendee is None:
            raise ApiError(422, "invalid", "attendee is required", "attendee")
        going = request.method == b"POST"

        def respond(outcome: Outcome) -> Reply:
            count = len(outcome.board.sessions[session_id].going)
            return Reply(200, {"session": session_id, "going": count, "attending": going})

        command = SetGoing(session_id, attendee, going)
        return await self._write(request, slug, command, ATTENDEE, respond)

    @app.route("/events/<slug>/meetups", methods=["POST"])
    async def meetup(self, request: IRequest, slug: str) -> bytes:
        body = read_json(request)
        # Like a host's: the starter's key (theirs if they send one) ends or edits it;
        # the facilitator token is never an edit key.
        token = bearer_token(request)
        key = token if token and not self.facilitator.matches(token) else new_edit_key()
        command = StartMeetup(
            title=take(body, "title", str),
            place=take(body, "place", str),
            starts=take_time(body, "starts"),
            minutes=take(body, "minutes", int, None),
            owner=_starter(request, body),
            key_digest=digest(key),
        )

        def respond(outcome: Outcome) -> Reply:
            meetup = outcome.board.meetups[outcome.decision.ids[0]]
            body = {"meetup": meetup_json(meetup, outcome.board.info.zone), "edit_token": key}
            return Reply(201, body, secret=("edit_token",))

        return await self._write(request, slug, command, ATTENDEE, respond)

    @app.route("/events/<slug>/meetups/<meetup_id>", methods=["PATCH"])
    async def edit_meetup(self, request: IRequest, slug: str, meetup_id: str) -> bytes:
        actor = required_actor(request, self.facilitator)
        command = desk_api.edit_meetup(meetup_id, read_json(request))

        def respond(outcome: Outcome) -> Reply:
            meetup = outcome.board.meetups[meetup_id]
            return Reply(200, {"meetup": meetup_json(meetup, outcome.board.info.zone)})

        return await self._write(request, slug, command, actor, respond)

    @app.route("/events/<slug>/meetups/<meetup_id>", methods=["DELETE"])
    async def cancel_meetup(self, request: IRequest, slug: str, meetup_id: str) -> bytes:
        """
        A facilitator takes a meetup off; its starter ends it (see L{EndMeetup}).
        """
        actor = required_actor(request, self.facilitator)
        command: Command = CancelMeetup(meetup_id) if actor.privileged else EndMeetup(meetup_id)
        return await self._write(request, slug, command, actor, _no_content)

    @app.route("/events/<slug>/meetups/<meetup_id>/end", methods=["POST"])
    async def end_meetup(self, request: IRequest, slug: str, meetup_id: str) -> bytes:
        actor = required_actor(request, self.facilitator)

        def respond(outcome: Outcome) -> Reply:
            meetup = outcome.board.meetups.get(meetup_id)
            zone = outcome.board.info.zone
            shown = meetup_json(meetup, zone) if meetup is not None else None
            return Reply(200, {"meetup": shown, "seq": outcome.board.seq})

        return await self._write(request, slug, EndMeetup(meetup_id), actor, respond)

    @app.route("/events/<slug>/reports", methods=["POST"])
    async def report(self, request: IRequest, slug: str) -> bytes:
        """
        An attendee flags a session or meetup; the answer says nothing of others' reports.
        """
        command = desk_api.file_report(read_json(request))
        reply = Reply(202, {"item": command.item, "reported": True})
        return await self._write(request, slug, command, ATTENDEE, lambda outcome: reply)

    # --- facilitators ---

    @app.route("/events/<slug>/meetups/<meetup_id>/hidden", methods=["PUT", "DELETE"])
    async def hide_meetup(self, request: IRequest, slug: str, meetup_id: str) -> bytes:
        actor = facilitator_only(request, self.facilitator)
        hidden = request.method == b"PUT"

        def respond(outcome: Outcome) -> Reply:
            body = {"meetup": meetup_id, "hidden": hidden, "seq": outcome.board.seq}
            return Reply(200, body)

        return await self._write(request, slug, HideMeetup(meetup_id, hidden), actor, respond)

    @app.route("/events/<slug>/reports", methods=["GET"])
    async def reports(self, request: IRequest, slug: str) -> bytes:
        facilitator_only(request, self.facilitator)
        board = await self._board(slug)
        request.setHeader(b"cache-control", b"no-store")
        return write_json(request, 200, reports_json(report_queue(board), board.info.zone))

    @app.route("/events/<slug>/reports/<item>", methods=["DELETE"])
    async def dismiss_reports(self, request: IRequest, slug: str, item: str) -> bytes:
        """
        Dismiss an item's reports; C{?hide=1} hides the item too (one event).
        """
        actor = facilitator_only(request, self.facilitator)
        hide = _str_arg(request, b"hide") in ("1", "true", "yes")

        def respond(outcome: Outcome) -> Reply:
            return Reply(200, {"item": item, "hidden": hide, "seq": outcome.board.seq})

        return await self._write(request, slug, DismissReports(item, hide), actor, respond)

    @app.route("/events/<slug>/moderation", methods=["GET", "PUT"])
    async def moderation(self, request: IRequest, slug: str) -> bytes:
        actor = facilitator_only(request, self.facilitator)
        board = await self._board(slug)
        if request.method != b"PUT":
            return write_json(request, 200, desk_api.moderation_json(board.moderation))
        command = desk_api.set_moderation(read_json(request), board.moderation)

        def respond(outcome: Outcome) -> Reply:
            return Reply(200, desk_api.moderation_json(outcome.board.moderation))

        return await self._write(request, slug, command, actor, respond)

    @app.route("/events/<slug>/blocked", methods=["POST"])
    async def block_many(self, request: IRequest, slug: str) -> bytes:
        actor = facilitator_only(request, self.facilitator)
        command = desk_api.block_many(read_json(request))
        return await self._write(request, slug, command, actor, desk_api.bulk_reply)

    @app.route("/events/<slug>/hidden", methods=["POST"])
    async def hide_many(self, request: IRequest, slug: str) -> bytes:
        actor = facilitator_only(request, self.facilitator)
        command = desk_api.hide_many(read_json(request))
        return await self._write(request, slug, command, actor, desk_api.bulk_reply)

    @app.route("/events/<slug>/placement", methods=["GET"])
    async def placement(self, request: IRequest, slug: str) -> bytes:
        """
        A placement suggestion for C{?slot=…} or C{?day=YYYY-MM-DD}.
        """
        facilitator_only(request, self.facilitator)
        board = await self._board(slug)
        slot, day = _str_arg(request, b"slot"), _str_arg(request, b"day")
        slots = desk_api.placement_slots(board, slot, day)
        suggestion: Placement = await self.offload(suggest, board, utc_now(self.clock), slots)
        request.setHeader(b"cache-control", b"no-store")
        return write_json(request, 200, {"seq": board.seq, **placement_json(board, suggestion)})

    @app.route("/events/<slug>/placement", methods=["POST"])
    async def apply_placement(self, request: IRequest, slug: str) -> bytes:
        actor = facilitator_only(request, self.facilitator)
        command = desk_api.apply_placement(read_json(request))
        return await self._write(request, slug, command, actor, desk_api.bulk_reply)

    @app.route("/events/<slug>/blocked/<room>/<slot>", methods=["PUT", "DELETE"])
    async def block(self, request: IRequest, slug: str, room: str, slot: str) -> bytes:
        actor = facilitator_only(request, self.facilitator)
        blocking = request.method == b"PUT"
        command: Command = BlockCell(room, slot) if blocking else UnblockCell(room, slot)

        def respond(outcome: Outcome) -> Reply:
            body = {"room": room, "slot": slot, "blocked": blocking, "seq": outcome.board.seq}
            return Reply(200, body)

        return await self._write(request, slug, command, actor, respond)

    @app.route("/events/<slug>/sessions/<session_id>/hidden", methods=["PUT", "DELETE"])
    async def hide(self, request: IRequest, slug: str, session_id: str) -> bytes:
        actor = facilitator_only(request, self.facilitator)
        hidden = request.method == b"PUT"

        def respond(outcome: Outcome) -> Reply:
            body = {"session": session_id, "hidden": hidden, "seq": outcome.board.seq}
            return Reply(200, body)

        return await self._write(request, slug, HideSession(session_id, hidden), actor, respond)

    @app.route("/events/<slug>/undo", methods=["POST"])
    async def undo(self, request: IRequest, slug: str) -> bytes:
        actor = facilitator_only(request, self.facilitator)
        command = desk_api.undo_command(read_json(request), UNDO_MAX)

        def respond(outcome: Outcome) -> Reply:
            logged = outcome.logged
            undone = [seq for entry in logged for seq in getattr(entry.change, "seqs", ())]
            return Reply(200, {"undone": undone, "seq": outcome.board.seq})

        return await self._write(request, slug, command, actor, respond)

    # --- webhooks (facilitators; see openspace.webhooks.registry) ---

    async def _webhooks(self, request: IRequest, slug: str) -> Webhooks:
        facilitator_only(request, self.facilitator)
        await self._board(slug)
        if self.webhooks is None:
            raise ApiError(404, "not_found", "webhooks are not served here")
        # Answers hold receivers' URLs, and secrets once.
        request.setHeader(b"cache-control", b"no-store")
        return self.webhooks

    async def _hook_write(
        self,
        request: IRequest,
        slug: str,
        hooks: Webhooks,
        work: Write[R],
        respond: Callable[[R], Reply],
    ) -> bytes:
        """
        Carry out a change of the hooks like a board command: in the board's
        transaction and, with an C{Idempotency-Key}, at most once; the secret in a reply
        is kept only sealed under the key (see L{openspace.idempotency}).
        """

        def write(cursor: Any, board: Board | None) -> tuple[Reply, R]:
            result = work(cursor, board)
            return respond(result), result

        done = await self._writes.run(request, slug, write)
        if done.outcome is not None:
            await hooks.changed()
        return write_reply(request, done.reply)

    @app.route("/events/<slug>/webhooks", methods=["GET", "POST"])
    async def webhooks_of(self, request: IRequest, slug: str) -> bytes:
        hooks = await self._webhooks(request, slug)
        if request.method == b"GET":
            listed = [hooks.to_json(hook) for hook in await hooks.of_board(slug)]
            return write_json(request, 200, {"webhooks": listed})
        work = hooks.registration(slug, take(read_json(request), "url", str))
        return await self._hook_write(request, slug, hooks, work, _shown_with_secret(hooks, 201))

    @app.route("/events/<slug>/webhooks/<hook_id>", methods=["GET", "DELETE"])
    async def webhook(self, request: IRequest, slug: str, hook_id: str) -> bytes:
        hooks = await self._webhooks(request, slug)
        if request.method == b"GET":
            return write_json(
                request, 200, {"webhook": hooks.to_json(await hooks.get(slug, hook_id))}
            )
        return await self._hook_write(
            request, slug, hooks, hooks.removal(slug, hook_id), lambda hook: Reply(204)
        )

    @app.route("/events/<slug>/webhooks/<hook_id>/enabled", methods=["PUT", "DELETE"])
    async def webhook_enabled(self, request: IRequest, slug: str, hook_id: str) -> bytes:
        hooks = await self._webhooks(request, slug)
        work = hooks.enabling(slug, hook_id, request.method == b"PUT")
        return await self._hook_write(
            request, slug, hooks, work, lambda hook: Reply(200, {"webhook": hooks.to_json(hook)})
        )

    @app.route("/events/<slug>/webhooks/<hook_id>/secret", methods=["POST"])
    async def webhook_secret(self, request: IRequest, slug: str, hook_id: str) -> bytes:
        hooks = await self._webhooks(request, slug)
        work = hooks.renewal(slug, hook_id)
        return await self._hook_write(request, slug, hooks, work, _shown_with_secret(hooks, 200))


def _shown_with_secret(hooks: Webhooks, status: int) -> Callable[[tuple[Hook, str]], Reply]:
    def respond(made: tuple[Hook, str]) -> Reply:
        hook, secret = made
        return Reply(status, {"webhook": hooks.to_json(hook, secret)}, secret=("webhook.secret",))

    return respond


def _no_content(outcome: Outcome) -> Reply:
    return Reply(204)


def _starter(request: IRequest, body: Mapping[str, Any]) -> str:
    """
    Who starts a meetup, for its quota: their key, else their attendee id, if given.
    """
    who = bearer_token(request) or take(body, "attendee", str, None)
    return digest(who) if who else ""


def _session_outcome(outcome: Outcome, session_id: str) -> JSON:
    return {
        "session": board_session_json(outcome.board, outcome.board.sessions[session_id]),
        "warnings": [warning_json(w) for w in outcome.decision.warnings],
    }


def board_etag(board: Board, sources: Sequence[SourceStatus] = ()) -> bytes:
    """
    The board's ETag: its creation time (which tells apart two boards with the same
    seq, as when an event is re-created) and seq, and while one of its schedule
    C{sources} is failing, a digest of their statuses, so that clients polling with
    C{If-None-Match} see a source go stale or recover.  The time of the last success
    of a healthy source changes at every poll and is left out on purpose.
    """
    tag = f"{int(board.created.timestamp())}-{board.seq}"
    if any(source.status != "ok" and source.last_error is not None for source in sources):
        shown = json.dumps([status_json(source) for source in sources], sort_keys=True)
        tag += "-" + hashlib.sha256(shown.encode("utf-8")).hexdigest()[:12]
    return f'"{tag}"'.encode("ascii")


def _matches(header: bytes | None, etag: bytes) -> bool:
    if header is None:
        return False
    candidates = [c.strip().removeprefix(b"W/") for c in header.split(b",")]
    return etag in candidates or b"*" in candidates


def _str_arg(request: IRequest, name: bytes) -> str | None:
    values = (request.args or {}).get(name)
    return values[0].decode("utf-8", "replace") if values else None


def _int_arg(request: IRequest, name: bytes, default: int, low: int, high: int) -> int:
    text = _str_arg(request, name)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError as e:
        raise ApiError(422, "invalid", f"{name.decode()} must be a number", name.decode()) from e
    if not low <= value <= high:
        raise ApiError(422, "invalid", f"{name.decode()} must be from {low} to {high}")
    return value

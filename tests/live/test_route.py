"""
The short way in for live upgrades (L{openspace.web.live.LiveRoute}): taken only when the
answer is a plain "yes", everything else goes to the Klein app unchanged.
"""

from __future__ import annotations

from typing import Any

import pytest
from attrs import define, field
from twisted.internet.defer import Deferred, fail, succeed
from twisted.web.resource import Resource
from twisted.web.test.requesthelper import DummyRequest

from openspace.model import Board
from openspace.web.live import LiveRoute
from tests.conftest import NOW
from tests.live.replica import LocalBoard


@define
class Recorder(Resource):  # type: ignore[misc]
    """
    A resource that says who rendered the request.
    """

    name: bytes
    rendered: list[Any] = field(factory=list)

    def __attrs_post_init__(self) -> None:
        Resource.__init__(self)

    def render(self, request: Any) -> bytes:
        self.rendered.append(request)
        return self.name


@define
class Live:
    """
    Stands in for L{openspace.web.live.Live}: hands out a recording resource.
    """

    upgrade: Recorder = field(factory=lambda: Recorder(b"upgraded"))
    boards: list[Board] = field(factory=list)

    def connect(self, request: Any, board: Board) -> Recorder:
        self.boards.append(board)
        return self.upgrade


@define
class Store:
    answer: Deferred[Board | None]
    asked: list[str] = field(factory=list)

    def board(self, slug: str) -> Deferred[Board | None]:
        self.asked.append(slug)
        return self.answer


def the_board() -> Board:
    return LocalBoard(NOW, lambda board, logged: None).create()


def request(path: bytes, method: bytes = b"GET", upgrade: bytes | None = b"websocket") -> Any:
    made = DummyRequest(path.lstrip(b"/").split(b"/"))
    made.method = method
    if upgrade is not None:
        made.requestHeaders.setRawHeaders(b"upgrade", [upgrade])
    return made


def route(answer: Deferred[Board | None]) -> tuple[LiveRoute, Recorder, Live, Store]:
    inner, live, store = Recorder(b"klein"), Live(), Store(answer)
    return LiveRoute(inner, live, store), inner, live, store  # type: ignore[arg-type]


def test_an_upgrade_for_a_board_in_memory_goes_straight_to_the_live_layer() -> None:
    board = the_board()
    shortcut, inner, live, store = route(succeed(board))
    assert shortcut.render(request(b"/api/events/conf/live", upgrade=b"WebSocket")) == b"upgraded"
    assert store.asked == ["conf"]
    assert live.boards == [board]
    assert inner.rendered == []


@pytest.mark.parametrize(
    "made",
    [
        request(b"/api/events/conf/live", upgrade=None),
        request(b"/api/events/conf/live", upgrade=b"h2c"),
        request(b"/api/events/conf/live", method=b"POST"),
        request(b"/api/events/conf/board"),
        request(b"/api/events/conf/live/more"),
        request(b"/e/conf/live"),
        request(b"/api/events/\xff/live"),
    ],
)
def test_anything_but_a_live_upgrade_goes_to_the_klein_app(made: Any) -> None:
    shortcut, inner, live, _ = route(succeed(the_board()))
    assert shortcut.render(made) == b"klein"
    assert inner.rendered == [made]
    assert live.boards == []


@pytest.mark.parametrize(
    "answer",
    [
        # No such board: the Klein route says 404 with its JSON error.
        lambda: succeed(None),
        # The store has to read it: the Klein route waits for it.
        Deferred,
        # The store failed: the Klein route reports it as it does for any request.
        lambda: fail(RuntimeError("database gone")),
    ],
)
def test_a_live_upgrade_without_a_board_in_memory_takes_the_long_way(answer: Any) -> None:
    shortcut, inner, live, store = route(answer())
    made = request(b"/api/events/conf/live")
    assert shortcut.render(made) == b"klein"
    assert store.asked == ["conf"]
    assert inner.rendered == [made]
    assert live.boards == []

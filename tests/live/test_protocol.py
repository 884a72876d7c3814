"""
The live endpoint over real sockets: opening frames, resume, origins, client messages,
status, and what a client that is not a WebSocket gets.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
import pytest_twisted

from openspace.web.live import LiveFactory, LiveOptions, allowed_origins, normalize_origin
from tests.live.replica import view_of
from tests.live.wsclient import LiveClient
from tests.support import FACILITATOR_TOKEN, SLUG, Client, RunningServer, start_server


async def board_view(client: Client) -> dict[str, object]:
    return view_of((await client.get(f"/api/events/{SLUG}/board")).json)


async def watching(server: RunningServer) -> LiveClient:
    """
    A live client that has its first snapshot of the test board.
    """
    live = LiveClient(server.url, SLUG)
    await live.connect()
    await live.at_seq(1)
    return live


@pytest_twisted.ensureDeferred
async def test_a_new_client_gets_a_snapshot_then_each_change(
    server: RunningServer, client: Client
) -> None:
    live = await watching(server)
    assert live.frames[0]["type"] == "snapshot"
    assert live.frames[0]["version"]
    proposed = (await client.propose(title="Live!")).json["session"]
    await live.at_seq(2)
    event = live.frames[-1]["events"][0]
    assert event["type"] == "session_proposed"
    assert event["put"]["sessions"] == [proposed]
    assert live.replica.state == await board_view(client)
    assert live.errors == []
    await live.close()


@pytest_twisted.ensureDeferred
async def test_a_returning_client_gets_exactly_what_it_missed(
    server: RunningServer, client: Client
) -> None:
    live = await watching(server)
    await live.close()
    await client.propose(hour=12)
    await client.propose(hour=13)
    await live.connect()
    await live.at_seq(3)
    assert [f["type"] for f in live.frames] == ["snapshot", "resumed", "events", "events"]
    assert live.replica.seqs == [2, 3]
    assert live.replica.state == await board_view(client)
    await live.close()


@pytest.mark.parametrize("query", ["?since=99&epoch={epoch}", "?since=0&epoch=1", "?since=x"])
@pytest_twisted.ensureDeferred
async def test_a_client_ahead_or_of_another_board_or_confused_gets_a_snapshot(
    server: RunningServer, query: str
) -> None:
    first = await watching(server)
    live = LiveClient(server.url, SLUG)
    url = first.url(resume=False) + query.format(epoch=first.replica.epoch)
    await live.connect(url=url)
    await live.until(lambda: bool(live.frames))
    assert [f["type"] for f in live.frames] == ["snapshot"]
    await live.close()
    await first.close()


@pytest_twisted.ensureDeferred
async def test_the_servers_own_origin_is_allowed_and_a_foreign_one_refused(
    server: RunningServer,
) -> None:
    own = LiveClient(server.url, SLUG, origin=server.url)
    await own.connect()
    await own.close()
    for origin in ("http://evil.example:80", "null", server.url.replace("127.0.0.1", "10.0.0.1")):
        foreign = LiveClient(server.url, SLUG, origin=origin)
        # RFC 6455 4.2.2: a server that will not accept the connection answers 403.
        with pytest.raises(ConnectionRefusedError, match=r"\[403\]: Forbidden"):
            await foreign.connect()
        assert foreign.frames == []


@pytest_twisted.ensureDeferred
async def test_client_messages_get_answers_and_errors_without_a_disconnect(
    server: RunningServer, client: Client
) -> None:
    live = LiveClient(server.url, SLUG)
    bystander = LiveClient(server.url, SLUG)
    await live.connect()
    await bystander.connect()
    for payload, binary in (
        # live.js's bytes (answered without parsing), then any other spelling.
        (b'{"type":"ping"}', False),
        (b'{"type":"ping"}', True),
        (b'{"type": "ping"}', False),
        (b"{not json", False),
        (b'{"type": "subscribe", "board": "other"}', False),
        (b"[1, 2]", False),
        (b"\x00\x01", True),
    ):
        live.send(payload, binary)
    await live.until(lambda: len(live.frames) == 8)
    answers = [(f["type"], f.get("code")) for f in live.frames[1:]]
    assert answers == [
        ("pong", None),
        ("error", "binary"),
        ("pong", None),
        ("error", "bad_json"),
        ("error", "unknown_message"),
        ("error", "unknown_message"),
        ("error", "binary"),
    ]
    await client.propose()
    await live.at_seq(2)
    await bystander.at_seq(2)
    await live.close()
    await bystander.close()


@pytest_twisted.ensureDeferred
async def test_an_oversized_client_message_closes_only_that_connection(
    server: RunningServer, client: Client
) -> None:
    big, bystander = LiveClient(server.url, SLUG), LiveClient(server.url, SLUG)
    await big.connect()
    await bystander.connect()
    big.send(json.dumps({"type": "ping", "pad": "x" * 10_000}).encode())
    await big.wait_closed()
    assert big.close_code == 1009
    await client.propose()
    await bystander.at_seq(2)
    await bystander.close()


@pytest_twisted.ensureDeferred
async def test_connecting_leaves_autobahn_as_it_was(server: RunningServer) -> None:
    """
    Accepting skips Autobahn's pformat of its options only while it runs; with debug
    logging on, Autobahn's own connection set-up runs untouched.
    """
    import pprint

    import autobahn.websocket.protocol
    import txaio

    for level in ("info", "debug"):
        before = txaio.get_global_log_level()
        txaio.set_global_log_level(level)
        try:
            live = await watching(server)
        finally:
            txaio.set_global_log_level(before)
        assert autobahn.websocket.protocol.pformat is pprint.pformat
        assert live.frames[0]["type"] == "snapshot"
        await live.close()


@pytest_twisted.ensureDeferred
async def test_plain_http_on_the_live_route_is_told_to_upgrade(client: Client) -> None:
    reply = await client.get(f"/api/events/{SLUG}/live")
    assert reply.status == 426
    assert reply.json["error"]["code"] == "upgrade_required"
    missing = await client.get("/api/events/nope/live", headers={"Upgrade": "websocket"})
    assert missing.status == 404


@pytest_twisted.ensureDeferred
async def test_status_counts_connections_per_board(server: RunningServer, client: Client) -> None:
    idle = (await client.get("/api/status", token=FACILITATOR_TOKEN)).json
    assert idle == {"live": {"connections": 0, "boards": {SLUG: {"subscribers": 0, "seq": 1}}}}
    clients = [await watching(server) for _ in range(3)]
    status = await client.get("/api/status", token=FACILITATOR_TOKEN)
    assert status.headers["cache-control"] == "no-store"
    assert status.json == {
        "live": {"connections": 3, "boards": {SLUG: {"subscribers": 3, "seq": 1}}}
    }
    for live in clients:
        await live.close()
    final = await client.get("/api/status", token=FACILITATOR_TOKEN)
    assert final.json["live"]["connections"] == 0


@pytest_twisted.ensureDeferred
async def test_stopping_the_server_says_going_away(tmp_path: Path, now: datetime) -> None:
    running = await start_server(tmp_path / "stop.sqlite3", now)
    live = LiveClient(running.url, SLUG)
    await live.connect()
    await live.at_seq(1)
    await running.stop()
    await live.wait_closed()
    assert live.close_code == 1001


def test_the_factory_pings_and_limits_client_frames() -> None:
    from twisted.internet import task

    factory = LiveFactory(LiveOptions(), task.Clock(), task.Clock())
    assert (factory.autoPingInterval, factory.autoPingTimeout) == (20.0, 10.0)
    assert factory.maxMessagePayloadSize == factory.maxFramePayloadSize == 4096
    assert factory.perMessageCompressionAccept([object()]) is None
    assert factory.allowNullOrigin is False


def test_origins_carry_explicit_ports() -> None:
    assert normalize_origin("https://Board.example.org") == "https://board.example.org:443"
    assert normalize_origin("http://[::1]:8080/") == "http://::1:8080"
    for bad in ("board.example.org", "ftp://x.org", "https://x.org/path"):
        with pytest.raises(ValueError, match="origin"):
            normalize_origin(bad)
    assert allowed_origins(["https://b.example"], ["http://127.0.0.1:8080/"]) == [
        "https://b.example:443",
        "http://127.0.0.1:8080",
        "http://localhost:8080",
        "http://::1:8080",
    ]
    assert allowed_origins([], ["http://10.1.2.3:80/"]) == ["http://10.1.2.3:80"]


def test_origins_come_from_the_command_line() -> None:
    from openspace.cli import _parser
    from openspace.twist import Options

    args = _parser().parse_args(["serve", "--origin", "https://b.example", "--origin", "null"])
    assert args.origin == ["https://b.example:443", "null"]
    with pytest.raises(SystemExit):
        _parser().parse_args(["serve", "--origin", "b.example"])
    options = Options()
    options.parseOptions(["--origin", "http://b.example:8080"])
    assert options["origin"] == ["http://b.example:8080"]


@pytest_twisted.ensureDeferred
async def test_a_restarted_server_resumes_clients_of_the_old_one(
    tmp_path: Path, now: datetime
) -> None:
    db = tmp_path / "restart.sqlite3"
    first = await start_server(db, now)
    live = await watching(first)
    await live.close()
    async with Client.open(first.url) as client:
        await client.propose(hour=12)
        await client.propose(hour=13)
    await first.stop()
    second = await start_server(db, now)
    try:
        live.base = second.url
        await live.connect()
        await live.at_seq(3)
        assert [f["type"] for f in live.frames] == ["snapshot", "resumed", "events", "events"]
        await live.close()
    finally:
        await second.stop()


def test_frames_go_through_the_transport_when_it_is_not_plain_tcp() -> None:
    from autobahn.websocket.protocol import WebSocketProtocol
    from twisted.internet import task
    from twisted.internet.testing import StringTransport

    factory = LiveFactory(LiveOptions(), task.Clock(), task.Clock())
    protocol = factory.buildProtocol(None)
    protocol.transport = StringTransport()
    message = factory.prepareMessage(b'{"type":"events","events":[]}')
    protocol.state = WebSocketProtocol.STATE_CONNECTING
    protocol.send_frame(message)
    assert protocol.transport.value() == b""
    protocol.state = WebSocketProtocol.STATE_OPEN
    protocol.send_frame(message)
    assert protocol.transport.value() == message.payloadHybi
    # Autobahn's own writes (the handshake's answer, pongs, closes) take the same way.
    protocol.transport.clear()
    protocol.send_queue = []
    protocol.sendData(b"HTTP/1.1 101 Switching Protocols\r\n\r\n")
    assert protocol.transport.value() == b"HTTP/1.1 101 Switching Protocols\r\n\r\n"

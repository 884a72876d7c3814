"""
GET /metrics on a real server: the Prometheus text format, behind the facilitator token
on the main port or open on a listener of its own, with what the server did in it
(webhook deliveries to a real receiver included).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest_twisted
from prometheus_client.parser import text_string_to_metric_families

from openspace.commands import SYSTEM, SetLayout
from openspace.metrics import Metrics
from openspace.service import OpenspaceService, ServerConfig
from tests.live.wsclient import LiveClient
from tests.support import FACILITATOR_TOKEN, SLUG, Client, RunningServer, conference_layout
from tests.webhooks.receiver import Answer, receiving
from tests.webhooks.rig import Attempts


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


@pytest_twisted.ensureDeferred
async def test_metrics_need_the_facilitator_token_on_the_main_port(client: Client) -> None:
    assert (await client.get("/metrics")).status == 401
    assert (await client.get("/metrics", token="not-the-facilitator-token")).status == 403
    reply = await client.get("/metrics", token=FACILITATOR_TOKEN)
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("text/plain; version=0.0.4")


@pytest_twisted.ensureDeferred
async def test_what_the_server_did_shows_in_the_metrics(
    client: Client, server: RunningServer
) -> None:
    live = LiveClient(server.url, SLUG)
    await live.connect()
    try:
        await live.at_seq(1)
        assert (await client.propose()).status == 201
        await live.at_seq(2)
        assert (await client.get(f"/api/events/{SLUG}/board")).status == 200
        assert (await client.get("/no/such/page")).status == 404
        scraped = samples((await client.get("/metrics", token=FACILITATOR_TOKEN)).body.decode())
    finally:
        await live.close()
    requests = "openspace_http_requests_total"
    assert scraped[(requests, (("method", "GET"), ("route", "api:board"), ("status", "200")))]
    assert scraped[(requests, (("method", "POST"), ("route", "api:sessions"), ("status", "201")))]
    assert scraped[(requests, (("method", "GET"), ("route", "other"), ("status", "404")))]
    assert scraped[("openspace_http_request_duration_seconds_count", (("route", "api:board"),))]
    # The layout the test server starts with, and the proposal.
    assert scraped[("openspace_commands_total", (("outcome", "committed"),))] == 2
    assert scraped[("openspace_command_duration_seconds_count", ())] == 2
    assert scraped[("openspace_live_connections", ())] == 1
    assert scraped[("openspace_live_subscribers", (("board", SLUG),))] == 1
    assert scraped[("openspace_live_frames_sent_total", ())] == 1
    assert scraped[("openspace_live_fanout_duration_seconds_count", ())] == 1
    assert scraped[("openspace_http_connections", ())] >= 1
    assert ("openspace_live_slow_consumer_closes_total", ()) in scraped


@pytest_twisted.ensureDeferred
async def test_a_metrics_listener_of_its_own_needs_no_token(tmp_path: Path, now: datetime) -> None:
    from twisted.internet import reactor

    config = ServerConfig(
        db=str(tmp_path / "metrics.sqlite3"),
        listen=("tcp:0:interface=127.0.0.1",),
        environ={"OPENSPACE_FACILITATOR_TOKEN": FACILITATOR_TOKEN},
        metrics_listen=("tcp:0:interface=127.0.0.1",),
    )
    service = OpenspaceService(config, reactor)
    service.startService()
    await service.ready
    try:
        assert service.store is not None
        await service.store.execute(SLUG, SetLayout(conference_layout()), SYSTEM, now)
        port = service.metrics_ports[0].getHost().port  # type: ignore[attr-defined]
        async with Client.open(f"http://127.0.0.1:{port}") as client:
            reply = await client.get("/metrics")
            assert reply.status == 200
            assert "openspace_commands_total" in reply.body.decode()
            assert (await client.get(f"/api/events/{SLUG}/board")).status == 404
    finally:
        await service.stopService()


def test_each_server_counts_in_a_registry_of_its_own() -> None:
    one, two = Metrics(), Metrics()
    one.limited("going")
    one.webhook_attempt(True, 0.2)
    first, second = samples(one.scrape().decode()), samples(two.scrape().decode())
    assert first[("openspace_rate_limited_total", (("limit", "going"),))] == 1
    assert first[("openspace_webhook_deliveries_total", (("outcome", "delivered"),))] == 1
    assert first[("openspace_webhook_delivery_duration_seconds_sum", ())] == 0.2
    assert ("openspace_rate_limited_total", (("limit", "going"),)) not in second
    assert ("openspace_webhook_deliveries_total", (("outcome", "delivered"),)) not in second
    assert second[("openspace_webhook_delivery_duration_seconds_count", ())] == 0


@pytest_twisted.ensureDeferred
async def test_webhook_deliveries_to_a_real_receiver_show_in_the_metrics(
    client: Client, server: RunningServer
) -> None:
    assert server.service.webhooks is not None
    attempts = Attempts()
    server.service.webhooks.add_observer(attempts)
    async with receiving() as receiver:
        receiver.script.then(Answer(503))
        hook = f"/api/events/{SLUG}/webhooks"
        assert (
            await client.post(hook, {"url": receiver.url}, token=FACILITATOR_TOKEN)
        ).status == 201
        failed = attempts.next(lambda attempt: not attempt.delivered)
        delivered = attempts.next(lambda attempt: attempt.delivered)
        assert (await client.propose()).status == 201
        retry_in = (await failed).retry_in
        assert retry_in is not None
        server.clock.advance(retry_in)
        await delivered
        assert len(receiver.script.received) == 2
    scraped = samples((await client.get("/metrics", token=FACILITATOR_TOKEN)).body.decode())
    deliveries = "openspace_webhook_deliveries_total"
    assert scraped[(deliveries, (("outcome", "failed"),))] == 1
    assert scraped[(deliveries, (("outcome", "delivered"),))] == 1
    assert scraped[("openspace_webhook_delivery_duration_seconds_count", ())] == 2

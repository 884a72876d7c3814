"""
The offline layer's routes: the event's web app manifest, the service worker script at
the site's root, and the policy that lets browsers use them.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest_twisted

from openspace.web.assets import Assets, static_folder
from openspace.web.offline import Offline
from tests.support import SLUG, Client, RunningServer


@pytest_twisted.ensureDeferred
async def test_the_manifest_installs_the_event(client: Client) -> None:
    page = (await client.get(f"/e/{SLUG}/")).body.decode()
    (href,) = re.findall(r'<link rel="manifest" href="([^"]+)"', page)
    reply = await client.get(href)
    assert reply.status == 200
    assert reply.headers["content-type"] == "application/manifest+json"
    manifest = reply.json
    assert manifest["name"] == "Test Conference"
    assert (manifest["start_url"], manifest["scope"]) == (f"/e/{SLUG}/", f"/e/{SLUG}/")
    assert manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    types = {icon["type"] for icon in manifest["icons"]}
    assert types == {"image/svg+xml", "image/png"}
    for icon in manifest["icons"]:
        assert (await client.get(icon["src"])).status == 200
    assert (await client.get("/e/nope/manifest.webmanifest")).status == 404


@pytest_twisted.ensureDeferred
async def test_the_worker_is_served_from_the_root_never_stale(client: Client) -> None:
    reply = await client.get("/sw.js")
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("text/javascript")
    assert reply.headers["cache-control"] == "no-cache"
    config = json.loads(re.match(rb"self\.OS=(\{.*?\});\n", reply.body).group(1))  # type: ignore[union-attr]
    for url in config["assets"].values():
        assert (await client.get(url)).status == 200
    # Outbox and worker in one script, without their comments.
    assert b"openspaceOutbox" in reply.body and b"\n//" not in reply.body


@pytest_twisted.ensureDeferred
async def test_the_policy_allows_the_manifest_and_the_worker(client: Client) -> None:
    policy = (await client.get(f"/e/{SLUG}/")).headers["content-security-policy"]
    assert "manifest-src 'self'" in policy and "worker-src 'self'" in policy


def test_a_changed_asset_changes_the_worker(tmp_path: Path, server: RunningServer) -> None:
    folder = tmp_path / "static"
    shutil.copytree(static_folder(), folder)
    store = server.service.store
    assert store is not None
    before = Offline(store, Assets.load(folder))
    (folder / "site.css").write_text("body{color:red}", encoding="utf-8")
    after = Offline(store, Assets.load(folder))
    assert before._worker != after._worker


@pytest_twisted.ensureDeferred
async def test_pages_with_an_edit_key_and_the_desk_do_not_register_the_worker(
    client: Client,
) -> None:
    proposed = (await client.propose()).json
    session = proposed["session"]["id"]
    for path in (f"/e/{SLUG}/s/{session}/edit?key={proposed['edit_token']}", f"/e/{SLUG}/desk"):
        reply = await client.get(path)
        assert reply.status == 200, path
        assert b"offline." not in reply.body and b"manifest" not in reply.body

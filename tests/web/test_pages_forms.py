"""
Forms that help, over plain HTTP (no JavaScript): every error at once in the words of
the labels, typed text kept, an error summary first with links to the fields; the page
after proposing is a GET that shows the edit link once; cancelling takes a second step;
a cancelled session answers 410; the meetup form's default spot and "later"; the favicon.
"""

from __future__ import annotations

import html
import re

import pytest_twisted

from tests.support import SLUG, Client, RunningServer, slot_id, utc
from tests.web.browsing import Browser
from tests.web.test_pages_desk import DESK, signed_in
from tests.web.test_pages_host import EDIT_LINK, board_sessions, proposal, propose

# Internal names the API uses for fields; none may reach a person.
INTERNAL = re.compile(
    r"\b(place|host|cell|spot|minutes|starts|title) (must|is)\b|must not be empty"
)


def labels(page: str) -> dict[str, str]:
    """
    Each control's label (or its fieldset's legend) by the control's id.
    """
    found = {m[1]: html.unescape(m[2]) for m in re.finditer(r'<label for="([^"]+)">([^<]+)<', page)}
    for fieldset in re.finditer(r'<fieldset id="([^"]+)"[^>]*><legend>([^<]+)<', page):
        found[fieldset[1]] = html.unescape(fieldset[2])
    return found


def field_errors(page: str) -> dict[str, str]:
    return {
        m[1]: html.unescape(m[2])
        for m in re.finditer(r'<p class="error" id="([^"]+)-error">([^<]+)</p>', page)
    }


def summary_links(page: str) -> list[tuple[str, str]]:
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert summary is not None, "no error summary"
    return [
        (m[1], html.unescape(m[2])) for m in re.finditer(r'<a href="#([^"]+)">([^<]+)', summary[0])
    ]


def words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 2}


def assert_helpful(page: str, expected: list[str]) -> None:
    """
    The errors of C{expected} fields, all at once: each next to its field, in words its
    label uses, listed first in a summary (in the fields' order) that takes the focus.
    """
    errors = field_errors(page)
    assert list(errors) == expected, errors
    names = labels(page)
    for name, message in errors.items():
        assert words(message) & words(names[name]), (name, names[name], message)
        assert not INTERNAL.search(message), message
    assert summary_links(page) == [(name, errors[name]) for name in expected]
    assert page.index('class="error-summary"') < page.index('class="field')
    assert re.search(r'<div class="error-summary"[^>]*autofocus', page)
    assert "<title>Error: " in page


@pytest_twisted.ensureDeferred
async def test_propose_reports_every_error_at_once_and_keeps_the_text(client: Client) -> None:
    browser = Browser(client)
    await browser.get(f"/e/{SLUG}/propose")
    fields = {
        "title": "  ",
        "description": "Keep <me>",
        "host": "",
        "tags": "fine, " + "x" * 31,
        "cell": "",
    }
    reply = await browser.post(f"/e/{SLUG}/propose", fields)
    assert reply.status == 422
    page = browser.text()
    assert_helpful(page, ["title", "host", "tags", "cell"])
    assert "Keep &lt;me&gt;</textarea>" in page
    assert f'value="fine, {"x" * 31}"' in page
    assert (await board_sessions(client)) == {}


@pytest_twisted.ensureDeferred
async def test_a_taken_cell_is_reported_with_the_other_errors(client: Client) -> None:
    await client.propose(room="r2", hour=13, title="Quicker")
    browser = Browser(client)
    await browser.get(f"/e/{SLUG}/propose")
    reply = await browser.post(f"/e/{SLUG}/propose", {**proposal("", 13, "r2"), "host": "Ann Host"})
    assert reply.status == 422
    errors = field_errors(browser.text())
    assert list(errors) == ["title", "cell"]
    assert errors["cell"] == "Room Two is already taken at that time by “Quicker” (Ann Host)."


@pytest_twisted.ensureDeferred
async def test_edit_reports_every_error_at_once(server: RunningServer, client: Client) -> None:
    phone = Browser(client)
    session_id, _ = await propose(phone)
    await phone.get(f"/e/{SLUG}/s/{session_id}/edit")
    server.set_now(utc(13, 5))  # 12:00 is over: a move there is refused with the rest
    fields = {**proposal("x" * 121), "host": "", "cell": f"r2/{slot_id(12)}"}
    reply = await phone.post(f"/e/{SLUG}/s/{session_id}/edit", fields)
    assert reply.status == 422
    assert_helpful(phone.text(), ["title", "host", "cell"])
    assert f'value="{"x" * 121}"' in phone.text()
    assert (await board_sessions(client))[session_id]["title"] == "Packaging Q&A"


@pytest_twisted.ensureDeferred
async def test_meetup_errors_use_the_labels_words(client: Client) -> None:
    browser = Browser(client)
    await browser.get(f"/e/{SLUG}/meetup")
    fields = {"title": "", "spot": "", "place": "", "when": "at", "at": "25:99", "minutes": "7"}
    reply = await browser.post(f"/e/{SLUG}/meetup", fields)
    assert reply.status == 422
    page = browser.text()
    assert_helpful(page, ["title", "place", "at", "minutes"])
    assert "Say where “somewhere else” is" in field_errors(page)["place"]
    assert 'value="25:99"' in page and re.search(r'value="at" checked', page)


@pytest_twisted.ensureDeferred
async def test_desk_sign_in_says_what_is_wrong(client: Client) -> None:
    browser = Browser(client)
    await browser.get(DESK)
    assert (await browser.post(f"{DESK}/signin", {"token": ""})).status == 403
    assert_helpful(browser.text(), ["token"])
    assert field_errors(browser.text())["token"] == "Enter the facilitator token."
    await browser.post(f"{DESK}/signin", {"token": "wrong"})
    assert field_errors(browser.text())["token"] == "That is not the facilitator token."


@pytest_twisted.ensureDeferred
async def test_after_proposing_a_reload_shows_the_session_never_a_second_proposal(
    client: Client,
) -> None:
    phone = Browser(client)
    await phone.get(f"/e/{SLUG}/propose")
    form = proposal()
    reply = await phone.post(f"/e/{SLUG}/propose", form)
    assert reply.status == 303
    after = reply.headers["location"]
    first = await phone.get(after)
    assert first.status == 200 and first.headers["cache-control"] == "no-store"
    link = EDIT_LINK.search(phone.text())
    assert link is not None and "key=" in link[1]
    assert "Copy the link" in phone.text()

    reload = await phone.get(after)
    assert reload.status == 200 and reload.headers["cache-control"] == "no-store"
    assert "Your session is on the board" in phone.text()
    assert "key=" not in phone.text()
    session_id = after.split("/")[-2]
    assert f'href="/e/{SLUG}/s/{session_id}/edit"' in phone.text()
    assert len(await board_sessions(client)) == 1

    # The same form sent again (back, then "resend"): the same session, not "taken by".
    await phone.get(f"/e/{SLUG}/propose")
    again = await phone.post(f"/e/{SLUG}/propose", form)
    assert again.status == 303 and again.headers["location"] == after
    assert len(await board_sessions(client)) == 1

    # Anyone else opening that address sees the session page.
    other = await Browser(client).get(after)
    assert other.status == 303 and other.headers["location"] == f"/e/{SLUG}/s/{session_id}"


@pytest_twisted.ensureDeferred
async def test_cancelling_takes_a_second_step(client: Client) -> None:
    phone = Browser(client)
    session_id, _ = await propose(phone)
    base = f"/e/{SLUG}/s/{session_id}"
    edit = (await phone.get(f"{base}/edit")).body.decode()
    assert re.search(rf'<form method="get" action="{base}/cancel"', edit)
    # One press without confirming asks; nothing is cancelled.
    reply = await phone.post(f"{base}/cancel", {})
    assert reply.status == 200 and "Yes, cancel it" in phone.text()
    assert session_id in await board_sessions(client)
    # The no-JavaScript second step: a page that asks, with one button that does it.
    page = await phone.get(f"{base}/cancel")
    assert page.status == 200
    assert re.search(r'name="confirm" value="yes"', phone.text())
    assert f'href="{base}/edit"' in phone.text()  # "No, keep it"
    stranger = Browser(client)
    assert (await stranger.get(f"{base}/cancel")).status == 403
    assert (await phone.post(f"{base}/cancel", {"confirm": "yes"})).status == 303
    assert session_id not in await board_sessions(client)


@pytest_twisted.ensureDeferred
async def test_a_cancelled_session_answers_410_with_what_replaced_it(client: Client) -> None:
    phone = Browser(client)
    session_id, _ = await propose(phone, title="Gone soon", cell=f"r2/{slot_id(13)}")
    await propose(phone, title="Stays")
    await phone.get(f"/e/{SLUG}/s/{session_id}/cancel")
    await phone.post(f"/e/{SLUG}/s/{session_id}/cancel", {"confirm": "yes"})
    reader = Browser(client)
    reply = await reader.get(f"/e/{SLUG}/s/{session_id}")
    assert reply.status == 410
    page = reader.text()
    assert "This session was cancelled" in page and "“Gone soon”" in page
    assert f'href="/e/{SLUG}/propose?room=r2&amp;slot={slot_id(13)}"' in page

    taken = (await client.propose(room="r2", hour=13, title="The new one")).json["session"]
    reply = await reader.get(f"/e/{SLUG}/s/{session_id}")
    assert reply.status == 410
    assert f'In its place: <a href="/e/{SLUG}/s/{taken["id"]}">The new one</a>' in reader.text()
    assert (await reader.get(f"/e/{SLUG}/s/s999")).status == 404


@pytest_twisted.ensureDeferred
async def test_undone_cancel_and_hidden_sessions(client: Client) -> None:
    made = (await client.propose(room="r1", hour=14, title="Back again")).json["session"]
    desk = await signed_in(client)
    await desk.get(DESK)
    await desk.post(f"{DESK}/sessions", {"cancel": made["id"]})
    assert (await Browser(client).get(f"/e/{SLUG}/s/{made['id']}")).status == 410
    page = (await desk.get(DESK)).body.decode()
    seq = re.findall(r'name="upto" value="(\d+)"', page)
    await desk.post(f"{DESK}/undo", {"upto": seq[0]})
    assert (await Browser(client).get(f"/e/{SLUG}/s/{made['id']}")).status == 200
    await desk.get(DESK)
    await desk.post(f"{DESK}/sessions", {"hide": made["id"]})
    reader = Browser(client)
    assert (await reader.get(f"/e/{SLUG}/s/{made['id']}")).status == 404
    assert "This session is no longer listed" in reader.text()


@pytest_twisted.ensureDeferred
async def test_meetup_starts_at_the_first_hallway_spot_by_default(client: Client) -> None:
    browser = Browser(client)
    page = (await browser.get(f"/e/{SLUG}/meetup")).body.decode()
    assert '<option value="cafe" selected="">Café</option>' in page
    assert re.search(r'value="now" checked', page)
    # What the form sends when only the title is typed.
    defaults = {"title": "Coffee chat", "spot": "cafe", "place": "", "when": "now", "at": ""}
    reply = await browser.post(f"/e/{SLUG}/meetup", {**defaults, "minutes": "30"})
    assert reply.status == 303
    meetups = (await client.get(f"/api/events/{SLUG}/board")).json["meetups"]
    assert [(m["title"], m["place"]) for m in meetups] == [("Coffee chat", "Café")]


@pytest_twisted.ensureDeferred
async def test_meetups_can_be_planned_for_later_today(
    server: RunningServer, client: Client
) -> None:
    browser = Browser(client)
    await browser.get(f"/e/{SLUG}/meetup")
    base = {"spot": "cafe", "place": "", "minutes": "30", "at": ""}
    reply = await browser.post(f"/e/{SLUG}/meetup", {**base, "title": "Soon", "when": "later"})
    assert reply.status == 303
    assert re.fullmatch(rf"/e/{SLUG}/meetup\?planned=m\d+", reply.headers["location"])
    page = (await browser.get(reply.headers["location"])).body.decode()
    assert "“Soon” is planned" in page and "Café, 12:00–12:30" in page
    await browser.post(f"/e/{SLUG}/meetup", {**base, "title": "Tea", "when": "at", "at": "15:45"})
    meetups = {
        m["title"]: m for m in (await client.get(f"/api/events/{SLUG}/board")).json["meetups"]
    }
    # Now is 11:30 in Berlin (09:30 UTC).
    assert meetups["Soon"]["starts"].startswith("2030-05-15T12:00:00")
    assert meetups["Tea"]["starts"].startswith("2030-05-15T15:45:00")
    # Not running yet: on the board, hidden until the browser's clock reaches it.
    board = (await browser.get(f"/e/{SLUG}/")).body.decode()
    soon = re.search(r"<li ([^>]*)><strong>Soon</strong>", board)
    assert soon is not None and 'hidden=""' in soon.group(1)
    server.set_now(utc(12, 5))
    board = (await browser.get(f"/e/{SLUG}/")).body.decode()
    soon = re.search(r"<li ([^>]*)><strong>Soon</strong>", board)
    assert soon is not None and 'hidden=""' not in soon.group(1)

    await browser.get(f"/e/{SLUG}/meetup")
    reply = await browser.post(
        f"/e/{SLUG}/meetup", {**base, "title": "Late", "when": "at", "at": "09:00"}
    )
    assert reply.status == 422
    assert "That time today has passed" in field_errors(browser.text())["at"]
    reply = await browser.post(
        f"/e/{SLUG}/meetup", {**base, "title": "Late", "when": "now", "at": "16:00"}
    )
    assert reply.status == 422 and "You typed a time" in field_errors(browser.text())["at"]


@pytest_twisted.ensureDeferred
async def test_favicon_and_skip_link_on_every_page(client: Client) -> None:
    browser = Browser(client)
    session_id, _ = await propose(browser)
    for path in (
        "/",
        f"/e/{SLUG}/",
        f"/e/{SLUG}/s/{session_id}",
        f"/e/{SLUG}/propose",
        f"/e/{SLUG}/meetup",
        f"/e/{SLUG}/s/{session_id}/edit",
        DESK,
    ):
        page = (await browser.get(path)).body.decode()
        icons = re.findall(
            r'<link rel="icon" href="(/static/favicon\.[0-9a-f]{10}\.(?:svg|ico))"', page
        )
        assert len(icons) == 2, path
        skip = re.search(r'<a class="skip-link" href="#([^"]+)"', page)
        assert skip is not None and f'id="{skip[1]}"' in page, path
    for icon in icons:
        reply = await browser.get(icon)
        assert reply.status == 200 and "max-age=31536000" in reply.headers["cache-control"]
    ico = await browser.get("/favicon.ico")
    assert ico.status == 200 and ico.headers["content-type"] == "image/vnd.microsoft.icon"
    assert (
        ico.body[:4] == b"\x00\x00\x01\x00" and "max-age=31536000" in ico.headers["cache-control"]
    )
    assert "content-security-policy" in ico.headers

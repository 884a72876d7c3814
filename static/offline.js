// openspace offline: the page side of the offline phone (README "Offline phones").
//  - Registers the service worker (/sw.js) that keeps the board readable offline.
//  - An unmistakable "Offline — as of 10:42" banner while the page shows a kept copy
//    (data-offline-at, set by the worker) or the live badge says offline; sessions whose
//    slot is over by this phone's clock are marked "Over".
//  - openspace.send(url, init): fetch with an Idempotency-Key; when the network fails
//    the write goes to the outbox (outbox.js) and a 202 stands in for the answer.
//  - The outbox of this event, shown at the top of the page: "waiting to send", the
//    private edit link once a proposal went through, or the refusal with what was
//    typed kept and the free rooms of that slot to pick instead.
(function () {
  "use strict";
  var os = (window.openspace = window.openspace || {});
  var outbox = window.openspaceOutbox;
  var region = document.querySelector("[data-live]") || document.querySelector("main");
  var slug = location.pathname.split("/")[2];
  if (!outbox || !window.indexedDB || !region) return;
  var board = null, overTimer = null, retry = null;

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function hhmm(ms) {
    var d = new Date(ms);
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  // A first visit is not yet under the worker: keep this page as it arrived, from the
  // DOM, so a cold start offline shows it, without fetching it a second time.
  var sw = navigator.serviceWorker;
  if (sw && !sw.controller && window.caches && /^\/e\/[^/]+\/(s\/[^/]+)?$/.test(location.pathname)) {
    var copy = document.documentElement.cloneNode(true);
    copy.querySelectorAll(".live-status").forEach(function (e) { e.remove(); });
    caches.open("os-pages").then(function (c) {
      return c.put(location.pathname, new Response("<!DOCTYPE html>\n" + copy.outerHTML, {
        headers: { "Content-Type": "text/html; charset=utf-8", Date: new Date().toUTCString() } }));
    }).catch(function () {});
  }

  var banner = el("p", "", "offline-banner");
  banner.setAttribute("role", "status");
  banner.hidden = true;
  var box = el("section", "", "outbox");
  box.id = "outbox";
  box.setAttribute("aria-live", "polite");
  region.parentNode.insertBefore(banner, region);
  region.parentNode.insertBefore(box, region);

  // --- reading offline ---------------------------------------------------------------

  function loadBoard() {
    return fetch("/api/events/" + encodeURIComponent(slug) + "/board", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (b) { if (b) board = b; return board; }, function () { return board; });
  }

  function markOver() {
    var now = Date.now();
    document.querySelectorAll("[data-ends]:not(.over)").forEach(function (e) {
      if (Date.parse(e.getAttribute("data-ends")) > now) return;
      e.classList.add("over");
      var where = e.querySelector("h1, h2") || e;
      where.insertBefore(el("span", "Over", "label over-label"), where.firstChild);
    });
  }

  function offline(since) {
    var shown = document.querySelector("[data-live]");
    var at = shown && shown.getAttribute("data-offline-at");
    banner.textContent = "Offline — as of " + hhmm(at ? parseInt(at, 10) : since);
    banner.hidden = false;
    document.documentElement.classList.add("is-offline");
    markOver();
    clearInterval(overTimer);
    overTimer = setInterval(markOver, 30000);
  }

  function online() {
    banner.hidden = true;
    document.documentElement.classList.remove("is-offline");
    clearInterval(overTimer);
    flush();
  }

  var lastLive = Date.now();
  function watchBadge() {
    var badge = document.querySelector(".live-status");
    if (!badge) return;
    new MutationObserver(function () {
      var status = badge.getAttribute("data-status");
      if (status === "live") { lastLive = Date.now(); online(); }
      else if (status === "offline") offline(lastLive);
    }).observe(badge, { attributes: true, attributeFilter: ["data-status"] });
  }

  // --- writing offline ---------------------------------------------------------------

  function kindOf(url, method) {
    if (/\/going$/.test(url)) return method === "DELETE" ? "leave" : "going";
    return /\/meetups$/.test(url) ? "meetup" : "propose";
  }

  os.send = function (url, init) {
    var item = { slug: slug, url: url, method: init.method || "POST", body: JSON.parse(init.body || "{}") };
    item.kind = kindOf(url, item.method);
    item.key = (crypto.randomUUID && crypto.randomUUID()) || String(Math.random()).slice(2) + Date.now() + "-os-key";
    init.headers = Object.assign({}, init.headers, { "Idempotency-Key": item.key });
    return fetch(url, init).catch(function () {
      return outbox.add(item).then(function () {
        syncLater();
        return new Response('{"queued":true}', { status: 202, headers: { "Content-Type": "application/json" } });
      });
    });
  };

  function syncLater() {
    if (!navigator.serviceWorker) return;
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.sync) return reg.sync.register("openspace-outbox");
    }).catch(function () {});
  }

  function flush() {
    clearTimeout(retry);
    return outbox.flush().then(function (left) {
      if (left) retry = setTimeout(flush, 3000);
    }, function () {});
  }

  function label(item) {
    var b = item.body;
    if (item.kind === "propose") return "Propose “" + b.title + "”";
    if (item.kind === "meetup") return "Meetup “" + b.title + "”";
    var card = document.querySelector('[data-session-id="' + CSS.escape(item.url.split("/")[5]) + '"] h1, [data-session-id="' + CSS.escape(item.url.split("/")[5]) + '"] h3');
    return (item.kind === "going" ? "I’m going: " : "Not going: ") + (card ? card.textContent : "a session");
  }

  function button(text, act) {
    var b = el("button", text);
    b.type = "button";
    b.addEventListener("click", act);
    return b;
  }

  function freeRooms(slot) {
    if (!board) return [];
    var taken = board.sessions.concat(board.blocked)
      .filter(function (c) { return c.slot === slot; }).map(function (c) { return c.room; });
    return board.rooms.filter(function (r) { return r.kind === "room" && taken.indexOf(r.id) < 0; });
  }

  function retryIn(item, room) {
    var again = { slug: item.slug, kind: item.kind, url: item.url, method: item.method,
      body: Object.assign({}, item.body, { room: room.id }) };
    return outbox.remove(item.key).then(function () { return outbox.add(again); }).then(flush);
  }

  function show(item) {
    var li = el("li", "", "outbox-" + item.state);
    li.setAttribute("data-key", item.key);
    if (item.state === "waiting") {
      li.appendChild(el("strong", "Waiting to send: "));
      li.appendChild(document.createTextNode(label(item)));
    } else if (item.state === "sent") {
      var s = item.reply.session;
      li.appendChild(el("strong", "Sent: “" + s.title + "” is on the board. "));
      li.appendChild(document.createTextNode("Your private edit link (keep it): "));
      var a = el("a", location.origin + "/e/" + item.slug + "/s/" + s.id + "/edit?key=" + item.reply.edit_token, "edit-link");
      a.href = a.textContent;
      li.appendChild(a);
      li.appendChild(button("Done", function () { outbox.remove(item.key); }));
    } else {
      li.appendChild(el("strong", "Not sent: " + label(item) + ". "));
      li.appendChild(el("span", item.error.message, "error"));
      if (item.kind === "propose") {
        var b = item.body, kept = el("div", "", "kept");
        kept.appendChild(el("p", "What you typed is kept:"));
        [["Title", b.title], ["Host", b.host], ["Description", b.description], ["Tags", b.tags.join(", ")]]
          .forEach(function (pair) { if (pair[1]) kept.appendChild(el("p", pair[0] + ": " + pair[1], "kept-" + pair[0].toLowerCase())); });
        var rooms = freeRooms(b.slot);
        kept.appendChild(el("p", rooms.length ? "Free at that time — propose it there instead:" : "No room is free at that time."));
        rooms.forEach(function (room) { kept.appendChild(button(room.name, function () { retryIn(item, room); })); });
        li.appendChild(kept);
      }
      li.appendChild(button("Discard", function () { outbox.remove(item.key); }));
    }
    return li;
  }

  function render() {
    return outbox.all().then(function (items) {
      items = items.filter(function (i) { return i.slug === slug; });
      // "I'm going" and meetups that went through need no word: the board shows them.
      items.filter(function (i) { return i.state === "sent" && i.kind !== "propose"; })
        .forEach(function (i) { outbox.remove(i.key); if (os.refresh) os.refresh(); });
      items = items.filter(function (i) { return !(i.state === "sent" && i.kind !== "propose"); });
      var refused = items.some(function (i) { return i.state === "refused"; });
      (refused && !board ? loadBoard() : Promise.resolve()).then(function () {
        box.textContent = "";
        if (!items.length) return;
        var list = el("ul");
        items.forEach(function (i) { list.appendChild(show(i)); });
        box.appendChild(el("h2", "Your changes"));
        box.appendChild(list);
        document.querySelectorAll("button[form=going]").forEach(function (b) {
          var waiting = items.some(function (i) { return i.state === "waiting" && i.url.split("/")[5] === b.value; });
          if (waiting) { b.disabled = true; b.textContent = "Waiting to send…"; }
        });
      });
    });
  }

  // A propose form opened offline from a "free" link: the kept copy has no query.
  var params = new URLSearchParams(location.search);
  if (params.get("room") && params.get("slot")) {
    var radio = document.querySelector('input[name=cell][value="' + CSS.escape(params.get("room") + "/" + params.get("slot")) + '"]');
    if (radio) radio.checked = true;
  }

  window.addEventListener("openspace-outbox", render);
  window.addEventListener("online", flush);
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", function (e) { if (e.data === "openspace-outbox") render(); });
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js").catch(function () {});
    });
  }
  if (os.onRender) os.onRender(function () { render(); if (!banner.hidden) markOver(); });
  if (region.hasAttribute("data-offline-at") || !navigator.onLine) offline(Date.now());
  window.addEventListener("offline", function () { offline(Date.now()); });
  watchBadge();
  render();
  flush();
})();

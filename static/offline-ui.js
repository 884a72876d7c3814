// openspace: the view of this event's outbox (loaded by offline.js when there is one):
// "waiting to send", the private edit link once a proposal went through, or the refusal
// with what was typed kept and the free rooms of that slot to pick instead. Sends the
// waiting items on load, when back online and every 3 s while some still wait.
(function () {
  "use strict";
  var os = window.openspace, outbox = window.openspaceOutbox, el = os.el;
  var slug = location.pathname.split("/")[2], retry = null, board = null;
  var region = document.querySelector("[data-live]") || document.querySelector("main");
  var box = el("section", "", "outbox");
  box.id = "outbox";
  box.setAttribute("aria-live", "polite");
  region.parentNode.insertBefore(box, region);

  // A write os.send could not send: queued; a 202 stands in for the answer.
  os.queue = function (key, url, init) {
    var item = { key: key, slug: slug, url: url, method: init.method, body: JSON.parse(init.body || "{}"),
      kind: /going$/.test(url) ? (init.method === "DELETE" ? "leave" : "going") : "propose" };
    return outbox.add(item).then(function () {
      return new Response('{"queued":true}', { status: 202, headers: { "Content-Type": "application/json" } });
    });
  };

  os.flush = function () {
    clearTimeout(retry);
    return outbox.flush().then(function (left) {
      if (left) retry = setTimeout(os.flush, 3000);
    }, function () {});
  };

  function button(text, act) {
    var b = el("button", text);
    b.type = "button";
    b.addEventListener("click", act);
    return b;
  }

  function target(item) { return item.url.split("/")[5]; }

  function label(item) {
    var b = item.body;
    if (item.kind === "propose") return "Propose “" + b.title + "”";
    if (item.kind === "meetup") return "Meetup “" + b.title + "”";
    var title = document.querySelector('[data-session-id="' + CSS.escape(target(item)) + '"] :is(h1, h3)');
    return (item.kind === "going" ? "I’m going: " : "Not going: ") + (title ? title.textContent : "a session");
  }

  function freeRooms(slot) {
    var taken = board.sessions.concat(board.blocked)
      .filter(function (c) { return c.slot === slot; }).map(function (c) { return c.room; });
    return board.rooms.filter(function (r) { return r.kind === "room" && taken.indexOf(r.id) < 0; });
  }

  function elsewhere(item, room) {
    var again = { slug: item.slug, kind: item.kind, url: item.url, method: item.method,
      body: Object.assign({}, item.body, { room: room.id }) };
    outbox.remove(item.key).then(function () { return outbox.add(again); }).then(os.flush);
  }

  function show(item) {
    var li = el("li", "", "outbox-" + item.state), b = item.body;
    if (item.state === "waiting") {
      li.appendChild(el("strong", "Waiting to send: "));
      li.appendChild(document.createTextNode(label(item)));
      return li;
    }
    if (item.state === "sent") {
      var s = item.reply.session, a = el("a", location.origin + "/e/" + item.slug + "/s/" + s.id +
        "/edit?key=" + item.reply.edit_token, "edit-link");
      a.href = a.textContent;
      li.appendChild(el("strong", "Sent: “" + s.title + "” is on the board. "));
      li.appendChild(document.createTextNode("Your private edit link (keep it): "));
      li.appendChild(a);
      li.appendChild(button("Done", function () { outbox.remove(item.key); }));
      return li;
    }
    li.appendChild(el("strong", "Not sent: " + label(item) + ". "));
    li.appendChild(el("span", item.error.message, "error"));
    if (item.kind === "propose" && board) {
      var kept = el("div", "", "kept"), rooms = freeRooms(b.slot);
      kept.appendChild(el("p", "What you typed is kept:"));
      [["Title", b.title], ["Host", b.host], ["Description", b.description], ["Tags", b.tags.join(", ")]]
        .forEach(function (p) { if (p[1]) kept.appendChild(el("p", p[0] + ": " + p[1], "kept-" + p[0].toLowerCase())); });
      kept.appendChild(el("p", rooms.length ? "Free at that time — propose it there instead:" : "No room is free at that time."));
      rooms.forEach(function (room) { kept.appendChild(button(room.name, function () { elsewhere(item, room); })); });
      li.appendChild(kept);
    }
    li.appendChild(button("Discard", function () { outbox.remove(item.key); }));
    return li;
  }

  function fresh() {
    return fetch("/api/events/" + encodeURIComponent(slug) + "/board")
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (b) { board = b || board; }, function () {});
  }

  function render() {
    outbox.all().then(function (items) {
      items = items.filter(function (i) { return i.slug === slug; });
      // "I'm going" and meetups that went through need no word: the board shows them.
      var done = items.filter(function (i) { return i.state === "sent" && i.kind !== "propose"; });
      done.forEach(function (i) { outbox.remove(i.key); });
      if (done.length && os.refresh) os.refresh();
      items = items.filter(function (i) { return done.indexOf(i) < 0; });
      var refused = items.some(function (i) { return i.state === "refused"; });
      return (refused ? fresh() : Promise.resolve()).then(function () {
        box.textContent = "";
        if (!items.length) return;
        var list = el("ul");
        items.forEach(function (i) { list.appendChild(show(i)); });
        box.appendChild(el("h2", "Your changes"));
        box.appendChild(list);
        document.querySelectorAll("button[form=going]").forEach(function (b) {
          if (items.some(function (i) { return i.state === "waiting" && target(i) === b.value; })) {
            b.disabled = true;
            b.textContent = "Waiting to send…";
          }
        });
      });
    });
  }

  window.addEventListener("openspace-outbox", render);
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", function (e) { if (e.data === "openspace-outbox") render(); });
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.sync) return reg.sync.register("openspace-outbox");
    }).catch(function () {});
  }
  if (os.onRender) os.onRender(render);
  render();
  os.flush();
})();

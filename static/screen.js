// openspace: keeps a live page (board, session page, kiosk, door screen, facilitator
// desk) current in place, without asking the server for anything.
//  - Changes: every live event carries the HTML of what it changed, rendered once on
//    the server for everybody (src/openspace/web/pages/fragments.py; the desk's, on its
//    own stream for facilitators, desk_fragments.py). Each element with the same
//    data-frag key is swapped for it (or removed for null, or put in place when new);
//    "going" counts and capacity badges come from the event itself.
//  - Time: what starts and ends carries data-start/data-end (ms since the epoch). As the
//    browser's clock passes them, slots are labelled "Now"/"Next" and folded away when
//    past, meetups and talks shown while they run, the kiosk's rooms show the slot on
//    now and the next one, and the door screen says when the room is free next. One
//    timer, set for the next such moment: no page asks the server when an hour strikes.
//  - The visitor's own state ("I'm going") is not in the shared HTML: board.js marks it
//    after each change through openspace.onRender.
(function () {
  "use strict";
  var os = (window.openspace = window.openspace || {});
  var timer = null;

  function live() { return document.querySelector("[data-live]"); }
  // Each tick and change revisits the whole page: write only what differs.
  function show(element, shown) { if (element.hidden === shown) element.hidden = !shown; }
  function text(element, value) { if (element.textContent !== value) element.textContent = value; }
  function num(element, name) { return parseInt(element.getAttribute(name), 10); }
  function all(root, selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }

  // --- time -------------------------------------------------------------------------

  function board(region, now) {
    var details = region.querySelector("details.past");
    var nothing = region.querySelector("p.nothing");
    if (!details || !nothing) return;
    var multiDay = region.hasAttribute("data-multi-day");
    var sections = all(region, "section.slot[data-start]");
    sections.sort(function (a, b) { return num(a, "data-start") - num(b, "data-start"); });
    var nextStart = null, coming = [], past = [], pastSessions = 0;
    sections.forEach(function (section) {
      var start = num(section, "data-start"), over = num(section, "data-end") <= now;
      var label = "";
      if (!over && start <= now) label = "Now";
      else if (!over && (nextStart === null || start === nextStart)) { nextStart = start; label = "Next"; }
      var span = section.querySelector("h2 .label:not(.over-label)");
      if (span) text(span, label ? label + " " : "");
      var day = section.querySelector("h2 .day");
      if (day) show(day, multiDay || !label);
      var free = section.querySelector("p.free");
      if (free) show(free, !over);
      if (over) pastSessions += section.querySelectorAll(".card").length;
      (over ? past : coming).push(section);
    });
    place(coming, nothing.parentNode, nothing);
    place(past, details, null);
    show(nothing, coming.length === 0);
    show(details, past.length > 0);
    text(details.querySelector("summary"), "Earlier (" + pastSessions + " sessions)");
  }

  // Put sections in parent, in order, just before end; move nothing already in place.
  function place(sections, parent, end) {
    var inPlace = sections.every(function (section, index) {
      return section.parentNode === parent && section.nextElementSibling === (sections[index + 1] || end);
    });
    if (!inPlace) sections.forEach(function (section) { parent.insertBefore(section, end); });
  }

  // Meetups and official talks: shown while they run; their list while any runs.
  function running(region, now) {
    all(region, "[data-frag=hallway], [data-frag=talks]").forEach(function (section) {
      var any = false;
      all(section, "li[data-start]").forEach(function (item) {
        var on = num(item, "data-start") <= now && now < num(item, "data-end");
        show(item, on);
        any = any || on;
      });
      show(section, any);
    });
  }

  function kiosk(region, now) {
    all(region, "section.room").forEach(function (tile) {
      var current = null, upcoming = null;
      all(tile, "p[data-slot]").forEach(function (line) {
        var role = "";
        // A slot that is over never shows again: a kiosk left on for days keeps
        // only what is still to come.
        if (num(line, "data-end") <= now) return line.remove();
        else if (num(line, "data-start") <= now) role = current ? "" : "now";
        else if (!upcoming) role = "next";
        if (role === "now") current = line;
        if (role === "next") upcoming = line;
        show(line, !!role);
        if (line.className !== (role || "next")) line.className = role || "next";
        var tag = line.querySelector(".tag");
        var tagClass = role === "now" ? "tag" : "tag next-tag";
        if (tag.className !== tagClass) tag.className = tagClass;
        text(tag, role === "now" ? "Now" : "Next " + line.getAttribute("data-hm"));
      });
      var idle = tile.querySelector("p[data-idle]");
      if (idle) show(idle, !current);
    });
    var claim = region.querySelector("[data-claim]");
    if (claim) {
      var free = all(region, "p[data-slot][data-free='1']").filter(function (line) {
        return num(line, "data-end") > now;
      })[0];
      show(claim, !!free);
      if (free) {
        text(claim.querySelector("strong"), num(free, "data-start") <= now ?
          "Free now" : "Free from " + free.getAttribute("data-hm"));
      }
    }
  }

  function tick() {
    var region = live();
    if (!region) return;
    var now = Date.now();
    board(region, now);
    running(region, now);
    kiosk(region, now);
    clearTimeout(timer);
    var next = Infinity;
    all(region, "[data-start]").forEach(function (element) {
      [num(element, "data-start"), num(element, "data-end")].forEach(function (moment) {
        if (moment > now && moment < next) next = moment;
      });
    });
    // At most a day ahead (setTimeout's range), and again if a laptop slept past it.
    if (next < Infinity) timer = setTimeout(tick, Math.min(next - now + 20, 86400000));
  }

  // --- changes ----------------------------------------------------------------------

  function parse(markup) {
    var template = document.createElement("template");
    template.innerHTML = markup;
    return template.content.firstElementChild;
  }

  // A keyed element the page did not have: a new slot or room.
  function insert(region, key, element) {
    var kind = key.split(":")[0];
    if (kind === "slot" && region.id === "board") {
      var nothing = region.querySelector("p.nothing");
      nothing.parentNode.insertBefore(element, nothing);
    } else if (kind === "room" && !document.body.classList.contains("door")) {
      var pages = region.querySelectorAll(".rooms .page .tiles");
      if (pages.length) pages[pages.length - 1].appendChild(element);
    } else if (key.indexOf("desk:session:") === 0) {
      var body = region.querySelector('[data-frag="desk:sessions"] tbody');
      if (body) body.appendChild(element);   // put in order by sortRows
    } else if (key.indexOf("desk:log:") === 0) {
      var log = region.querySelector('[data-frag="desk:undo"] tbody');
      if (log) log.insertBefore(element, log.firstChild);   // the newest change: on top
    }
  }

  // The desk's sessions in the server's order (by slot, then room) once rows came or moved.
  function sortRows(region) {
    var body = region.querySelector('[data-frag="desk:sessions"] tbody');
    if (!body) return;
    function key(row) { return [row.getAttribute("data-slot"), row.getAttribute("data-room")]; }
    function compare(a, b) { return a < b ? -1 : a > b ? 1 : 0; }
    var rows = all(body, "tr[data-slot]");
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      return compare(x[0], y[0]) || compare(x[1], y[1]);
    });
    place(rows, body, null);
  }

  function gone(element) {
    if (element.classList.contains("detail")) {
      var note = document.createElement("p");
      note.className = "notice";
      note.setAttribute("role", "status");
      note.textContent = "This session is no longer on the board.";
      element.replaceWith(note);
    } else {
      element.remove();
    }
  }

  function patch(region, html) {
    Object.keys(html).forEach(function (key) {
      var found = all(region, '[data-frag="' + CSS.escape(key) + '"]');
      if (html[key] === null) return found.forEach(gone);
      if (!found.length) return insert(region, key, parse(html[key]));
      found.forEach(function (element) { element.replaceWith(parse(html[key])); });
    });
    if (Object.keys(html).some(function (key) { return key.indexOf("desk:session:") === 0; })) {
      sortRows(region);
    }
  }

  // The words of the capacity badge (src/openspace/capacity.py FILL_WORDS).
  var FILL_WORDS = {roomy: "Roomy", filling: "Filling up", full: "Full"};

  function counts(region, event) {
    event.put.sessions.forEach(function (session) {
      var selector = '.card[data-session-id="' + CSS.escape(session.id) + '"] .count';
      all(region, selector).forEach(function (count) {
        count.textContent = count.textContent.replace(/^\d+/, String(session.going));
      });
      // The capacity badge follows the count (its words, not only its colour), on cards,
      // the session page and the kiosk's and door screen's lines.
      if (!session.fill) return;
      all(region, '[data-session-id="' + CSS.escape(session.id) + '"] .fill').forEach(function (badge) {
        if (badge.getAttribute("data-fill") !== session.fill) badge.setAttribute("data-fill", session.fill);
        text(badge, FILL_WORDS[session.fill]);
      });
    });
  }

  // For live.js: true when every event could be applied here (each carries its HTML).
  function apply(events) {
    var region = live();
    if (!region || !events.length) return false;
    if (!events.every(function (event) { return event.html; })) return false;
    events.forEach(function (event) {
      patch(region, event.html);
      counts(region, event);
      region.setAttribute("data-seq", String(event.seq));
    });
    os.rendered(region);
    return true;
  }

  // For live.js: HTML that came after its event (an "html" frame for the seq we hold).
  os.patch = function (html) {
    var region = live();
    if (!region) return;
    patch(region, html);
    os.rendered(region);
  };

  (os.liveHooks = os.liveHooks || []).push(apply);
  os.onRender(tick);
  os.tick = tick;
})();

// openspace: the board's grid and filters (src/openspace/web/pages/grid.py, filters.py).
// All works without it (links, a GET form). Here: the day switcher switches without a
// request, and the grid follows the clock's day unless one was picked; the now-line
// crosses the current slot where the clock is, moved each minute; "Print" prints; tags
// and the search box filter at once by the server's rule (a tag; every word in title,
// host or description: descriptions from the board JSON, fetched on the first search,
// kept current from live events).
(function () {
  "use strict";
  var os = (window.openspace = window.openspace || {});
  var region = document.getElementById("board");
  if (!region || !region.querySelector(".grid")) return;
  var slug = region.getAttribute("data-slug");
  var params = new URLSearchParams(location.search);
  var picked = params.get("day");           // a day chosen by the visitor, or null
  var filter = { tag: (params.get("tag") || "").replace(/^#/, "").toLowerCase(), q: params.get("q") || "" };
  var texts = null;                         // session id -> searchable text, once fetched
  var timer = null;

  function board() { return document.getElementById("board"); }
  function num(element, name) { return parseInt(element.getAttribute(name), 10); }

  // --- days and the now-line ----------------------------------------------------------

  function showDay(index) {
    var grid = board().querySelector(".grid");
    var wanted = "grid show-d" + index;
    if (grid.className !== wanted) grid.className = wanted;
    board().querySelectorAll("nav.days a[data-day]").forEach(function (link) {
      if (link.getAttribute("data-day") === String(index)) link.setAttribute("aria-current", "date");
      else link.removeAttribute("aria-current");
    });
  }

  function today(now) {
    var links = Array.prototype.slice.call(board().querySelectorAll("nav.days a[data-day]"));
    var found = links.filter(function (link) { return num(link, "data-end") > now; })[0];
    return found || links[links.length - 1];
  }

  var line = document.createElement("div");
  line.className = "now-line";
  line.setAttribute("aria-hidden", "true");

  function clock() {
    var region = board();
    if (!region) return;
    var now = Date.now();
    var link = picked ? region.querySelector('nav.days a[href*="day=' + picked + '"]') : today(now);
    if (link) showDay(link.getAttribute("data-day"));
    var grid = region.querySelector(".grid");
    var day = /show-d(\d+)/.exec(grid.className)[1];
    var current = null;
    grid.querySelectorAll("section.slot.d" + day).forEach(function (slot) {
      if (num(slot, "data-start") <= now && now < num(slot, "data-end")) current = slot;
    });
    if (!current) line.remove();
    else {
      var start = num(current, "data-start");
      if (line.parentNode !== current) current.appendChild(line);
      line.style.setProperty("--at", String((now - start) / (num(current, "data-end") - start)));
    }
    clearTimeout(timer);
    timer = setTimeout(clock, 60000 - (now % 60000) + 50);
  }

  // --- filters ------------------------------------------------------------------------

  function textOf(card) {
    var id = card.getAttribute("data-session-id");
    if (texts && texts[id] !== undefined) return texts[id];
    return card.textContent.toLowerCase();
  }

  function keep(sessions) {
    sessions.forEach(function (session) {
      texts[session.id] = (session.title + "\n" + session.host + "\n" + session.description).toLowerCase();
    });
  }

  function loadTexts() {
    if (texts || !filter.q) return;
    texts = {};
    fetch("/api/events/" + encodeURIComponent(slug) + "/board", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { sessions: [] }; })
      .then(function (json) { keep(json.sessions); applyFilter(board()); })
      .catch(function () {});
  }

  function matches(card) {
    if (filter.tag) {
      var tags = Array.prototype.map.call(card.querySelectorAll(".tags a"), function (a) {
        return a.textContent.slice(1).toLowerCase();
      });
      if (tags.indexOf(filter.tag) < 0) return false;
    }
    var text = textOf(card);
    return filter.q.toLowerCase().split(/\s+/).every(function (word) { return text.indexOf(word) >= 0; });
  }

  function applyFilter(region) {
    if (!region) return;
    var active = !!(filter.tag || filter.q.trim());
    region.classList.toggle("filtering", active);
    region.querySelectorAll(".card[data-session-id]").forEach(function (card) {
      var out = active && !matches(card);
      if (card.classList.contains("out") !== out) card.classList.toggle("out", out);
    });
    var note = region.querySelector(".tag-filter");
    if (note) note.hidden = !filter.tag;
  }

  function address() {
    var query = new URLSearchParams();
    if (picked) query.set("day", picked);
    if (filter.tag) query.set("tag", filter.tag);
    if (filter.q.trim()) query.set("q", filter.q.trim());
    var text = query.toString();
    history.replaceState(null, "", text ? "?" + text : location.pathname);
  }

  document.addEventListener("input", function (event) {
    if (event.target.id !== "q") return;
    filter.q = event.target.value;
    loadTexts();
    applyFilter(board());
    address();
  });

  document.addEventListener("submit", function (event) {
    if (!event.target.classList.contains("search")) return;
    event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a");
    if (!link || !board() || !board().contains(link)) return;
    if (link.classList.contains("print")) {
      event.preventDefault();
      window.print();
    } else if (link.hasAttribute("data-day")) {
      event.preventDefault();
      picked = new URLSearchParams(link.search).get("day");
      address();
      clock();
    } else if (link.closest(".tags") || link.classList.contains("clear")) {
      event.preventDefault();
      filter.tag = link.classList.contains("clear") ? "" : link.textContent.slice(1).toLowerCase();
      if (link.classList.contains("clear")) filter.q = "";
      var box = document.getElementById("q");
      if (box) box.value = filter.q;
      var strong = board().querySelector(".tag-filter strong");
      if (strong) strong.textContent = "#" + filter.tag;
      applyFilter(board());
      address();
    }
  });

  // The JSON's descriptions stay current from the live events (put is whole sessions).
  (os.liveHooks = os.liveHooks || []).push(function (events) {
    if (texts) events.forEach(function (event) { keep(event.put.sessions); });
    return true;
  });

  loadTexts();
  os.onRender(function (region) { applyFilter(region); clock(); });
})();

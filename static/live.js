// openspace: live updates over a WebSocket (/api/events/{slug}/live, see README "Live
// updates"). Keeps the page's live region ([data-live]) current without reloading and
// without polling, and says how current it is: "live", "reconnecting…" or "offline
// since 10:42".
//  - Resumes after the last sequence number it holds (at first the page's data-seq and
//    data-epoch), so the server sends exactly the missed events, or a snapshot.
//  - Checks that events arrive once and in order; a gap makes it reconnect and resume.
//  - Hands each batch to hooks pages register with openspace.live.onEvents(fn) (or put
//    in openspace.liveHooks before this file runs); fn gets (events, board) and returns
//    true when it updated the page itself, as screen.js does from the HTML each event
//    carries. Otherwise (a snapshot: this browser missed too much, or an event without
//    HTML) the region is fetched again with openspace.refresh() (common.js): the same
//    cached bytes for everyone, coalesced and jittered so that a thousand screens do not
//    ask in the same millisecond.
//  - Reconnects with exponential backoff and jitter (at most ~8 s between attempts), at
//    once when the browser comes back online, and reloads the page once if the server's
//    asset version changed. No inline script, no eval (the CSP allows neither).
(function () {
  "use strict";
  var os = (window.openspace = window.openspace || {});
  var region = document.querySelector("[data-live]");
  if (!region || !window.WebSocket) return;

  var slug = region.getAttribute("data-slug");
  var BACKOFF_FIRST = 500, BACKOFF_MAX = 8000;
  // Offline phones (issue 11): the badge must say "offline" within 5 s of the socket
  // going silent, so a visible page asks for a pong after 2 s of quiet.
  var IDLE_PING = 2000, DEAD_AFTER = 4500;
  var OFFLINE_AFTER = 4000;
  var RELOADED = "openspace.live.reloaded";
  // A kiosk runs for days: keep the seqs of the last events applied, not all of them.
  var LOG_KEPT = 200;

  var state = {
    seq: region.hasAttribute("data-epoch") ? parseInt(region.getAttribute("data-seq"), 10) : null,
    epoch: region.getAttribute("data-epoch"),
    version: null,
    board: null,          // the replica, once a snapshot arrived
    log: [],              // seq of the last LOG_KEPT events applied, oldest first
    applied: 0,           // events applied since the page loaded
    gaps: 0,              // gaps seen (each made it resume)
    duplicates: 0,        // events received again and skipped
    status: "connecting",
  };
  // Pages' hooks (screen.js) may be registered before this file runs.
  var hooks = os.liveHooks = os.liveHooks || [];
  var socket = null, attempts = 0, retryTimer = null, offlineTimer = null;
  var lastHeard = 0, refreshTimer = null, refreshTries = 0;
  var resumeTo = null;    // after "resumed": the seq at which we are caught up

  // --- the indicator ----------------------------------------------------------------

  var badge = document.createElement("p");
  badge.className = "live-status";
  badge.setAttribute("role", "status");
  (document.querySelector("header.top") || document.body).appendChild(badge);

  function hhmm(date) {
    var zone = region.getAttribute("data-timezone") || undefined;
    try {
      return new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: zone })
        .format(date);
    } catch (e) {
      return date.toTimeString().slice(0, 5);
    }
  }

  function show(status, text) {
    state.status = status;
    badge.setAttribute("data-status", status);
    badge.textContent = text;
  }

  // --- applying frames --------------------------------------------------------------

  function cellKey(cell) { return cell.room + "\u0000" + cell.slot; }

  function applyToReplica(event) {
    var board = state.board;
    if (!board) return;
    var drop = event.drop, put = event.put;
    board.sessions = board.sessions.filter(function (s) { return drop.sessions.indexOf(s.id) < 0; });
    board.meetups = board.meetups.filter(function (m) { return drop.meetups.indexOf(m.id) < 0; });
    var gone = drop.blocked.map(cellKey);
    board.blocked = board.blocked.filter(function (c) { return gone.indexOf(cellKey(c)) < 0; });
    [["sessions", put.sessions], ["meetups", put.meetups]].forEach(function (pair) {
      var list = board[pair[0]];
      pair[1].forEach(function (item) {
        var at = list.findIndex(function (old) { return old.id === item.id; });
        if (at < 0) list.push(item); else list[at] = item;
      });
    });
    board.blocked = board.blocked.concat(put.blocked);
    if (event.layout) {
      board.event = event.layout.event;
      board.rooms = event.layout.rooms;
      board.slots = event.layout.slots;
    }
    if (event.official) board.official = event.official;
    board.seq = event.seq;
  }

  function changed(events) {
    var handled = hooks.length > 0;
    hooks.forEach(function (hook) {
      try { handled = hook(events, state.board) === true && handled; } catch (e) { handled = false; }
    });
    if (!handled) scheduleRefresh();
  }

  function scheduleRefresh() {
    if (refreshTimer || typeof os.refresh !== "function") return;
    refreshTimer = setTimeout(function () {
      refreshTimer = null;
      Promise.resolve(os.refresh()).then(function () {
        var shown = document.querySelector("[data-live]");
        var seq = shown ? parseInt(shown.getAttribute("data-seq"), 10) : state.seq;
        // A page rendered before our last event came in: ask once more (a few times).
        if (seq < state.seq && refreshTries++ < 3) scheduleRefresh(); else refreshTries = 0;
      });
    }, 100 + Math.random() * 400);
  }

  function checkVersion(version) {
    if (state.version === null) { state.version = version; return; }
    if (version === state.version) return;
    try {
      if (sessionStorage.getItem(RELOADED) === version) return;
      sessionStorage.setItem(RELOADED, version);
    } catch (e) { /* no storage: reload anyway, once per page */ }
    location.reload();
  }

  function caughtUp() {
    attempts = 0;
    clearTimeout(offlineTimer);
    show("live", "live");
    if (os.poll) os.poll.stop();
  }

  function receive(frame) {
    if (frame.type === "snapshot") {
      checkVersion(frame.version);
      var before = state.seq;
      state.seq = frame.seq;
      state.epoch = String(frame.epoch);
      state.board = frame.board;
      caughtUp();
      if (before !== frame.seq) changed([]);
    } else if (frame.type === "resumed") {
      checkVersion(frame.version);
      if (frame.since !== state.seq || String(frame.epoch) !== state.epoch) return restart(true);
      if (frame.seq === frame.since) caughtUp();
      else resumeTo = frame.seq;
    } else if (frame.type === "events") {
      var applied = [];
      for (var i = 0; i < frame.events.length; i++) {
        var event = frame.events[i];
        if (event.seq <= state.seq) { state.duplicates++; continue; }   // already have it
        if (event.seq !== state.seq + 1) { state.gaps++; return restart(false); }   // resume
        applyToReplica(event);
        state.seq = event.seq;
        state.log.push(event.seq);
        if (state.log.length > LOG_KEPT) state.log.splice(0, state.log.length - LOG_KEPT);
        state.applied++;
        applied.push(event);
      }
      if (resumeTo !== null && state.seq >= resumeTo) { resumeTo = null; caughtUp(); }
      if (applied.length) changed(applied);
    } else if (frame.type === "html") {
      // More HTML for the seq we hold, worked out after its event (the desk's placement
      // suggestion); for any other seq it is stale or early: the next event brings more.
      if (frame.seq === state.seq && typeof os.patch === "function") os.patch(frame.html);
    } else if (frame.type === "error") {
      if (window.console) console.warn("openspace live:", frame.code, frame.message);
    }
  }

  // --- the connection ---------------------------------------------------------------

  // The board's public stream, or the page's own (the desk's: data-live-url, which may
  // carry its view's query already).
  var path = region.getAttribute("data-live-url") ||
    "/api/events/" + encodeURIComponent(slug) + "/live";

  function url() {
    var query = state.seq !== null && state.epoch !== null
      ? "since=" + state.seq + "&epoch=" + encodeURIComponent(state.epoch) : "";
    var joined = query ? path + (path.indexOf("?") < 0 ? "?" : "&") + query : path;
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + joined;
  }

  function connect() {
    clearTimeout(retryTimer);
    retryTimer = null;
    if (socket) return;
    resumeTo = null;
    var ws;
    try { ws = new WebSocket(url()); } catch (e) { return lost(); }
    socket = ws;
    lastHeard = Date.now();
    ws.onmessage = function (message) {
      if (socket !== ws) return;
      lastHeard = Date.now();
      var frame;
      try { frame = JSON.parse(message.data); } catch (e) { return; }
      receive(frame);
    };
    ws.onclose = function (event) {
      if (socket !== ws) return;
      socket = null;
      lost(event.code);
    };
  }

  // Forget this connection and open a new one: resuming (a gap) or from scratch.
  function restart(fresh) {
    if (fresh) { state.seq = null; state.epoch = null; }
    var ws = socket;
    socket = null;
    if (ws) ws.close();
    attempts = 0;
    connect();
  }

  function lost(code) {
    if (state.status === "live" || state.status === "connecting") {
      show("reconnecting", "reconnecting…");
      var since = new Date();
      clearTimeout(offlineTimer);
      // A short drop (Wi-Fi roaming, a laptop waking up) resumes in a moment; only a
      // page that stays cut off falls back to polling.
      offlineTimer = setTimeout(function () {
        show("offline", "offline since " + hhmm(since));
        if (os.poll) os.poll.start(30);
      }, OFFLINE_AFTER);
    }
    // 4008: this screen fell behind; it may come straight back. Otherwise back off:
    // half the delay fixed, half random, so screens that lost the server together
    // do not all return in the same instant.
    var delay = code === 4008 && attempts === 0 ? 0 :
      Math.min(BACKOFF_MAX, BACKOFF_FIRST * Math.pow(2, attempts));
    attempts++;
    retryTimer = setTimeout(connect, delay / 2 + Math.random() * delay / 2);
  }

  // The browser cannot see the server's WebSocket pings: when all is quiet, ask for a
  // pong; a connection silent for too long is dead (Wi-Fi gone without a goodbye).
  setInterval(function () {
    if (!socket || socket.readyState !== WebSocket.OPEN || document.hidden) return;
    var quiet = Date.now() - lastHeard;
    if (quiet > DEAD_AFTER) {
      wentOffline(new Date(lastHeard));
    } else if (quiet > IDLE_PING) {
      socket.send('{"type":"ping"}');
    }
  }, 1000);

  // Back online: reconnect soon, but not every phone of the hall in the same instant.
  window.addEventListener("online", function () {
    if (socket) return;
    clearTimeout(retryTimer);     // the back-off's attempt, which this one replaces
    retryTimer = setTimeout(connect, Math.random() * 1500);
  });
  window.addEventListener("offline", function () { wentOffline(new Date()); });

  // The network is gone (the browser says so, or the server stopped answering pings):
  // say so at once, and keep trying to come back.
  function wentOffline(since) {
    var ws = socket;
    socket = null;
    if (ws) ws.close();
    lost();
    clearTimeout(offlineTimer);
    show("offline", "offline since " + hhmm(since));
  }
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && !socket) connect();
  });

  os.live = {
    state: state,
    // fn(events, board) -> true if it updated the page itself (board is null until a
    // snapshot arrived; events is [] after one).
    onEvents: function (fn) { hooks.push(fn); },
  };

  show("connecting", "connecting…");
  connect();
})();

// openspace: shared page script. Pages are kept current in place by screen.js from the
// live events; this file holds what is left for the rare cases where a page cannot be
// patched: openspace.refresh() fetches the page once more (board, kiosk and door screen
// are the same bytes for everyone, served from the server's memory) and swaps in its
// live region, e.g. after a snapshot (a browser that missed too much, a page from
// before a deploy). While the live connection is down, a conditional GET of the board
// JSON every N seconds (data-refresh) notices changes. openspace.onRender(fn) runs
// fn(region) now and after every change of the region; openspace.rendered(region)
// tells those hooks the region changed.
(function () {
  "use strict";
  var os = (window.openspace = window.openspace || {});
  var hooks = [];
  var timer = null;

  function live() { return document.querySelector("[data-live]"); }

  os.rendered = function (region) {
    hooks.forEach(function (hook) { hook(region); });
  };

  // Run hook(region) now and after every change of the region.
  os.onRender = function (hook) {
    hooks.push(hook);
    var region = live();
    if (region) hook(region);
  };

  os.refresh = function () {
    return fetch(location.href, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-live]");
        var old = live();
        if (!fresh || !old) return;
        var focused = document.activeElement && document.activeElement.id;
        old.replaceWith(document.adoptNode(fresh));
        if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
        os.rendered(fresh);
      })
      .catch(function () {});
  };

  function check() {
    var region = live();
    if (!region || document.hidden) return;
    var slug = region.getAttribute("data-slug");
    fetch("/api/events/" + encodeURIComponent(slug) + "/board", {
      headers: { "If-None-Match": region.getAttribute("data-etag") || "" },
      cache: "no-store",
    })
      .then(function (r) { if (r.status === 200) os.refresh(); })
      .catch(function () {});
  }

  os.poll = {
    start: function (seconds) {
      os.poll.stop();
      timer = setInterval(check, seconds * 1000);
    },
    stop: function () { clearInterval(timer); timer = null; },
  };

  document.addEventListener("DOMContentLoaded", function () {
    var region = live();
    if (!region) return;
    os.rendered(region);
    // live.js may be live already (its first frame can beat this event): then no poll.
    if (!(os.live && os.live.state.status === "live")) {
      os.poll.start(parseInt(region.getAttribute("data-refresh") || "30", 10));
    }
  });
})();

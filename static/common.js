// openspace: shared page script. Keeps the page's live region ([data-live]) current
// without reloading: a conditional GET of the board JSON with the page's ETag, and,
// when it changed (or the clock moved the view on), the same page fetched again and
// its live region swapped in. The live WebSocket layer plugs in by calling
// openspace.refresh() for each batch of events and openspace.poll.stop() while connected.
(function () {
  "use strict";
  var os = (window.openspace = window.openspace || {});
  var hooks = [];
  var timer = null;
  var staleTimer = null;

  function live() { return document.querySelector("[data-live]"); }

  function rendered(region) {
    clearTimeout(staleTimer);
    var stale = parseInt(region.getAttribute("data-stale-in") || "0", 10);
    if (stale > 0) staleTimer = setTimeout(os.refresh, Math.min(stale, 3600) * 1000);
    hooks.forEach(function (hook) { hook(region); });
  }

  // Run hook(region) now and after every refresh.
  os.onRender = function (hook) {
    hooks.push(hook);
    var region = live();
    if (region) hook(region);
  };

  os.refresh = function () {
    return fetch(location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-live]");
        var old = live();
        if (!fresh || !old) return;
        var focused = document.activeElement && document.activeElement.id;
        old.replaceWith(document.adoptNode(fresh));
        if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
        rendered(fresh);
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
    rendered(region);
    os.poll.start(parseInt(region.getAttribute("data-refresh") || "30", 10));
  });
})();

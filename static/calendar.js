// openspace: private "my open spaces" calendars. Optional: without it the subscribe
// page still works (it just cannot send this phone's stars, which live only here).
//  - On the subscribe page, the stars kept in localStorage go with the request.
//  - Once a private link exists, its token is kept here and the stars are sent to
//    the server whenever they differ from what it last got (on any board page).
//  - "Copy" buttons next to the addresses.
(function () {
  "use strict";

  function store(key, value) {
    try {
      if (value === undefined) return localStorage.getItem(key);
      if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, value);
    } catch (e) { /* private mode: nothing persists */ }
    return null;
  }

  var region = document.querySelector("[data-slug]");
  if (!region) return;
  var slug = region.getAttribute("data-slug");
  var starKey = "openspace.stars." + slug;
  var feedKey = "openspace.feed." + slug;
  var syncedKey = "openspace.feed.synced." + slug;
  var syncedAtKey = "openspace.feed.syncedAt." + slug;
  var HOUR = 3600 * 1000;

  function stars() {
    return store(starKey) || "[]";
  }

  function forget() {
    store(feedKey, null);
    store(syncedKey, null);
    store(syncedAtKey, null);
  }

  var made = region.getAttribute("data-feed-token");
  if (made) {
    store(feedKey, made);
    store(syncedKey, stars());
    store(syncedAtKey, String(Date.now()));
  }

  var form = document.getElementById("make-feed");
  if (form) {
    form.addEventListener("submit", function () {
      form.elements.stars.value = stars();
    });
  }

  document.addEventListener("submit", function (event) {
    if (event.target.action && /\/calendar\/revoke$/.test(event.target.action)) {
      forget();
    }
  });

  document.querySelectorAll("input[readonly]").forEach(function (input) {
    if (!navigator.clipboard) return;
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = "Copy";
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(function () {
        button.textContent = "Copied";
      });
    });
    input.insertAdjacentElement("afterend", button);
  });

  // Also once an hour without a change of stars: the request carries the edit key
  // cookie of a host who proposed after asking for the feed.
  function sync() {
    var token = store(feedKey);
    var now = stars();
    var recent = Date.now() - Number(store(syncedAtKey) || 0) < HOUR;
    if (!token || (store(syncedKey) === now && recent)) return;
    var list;
    try { list = JSON.parse(now); } catch (e) { return; }
    fetch("/e/" + encodeURIComponent(slug) + "/calendar/stars", {
      method: "PUT",
      headers: { "Content-Type": "application/json", "Authorization": "Bearer " + token },
      body: JSON.stringify({ stars: list }),
    }).then(function (r) {
      if (r.status === 204) { store(syncedKey, now); store(syncedAtKey, String(Date.now())); }
      else if (r.status === 404) forget();
    }).catch(function () { /* offline: the next page load tries again */ });
  }

  // board.js toggles a star in its own click handler, which runs first.
  document.addEventListener("click", function (event) {
    if (event.target.closest("button.star")) setTimeout(sync, 0);
  });
  sync();
})();

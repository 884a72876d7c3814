// openspace service worker, served from /sw.js (scope: the whole site) after the line
// self.OS = {version, assets, later} and outbox.js (openspace/web/offline.py).
// README "Offline phones".
var ASSETS = "os-assets-" + self.OS.version, PAGES = "os-pages";
var KEPT = /^\/(e\/[^/]+\/(s\/[^/]+|propose|meetup)?|api\/events\/[^/]+\/board)$/;
var BOARD = /^\/e\/[^/]+\/$/, FORM = /^\/e\/[^/]+\/(propose|meetup)$/;

function urls(names) { return names.map(function (n) { return self.OS.assets[n] || n; }); }

self.addEventListener("install", function (e) {
  var now = Object.keys(self.OS.assets).filter(function (n) { return self.OS.later.indexOf(self.OS.assets[n]) < 0; });
  e.waitUntil(caches.open(ASSETS).then(function (c) { return c.addAll(urls(now)); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return /^os-assets-/.test(n) && n !== ASSETS; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

// Only complete, storable answers are kept (edit-key pages are no-store).
function keep(key, response) {
  if (response.status !== 200 || /no-store/.test(response.headers.get("Cache-Control"))) return;
  var copy = response.clone();
  return caches.open(PAGES).then(function (c) { return c.put(key, copy); });
}

// The kept copy, its page marked with the time it was fetched (for offline.js's banner).
function kept(key, page) {
  return caches.open(PAGES).then(function (c) { return c.match(key); }).then(function (hit) {
    if (!hit) throw new Error("nothing kept");
    if (!page) return hit;
    var at = Date.parse(hit.headers.get("Date")) || 0;
    return hit.text().then(function (html) {
      return new Response(html.replace('data-live=""', 'data-live="" data-offline-at="' + at + '"'), { headers: hit.headers });
    });
  });
}

// Once a board was seen: its forms and the outbox scripts, so that writing works offline.
function rest(path) {
  var slug = path.split("/")[2];
  return caches.open(PAGES).then(function (pages) {
    return Promise.all(["propose", "meetup"].map(function (f) {
      var url = "/e/" + slug + "/" + f;
      return pages.match(url).then(function (hit) { return hit || fetch(url).then(function (r) { return keep(url, r); }); });
    }));
  }).then(function () { return caches.open(ASSETS); }).then(function (c) {
    return Promise.all(self.OS.later.map(function (u) {
      return c.match(u).then(function (hit) { return hit || c.add(u); });
    }));
  }).catch(function () {});
}

// A form posted with no network: into the outbox, and show the board.
function queue(path, form) {
  var slug = path.split("/")[2], v = function (n) { return String(form.get(n) || ""); };
  var item = { slug: slug, kind: "meetup", url: "/api/events/" + slug + "/meetups",
    body: { title: v("title"), place: v("place").trim() || v("spot"), minutes: parseInt(v("minutes"), 10) || null } };
  // "In 30 minutes" counts from now, not from when the network comes back; "at a time
  // today" is read in the phone's own zone (at the conference, the event's).
  var at = /^(\d{1,2}):(\d{2})$/.exec(v("at")), starts = new Date();
  if (v("when") === "later") starts.setMinutes(starts.getMinutes() + 30);
  if (v("when") === "at" && at) starts.setHours(+at[1], +at[2], 0, 0);
  if (v("when") === "later" || (v("when") === "at" && at)) item.body.starts = starts.toISOString();
  if (/propose$/.test(path)) {
    var cell = v("cell").split("/");
    if (!cell[1]) throw new Error("no cell");
    item = { slug: slug, kind: "propose", url: "/api/events/" + slug + "/sessions",
      body: { title: v("title"), description: v("description"), host: v("host"), room: cell[0], slot: cell[1],
        tags: v("tags").split(",").filter(function (t) { return t.trim(); }) } };
  }
  return self.openspaceOutbox.add(item).then(function () { return Response.redirect("/e/" + slug + "/", 303); });
}

self.addEventListener("fetch", function (e) {
  var req = e.request, url = new URL(req.url), path = url.pathname;
  if (url.origin !== location.origin) return;
  if (req.method === "POST" && req.mode === "navigate" && FORM.test(path)) {
    var copy = req.clone();
    e.respondWith(fetch(req).catch(function () {
      return copy.formData().then(function (form) { return queue(path, form); });
    }));
  } else if (req.method !== "GET") {
    return;
  } else if (/^\/static\/[^/]+\.[0-9a-f]{10}\./.test(path)) {
    e.respondWith(caches.match(req).then(function (hit) { return hit || fetch(req); }));
  } else if (KEPT.test(path) && !url.searchParams.has("key")) {
    var page = path.indexOf("/api/") !== 0;
    e.respondWith(fetch(req).then(function (r) {
      e.waitUntil(Promise.resolve(keep(path, r)).then(function () { if (BOARD.test(path) && r.ok) return rest(path); }));
      return r;
    }, function (error) {
      return kept(path, page).catch(function () { throw error; });
    }));
  }
});

self.addEventListener("sync", function (e) {
  if (e.tag === "openspace-outbox") {
    e.waitUntil(self.openspaceOutbox.flush().then(function (left) { if (left) throw new Error("retry later"); }));
  }
});

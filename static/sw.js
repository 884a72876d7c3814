// openspace service worker, served from /sw.js (scope: the whole site) with
// self.OS = {version, assets} prepended by the server (openspace/web/offline.py).
//  - Fingerprinted assets: cache first (their names change with their content).
//  - Board and session pages, the propose and meetup forms, the board JSON: network
//    first; the last good copy of each is kept, and served only when the network fails,
//    marked data-offline-at (the time it was fetched) for offline.js's banner.
//  - Never cached: anything with an edit key, the desk, edit pages, no-store answers.
//  - A propose/meetup form posted while the network is down goes to the outbox
//    (outbox.js, IndexedDB) and the board is shown; it is sent when the network is back
//    (Background Sync here, or the page's online/load handlers).
importScripts(self.OS.assets["outbox.js"]);
var ASSETS = "os-assets-" + self.OS.version, PAGES = "os-pages";
var KEPT = /^\/(e\/[^/]+\/(s\/[^/]+|propose|meetup)?|api\/events\/[^/]+\/board)$/;

self.addEventListener("install", function (e) {
  e.waitUntil(caches.open(ASSETS).then(function (c) {
    return c.addAll(Object.keys(self.OS.assets).map(function (k) { return self.OS.assets[k]; }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("os-assets-") === 0 && n !== ASSETS; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function keep(key, response) {
  var cc = response.headers.get("Cache-Control") || "";
  if (response.status !== 200 || /no-store/.test(cc)) return;
  var copy = response.clone();
  caches.open(PAGES).then(function (c) { return c.put(key, copy); });
}

function stale(key, page) {
  return caches.open(PAGES).then(function (c) { return c.match(key); }).then(function (hit) {
    if (!hit) throw new Error("offline, nothing kept");
    if (!page) return hit;
    var at = Date.parse(hit.headers.get("Date")) || 0;
    return hit.text().then(function (html) {
      return new Response(html.replace('data-live=""', 'data-live="" data-offline-at="' + at + '"'),
        { headers: hit.headers });
    });
  });
}

// The event's forms are kept as soon as its board is seen, so they open offline.
function prefetchForms(path) {
  var slug = path.split("/")[2];
  ["propose", "meetup"].forEach(function (f) {
    var url = "/e/" + slug + "/" + f;
    caches.open(PAGES).then(function (c) {
      return c.match(url).then(function (hit) {
        if (!hit) return fetch(url, { credentials: "same-origin" }).then(function (r) { keep(url, r); });
      });
    }).catch(function () {});
  });
}

function formToItem(path, form) {
  var slug = path.split("/")[2], v = function (n) { return (form.get(n) || "").toString(); };
  if (/\/propose$/.test(path)) {
    var cell = v("cell").split("/");
    return { slug: slug, kind: "propose", url: "/api/events/" + slug + "/sessions",
      body: { title: v("title"), description: v("description"), host: v("host"),
        tags: v("tags").split(",").filter(function (t) { return t.trim(); }), room: cell[0], slot: cell[1] } };
  }
  return { slug: slug, kind: "meetup", url: "/api/events/" + slug + "/meetups",
    body: { title: v("title"), place: v("place").trim() || v("spot"), minutes: parseInt(v("minutes"), 10) || null } };
}

self.addEventListener("fetch", function (e) {
  var req = e.request, url = new URL(req.url), path = url.pathname;
  if (url.origin !== location.origin) return;
  if (req.method === "POST" && req.mode === "navigate" && /^\/e\/[^/]+\/(propose|meetup)$/.test(path)) {
    var copy = req.clone();
    e.respondWith(fetch(req).catch(function () {
      return copy.formData().then(function (form) {
        var item = formToItem(path, form);
        if (item.kind === "propose" && !item.body.slot) throw new Error("no cell");
        return self.openspaceOutbox.add(item);
      }).then(function () { return Response.redirect("/e/" + path.split("/")[2] + "/", 303); });
    }));
    return;
  }
  if (req.method !== "GET") return;
  if (/^\/static\/[^/]+\.[0-9a-f]{10}\./.test(path)) {
    e.respondWith(caches.match(req).then(function (hit) {
      return hit || fetch(req).then(function (r) {
        if (r.ok) { var c = r.clone(); caches.open(ASSETS).then(function (cache) { cache.put(req, c); }); }
        return r;
      });
    }));
    return;
  }
  if (!KEPT.test(path) || url.searchParams.has("key")) return;
  var page = path.indexOf("/api/") !== 0;
  e.respondWith(fetch(req).then(function (r) {
    keep(path, r);
    if (page && /^\/e\/[^/]+\/$/.test(path) && r.ok) prefetchForms(path);
    return r;
  }).catch(function (error) {
    return stale(path, page).catch(function () { throw error; });
  }));
});

self.addEventListener("sync", function (e) {
  if (e.tag !== "openspace-outbox") return;
  e.waitUntil(self.openspaceOutbox.flush().then(function (waiting) {
    if (waiting) throw new Error("still waiting: retry later");
  }));
});

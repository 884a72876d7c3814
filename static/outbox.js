// openspace outbox: writes kept in IndexedDB until the server answered them, for pages
// and the service worker alike; each carries its own Idempotency-Key, so sending it
// again (another tab, the worker, after a lost answer) is carried out once.
(function (g) {
  "use strict";
  var STORE = "outbox", running = null;

  function db() {
    return new Promise(function (ok, ko) {
      var r = indexedDB.open("openspace", 1);
      r.onupgradeneeded = function () { r.result.createObjectStore(STORE, { keyPath: "key" }); };
      r.onsuccess = function () { ok(r.result); };
      r.onerror = function () { ko(r.error); };
    });
  }

  function tx(mode, work) {
    return db().then(function (d) {
      return new Promise(function (ok, ko) {
        var t = d.transaction(STORE, mode), req = work(t.objectStore(STORE));
        t.oncomplete = function () { d.close(); ok(req && req.result); };
        t.onerror = t.onabort = function () { d.close(); ko(t.error); };
      });
    });
  }

  function key() {
    if (g.crypto.randomUUID) return g.crypto.randomUUID();
    return Array.prototype.map.call(g.crypto.getRandomValues(new Uint8Array(16)),
      function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function all() {
    return tx("readonly", function (s) { return s.getAll(); }).then(function (items) {
      return items.sort(function (a, b) { return a.created - b.created; });
    });
  }

  function put(item) { return tx("readwrite", function (s) { return s.put(item); }).then(function () { changed(); return item; }); }

  function changed() {
    if (g.document) g.dispatchEvent(new Event("openspace-outbox"));
    else if (g.clients) g.clients.matchAll().then(function (cs) { cs.forEach(function (c) { c.postMessage("openspace-outbox"); }); });
  }

  // One send: true if the item is settled (sent or refused), false to try again later.
  function send(item) {
    return fetch(item.url, {
      method: item.method || "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Idempotency-Key": item.key },
      body: JSON.stringify(item.body),
    }).then(function (r) {
      return r.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { /* not JSON */ }
        var error = data && data.error;
        if (error && error.code === "idempotency_key_in_flight") return false;
        if (r.status >= 500) return false;
        item.state = r.ok ? "sent" : "refused";
        if (r.ok) item.reply = data; else item.error = error || { message: "refused (" + r.status + ")" };
        return put(item).then(function () { return true; });
      });
    }, function () { return false; });
  }

  // Send every waiting item, oldest first; resolves with how many still wait.
  function flush() {
    if (running) return running;
    running = all().then(function (items) {
      var waiting = items.filter(function (i) { return i.state === "waiting"; }), left = 0;
      return waiting.reduce(function (p, item) {
        return p.then(function () { return send(item).then(function (done) { if (!done) left++; }); });
      }, Promise.resolve()).then(function () { return left; });
    }).then(function (left) { running = null; return left; }, function (e) { running = null; throw e; });
    return running;
  }

  g.openspaceOutbox = {
    all: all,
    flush: flush,
    put: put,
    add: function (item) {
      item.key = item.key || key();
      item.created = Date.now();
      item.state = "waiting";
      return put(item);
    },
    remove: function (k) { return tx("readwrite", function (s) { return s.delete(k); }).then(changed); },
  };
})(self);

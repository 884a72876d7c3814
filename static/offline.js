// openspace offline, page side (README "Offline phones"): registers /sw.js, keeps a
// first visit's page, says "Offline — as of 10:42", marks slots over by this phone's
// clock, and queues writes that cannot be sent (os.send). The outbox (outbox.js) and
// its view (offline-ui.js) load only once there is something to show.
(function () {
  "use strict";
  var os = (window.openspace = window.openspace || {});
  var me = document.currentScript, sw = navigator.serviceWorker;
  var region = document.querySelector("[data-live]") || document.querySelector("main");
  if (!region || !window.indexedDB || !window.Promise) return;
  var loading = null;

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    e.textContent = text || "";
    if (cls) e.className = cls;
    return e;
  }
  os.el = el;

  function script(src) {
    return new Promise(function (ok, ko) {
      var s = el("script");
      s.src = src;
      s.onload = ok;
      s.onerror = ko;
      document.head.appendChild(s);
    });
  }

  // The outbox and its view, loaded once.
  os.outbox = function () {
    loading = loading || script(me.getAttribute("data-outbox")).then(function () {
      return script(me.getAttribute("data-ui"));
    }).then(function () { return window.openspaceOutbox; });
    return loading;
  };

  // Not yet under the worker: keep this page from the DOM, not by fetching it again.
  if (sw && !sw.controller && window.caches && /^\/e\/[^/]+\/(s\/[^/]+)?$/.test(location.pathname)) {
    var copy = document.documentElement.cloneNode(true);
    copy.querySelectorAll(".live-status").forEach(function (e) { e.remove(); });
    caches.open("os-pages").then(function (c) {
      return c.put(location.pathname, new Response("<!DOCTYPE html>\n" + copy.outerHTML, {
        headers: { "Content-Type": "text/html; charset=utf-8", Date: new Date().toUTCString() } }));
    }).catch(function () {});
  }

  var banner = el("p", "", "offline-banner");
  banner.setAttribute("role", "status");
  banner.hidden = true;
  region.parentNode.insertBefore(banner, region);

  function hhmm(ms) {
    var d = new Date(ms);
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  function markOver() {
    var now = Date.now();
    document.querySelectorAll("[data-ends]:not(.over)").forEach(function (e) {
      if (Date.parse(e.getAttribute("data-ends")) > now) return;
      e.classList.add("over");
      var where = e.querySelector("h1, h2") || e;
      where.insertBefore(el("span", "Over", "label over-label"), where.firstChild);
    });
  }

  var overTimer = null, lastLive = Date.now();
  function offline(since) {
    var shown = document.querySelector("[data-live]");
    var at = shown && shown.getAttribute("data-offline-at");
    banner.textContent = "Offline — as of " + hhmm(at ? parseInt(at, 10) : since);
    banner.hidden = false;
    markOver();
    clearInterval(overTimer);
    overTimer = setInterval(markOver, 30000);
  }

  function online() {
    banner.hidden = true;
    clearInterval(overTimer);
    if (os.flush) os.flush();
  }

  os.send = function (url, init) {
    var key = crypto.randomUUID ? crypto.randomUUID() : Date.now() + "-" + Math.random().toString(36).slice(2);
    init.headers = Object.assign({}, init.headers, { "Idempotency-Key": key });
    return fetch(url, init).catch(function () {
      return os.outbox().then(function () { return os.queue(key, url, init); });
    });
  };

  var badge = document.querySelector(".live-status");
  if (badge) {
    new MutationObserver(function () {
      var status = badge.getAttribute("data-status");
      if (status === "live") { lastLive = Date.now(); online(); }
      else if (status === "offline") offline(lastLive);
    }).observe(badge, { attributes: true, attributeFilter: ["data-status"] });
  }
  if (region.hasAttribute("data-offline-at") || !navigator.onLine) offline(Date.now());
  window.addEventListener("offline", function () { offline(Date.now()); });
  window.addEventListener("online", online);
  if (os.onRender) os.onRender(function () { if (!banner.hidden) markOver(); });

  // Anything in the outbox (made here, or by the worker from a form posted offline)?
  (indexedDB.databases ? indexedDB.databases() : Promise.resolve([{ name: "openspace" }]))
    .then(function (dbs) { if (dbs.some(function (d) { return d.name === "openspace"; })) os.outbox(); });

  if (sw) {
    sw.addEventListener("message", function (e) { if (e.data === "openspace-outbox") os.outbox(); });
    window.addEventListener("load", function () { sw.register("/sw.js").catch(function () {}); });
  }
})();

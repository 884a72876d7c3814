// openspace: the phone board's enhancements. Everything here is optional: without it
// the page still works with plain links and forms.
//  - "I'm going" through the JSON API with an anonymous id kept in localStorage, shared
//    with the os_attendee cookie that the plain form uses, so both ways agree. The
//    board's HTML is the same for everyone, so which sessions this visitor is going to
//    comes from /e/{slug}/me (asked once, only by a browser that has said "going"
//    before) and is marked on the buttons after every change.
//  - Stars kept in localStorage, and a "my sessions" filter.
(function () {
  "use strict";
  var os = window.openspace;

  function store(key, value) {
    try {
      if (value === undefined) return localStorage.getItem(key);
      localStorage.setItem(key, value);
    } catch (e) { /* private mode: enhancements just do not persist */ }
    return null;
  }

  function cookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([A-Za-z0-9_-]+)"));
    return m ? m[1] : null;
  }

  // This browser's anonymous id; the cookie (which the plain form uses too) is only
  // set once it says "going", so its presence means there is state to ask /me about.
  function attendee() {
    var id = store("openspace.attendee") || cookie("os_attendee");
    if (!id) {
      var bytes = crypto.getRandomValues(new Uint8Array(12));
      id = btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_");
    }
    store("openspace.attendee", id);
    return id;
  }

  function keepAttendeeCookie(id) {
    document.cookie = "os_attendee=" + id + "; path=/; max-age=31536000; samesite=lax" +
      (location.protocol === "https:" ? "; secure" : "");
  }

  var slug = document.querySelector("[data-live]").getAttribute("data-slug");
  var starKey = "openspace.stars." + slug;
  var mineKey = "openspace.mine." + slug;
  var me = attendee();

  var going = {};   // session id -> true, for this visitor

  function markGoing(region) {
    region.querySelectorAll("button[form=going]").forEach(function (button) {
      var on = going[button.value] === true;
      if ((button.name === "leave") === on) return;
      button.name = on ? "leave" : "join";
      button.className = on ? "on" : "";
      button.textContent = on ? "\u2713 Going \u2014 undo" : "I\u2019m going";
    });
  }

  if (cookie("os_attendee")) {
    fetch("/e/" + encodeURIComponent(slug) + "/me", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { going: [] }; })
      .then(function (me) {
        me.going.forEach(function (id) { going[id] = true; });
        var region = document.querySelector("[data-live]");
        if (region) markGoing(region);
      })
      .catch(function () {});
  }

  function stars() {
    try { return JSON.parse(store(starKey) || "[]"); } catch (e) { return []; }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[form=going]");
    if (!button) return;
    event.preventDefault();
    var joining = button.name === "join";
    button.disabled = true;
    keepAttendeeCookie(me);
    // offline.js's send queues the write when the network is down (README "Offline phones").
    (os.send || fetch)("/api/events/" + encodeURIComponent(slug) + "/sessions/" +
          encodeURIComponent(button.value) + "/going", {
      method: joining ? "POST" : "DELETE",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ attendee: me }),
    }).then(function (r) {
      if (!r.ok) throw new Error("going failed");
      // The count arrives with the live event; the button is this visitor's own.
      if (joining) going[button.value] = true; else delete going[button.value];
      button.disabled = false;
      markGoing(document.querySelector("[data-live]"));
    }).catch(function () {
      // Fall back to the plain form, which works without the API.
      button.disabled = false;
      button.form.requestSubmit(button);
    });
  });

  function toggleStar(id) {
    var list = stars();
    var at = list.indexOf(id);
    if (at < 0) list.push(id); else list.splice(at, 1);
    store(starKey, JSON.stringify(list));
  }

  // Every change re-runs this on the whole board: write only what differs, so an
  // unchanged card costs no style or layout work.
  function apply(region) {
    var starred = stars();
    var onlyMine = store(mineKey) === "1";
    region.querySelectorAll(".card[data-session-id]").forEach(function (card) {
      var on = starred.indexOf(card.getAttribute("data-session-id")) >= 0;
      var button = card.querySelector("button.star");
      if (!button) {
        button = document.createElement("button");
        button.type = "button";
        button.className = "star";
        card.querySelector(".going").appendChild(button);
      }
      var pressed = on ? "true" : "false";
      if (button.getAttribute("aria-pressed") !== pressed) {
        button.setAttribute("aria-pressed", pressed);
        button.textContent = on ? "\u2605 Starred" : "\u2606 Star";
      }
      var hide = onlyMine && !on && !card.classList.contains("detail");
      if (card.hidden !== hide) card.hidden = hide;
    });
    region.querySelectorAll("section.slot").forEach(function (section) {
      var hide = onlyMine && !section.querySelector(".card:not([hidden])");
      if (section.hidden !== hide) section.hidden = hide;
    });
    var filters = region.querySelector("#filters");
    if (filters && !filters.firstChild) {
      var label = document.createElement("label");
      var box = document.createElement("input");
      box.type = "checkbox";
      box.id = "only-mine";
      label.htmlFor = "only-mine";
      label.appendChild(box);
      label.appendChild(document.createTextNode(" Show only my starred sessions"));
      filters.appendChild(label);
    }
    var box2 = region.querySelector("#only-mine");
    if (box2) box2.checked = onlyMine;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.star");
    if (!button) return;
    toggleStar(button.closest(".card").getAttribute("data-session-id"));
    apply(document.querySelector("[data-live]"));
  });

  document.addEventListener("change", function (event) {
    if (event.target.id !== "only-mine") return;
    store(mineKey, event.target.checked ? "1" : "0");
    apply(document.querySelector("[data-live]"));
  });

  os.onRender(apply);

  os.onRender(function (region) { markGoing(region); });
})();

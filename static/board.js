// openspace: the phone board's enhancements. Everything here is optional: without it
// the page still works with plain links and forms.
//  - "I'm going" through the JSON API with an anonymous id kept in localStorage, shared
//    with the os_attendee cookie that the plain form uses, so both ways agree.
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

  function attendee() {
    var id = store("openspace.attendee") || cookie("os_attendee");
    if (!id) {
      var bytes = crypto.getRandomValues(new Uint8Array(12));
      id = btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_");
    }
    store("openspace.attendee", id);
    document.cookie = "os_attendee=" + id + "; path=/; max-age=31536000; samesite=lax" +
      (location.protocol === "https:" ? "; secure" : "");
    return id;
  }

  var slug = document.querySelector("[data-live]").getAttribute("data-slug");
  var starKey = "openspace.stars." + slug;
  var mineKey = "openspace.mine." + slug;
  var me = attendee();

  function stars() {
    try { return JSON.parse(store(starKey) || "[]"); } catch (e) { return []; }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[form=going]");
    if (!button) return;
    event.preventDefault();
    var joining = button.name === "join";
    button.disabled = true;
    // offline.js's send queues the write when the network is down (README "Offline phones").
    (os.send || fetch)("/api/events/" + encodeURIComponent(slug) + "/sessions/" +
          encodeURIComponent(button.value) + "/going", {
      method: joining ? "POST" : "DELETE",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ attendee: me }),
    }).then(function (r) {
      if (!r.ok) throw new Error("going failed");
      return os.refresh();
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

  function apply(region) {
    var starred = stars();
    var onlyMine = store(mineKey) === "1";
    region.querySelectorAll(".card[data-session-id]").forEach(function (card) {
      var id = card.getAttribute("data-session-id");
      var on = starred.indexOf(id) >= 0;
      var button = card.querySelector("button.star");
      if (!button) {
        button = document.createElement("button");
        button.type = "button";
        button.className = "star";
        card.querySelector(".going").appendChild(button);
      }
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? "★ Starred" : "☆ Star";
      card.hidden = onlyMine && !on && !card.classList.contains("detail");
    });
    region.querySelectorAll("section.slot").forEach(function (section) {
      section.hidden = onlyMine && !section.querySelector(".card:not([hidden])");
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

  // "I'm going" is the most frequent change: the count is updated in place, so a
  // thousand phones do not each fetch the board again for it.  live.js loads after
  // this file, hence the wait for "load".
  var FILL_WORDS = {roomy: "Roomy", filling: "Filling up", full: "Full"};

  function goingInPlace(events) {
    if (!events.every(function (e) { return e.type === "going_set"; })) return false;
    events.forEach(function (e) {
      e.put.sessions.forEach(function (session) {
        var card = '.card[data-session-id="' + CSS.escape(session.id) + '"] ';
        document.querySelectorAll(card + ".count").forEach(function (count) {
          count.textContent = count.textContent.replace(/^\d+/, String(session.going));
        });
        // The capacity badge follows the count (its words, not only its colour).
        document.querySelectorAll(card + ".fill").forEach(function (badge) {
          if (!session.fill) return;
          badge.setAttribute("data-fill", session.fill);
          badge.textContent = FILL_WORDS[session.fill];
        });
      });
    });
    return true;
  }
  window.addEventListener("load", function () {
    if (os.live) os.live.onEvents(goingInPlace);
  });
})();

// openspace: the kiosk's own script. screen.js keeps the rooms current (changes and the
// clock); this rotates the room pages that do not fit on one screen and keeps the clock
// in the header going.
(function () {
  "use strict";
  var page = 0;

  function rotate() {
    var pages = document.querySelectorAll("[data-live] .page");
    if (pages.length < 2) return;
    page = (page + 1) % pages.length;
    show(pages);
  }

  function show(pages) {
    pages.forEach(function (element, index) { element.hidden = index !== page % pages.length; });
  }

  function tick() {
    var region = document.querySelector("[data-live]");
    var clock = region && region.querySelector(".clock time");
    if (!clock) return;
    var text = new Intl.DateTimeFormat("en-GB", {
      hour: "2-digit", minute: "2-digit", timeZone: region.getAttribute("data-timezone"),
    }).format(new Date());
    if (clock.textContent !== text) clock.textContent = text;
  }

  window.openspace.onRender(function (region) {
    show(region.querySelectorAll(".page"));
    tick();
  });
  var region = document.querySelector("[data-live]");
  var seconds = parseInt(region.getAttribute("data-rotate") || "0", 10);
  if (seconds > 0) setInterval(rotate, seconds * 1000);
  setInterval(tick, 10000);
})();

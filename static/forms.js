// openspace: what the forms do with JavaScript (they all work without it).
// - A refused form's error summary takes the focus; its links focus their field.
// - "Copy the link" copies a private link (Clipboard API, else selects it to copy).
// - "Cancel the session…" asks here instead of on a second page.
// - Typing a time on the meetup form picks "At a time today".
(function () {
  "use strict";

  function focusField(target) {
    var field = target.matches("input, select, textarea")
      ? target
      : target.querySelector("input:not([type=hidden]), select, textarea");
    (field || target).focus();
  }

  function errorSummary() {
    var summary = document.getElementById("error-summary");
    if (!summary) return;
    if (document.activeElement !== summary) summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      event.preventDefault();
      target.scrollIntoView({ block: "center" });
      focusField(target);
    });
  }

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function copyButtons() {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-copy"));
      var status = button.parentNode.querySelector(".copy-status");
      if (!source) return;
      button.hidden = false;
      function say(text) { if (status) status.textContent = text; }
      function fallback() {
        selectText(source);
        say("Selected: copy it with your device's Copy command.");
      }
      button.addEventListener("click", function () {
        var text = source.textContent;
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(function () { say("Copied."); }, fallback);
        } else {
          fallback();
        }
      });
    });
  }

  function confirmSteps() {
    document.querySelectorAll("form[data-confirm]").forEach(function (opener) {
      var question = document.getElementById(opener.getAttribute("data-confirm"));
      if (!question) return;
      var openButton = opener.querySelector("button");
      opener.addEventListener("submit", function (event) {
        event.preventDefault();
        question.hidden = false;
        opener.hidden = true;
        question.querySelector("button[type=submit]").focus();
      });
      question.querySelectorAll("[data-dismiss]").forEach(function (keep) {
        keep.addEventListener("click", function (event) {
          event.preventDefault();
          question.hidden = true;
          opener.hidden = false;
          openButton.focus();
        });
      });
    });
  }

  function meetupTime() {
    var time = document.getElementById("at");
    var at = document.querySelector("input[name=when][value=at]");
    if (!time || !at) return;
    time.addEventListener("input", function () { if (time.value) at.checked = true; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    errorSummary();
    copyButtons();
    confirmSteps();
    meetupTime();
  });
})();

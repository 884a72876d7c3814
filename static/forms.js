// openspace: what the forms do with JavaScript (they all work without it).
// - A refused form's error summary takes the focus; its links focus their field.
// - "Copy the link" copies a private link (Clipboard API, else selects it to copy).
// - A session's "Share…" opens the share sheet (Web Share API), else copies its link.
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

  // Copies the text of `source`, saying how in the button's status line.
  function copier(button, source) {
    var status = button.parentNode.querySelector(".copy-status");
    function say(text) { if (status) status.textContent = text; }
    function fallback() {
      selectText(source);
      say("Selected: copy it with your device's Copy command.");
    }
    return function () {
      var text = source.textContent;
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { say("Copied."); }, fallback);
      } else {
        fallback();
      }
    };
  }

  function copyButtons() {
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) return;
      button.hidden = false;
      button.addEventListener("click", copier(button, source));
    });
  }

  // A session's link: the phone's share sheet where there is one, else copied.
  function shareButtons() {
    document.querySelectorAll("button[data-share]").forEach(function (button) {
      var link = document.getElementById(button.getAttribute("data-share"));
      if (!link) return;
      var copy = copier(button, link);
      button.textContent = navigator.share ? "Share…" : "Copy the link";
      button.hidden = false;
      button.addEventListener("click", function () {
        if (!navigator.share) return copy();
        // Read when pressed: a live update may have renamed the session.
        var title = document.getElementById(button.getAttribute("data-title"));
        // Dismissing the share sheet rejects: nothing to say about it.
        navigator.share({
          title: title ? title.textContent : document.title,
          url: link.href
        }).catch(function () {});
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
    shareButtons();
    confirmSteps();
    meetupTime();
  });
})();

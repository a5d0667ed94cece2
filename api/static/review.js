// Keyboard shortcuts on a pair: c confirm, r reject, u unsure, n next pair.
// Not while typing a note; not with a modifier key (browser shortcuts stay theirs).
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var key = event.key.toLowerCase();
    if (key === "n") {
      var next = document.getElementById("next-pair");
      if (next) { event.preventDefault(); window.location.href = next.href; }
      return;
    }
    var button = document.querySelector('#decision-form button[data-key="' + key + '"]');
    if (button) {
      event.preventDefault();
      var form = button.form;
      if (form.dataset.sent) return; // one decision per page load
      form.dataset.sent = "1";
      if (form.requestSubmit) { form.requestSubmit(button); } else { button.click(); }
    }
  });
})();

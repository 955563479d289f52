// The "Copy link" button on an appointment's page: progressive enhancement. Without JavaScript
// the button stays hidden and the link is plain selectable text; with it, one press copies the
// link and says so where screen readers hear it.
(function () {
  "use strict";
  function wire() {
    document.querySelectorAll("button[data-copy]").forEach((button) => {
      const field = document.getElementById(button.dataset.copy);
      const status = document.getElementById(button.dataset.copy + "-status");
      if (!field || !navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", () => {
        navigator.clipboard.writeText(field.value).then(
          () => { if (status) status.textContent = "Link copied."; },
          () => { field.select(); if (status) status.textContent = "Select the link and copy it."; }
        );
      });
    });
  }
  document.addEventListener("DOMContentLoaded", wire);
  document.addEventListener("htmx:afterSettle", wire);
})();

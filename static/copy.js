// The "Copy link" button on an appointment's page: progressive enhancement. Without JavaScript
// the button stays hidden and the link is plain selectable text; with it, one press copies the
// link and says so where screen readers hear it. The script sits beside the button, so it also
// runs when htmx swaps the page in (boosted navigation loads no new head scripts).
(function () {
  "use strict";
  function wire() {
    document.querySelectorAll("button[data-copy]:not([data-wired])").forEach((button) => {
      const field = document.getElementById(button.dataset.copy);
      const status = document.getElementById(button.dataset.copy + "-status");
      if (!field || !navigator.clipboard) return;
      button.dataset.wired = "yes";
      button.hidden = false;
      button.addEventListener("click", () => {
        navigator.clipboard.writeText(field.value).then(
          () => { if (status) status.textContent = "Link copied."; },
          () => { field.select(); if (status) status.textContent = "Select the link and copy it."; }
        );
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();

// "Check all on this page" in the review queue: progressive enhancement. Without JavaScript
// the box stays hidden and the page offers a plain link that reloads it with every row checked;
// with it, the box checks or clears every row of the page at once and follows the rows (one
// unchecked row clears it). The script sits beside the table, so it also runs after an htmx swap.
(function () {
  "use strict";
  function wire() {
    document.querySelectorAll("input[data-check-all]:not([data-wired])").forEach((all) => {
      const boxes = Array.from(document.querySelectorAll(
        "input[type=checkbox][form='" + all.dataset.checkAll + "'][name=id]"));
      if (boxes.length === 0) return;
      all.dataset.wired = "yes";
      const wrapper = all.closest("[data-enhanced]");
      if (wrapper) wrapper.hidden = false;
      const follow = () => {
        const checked = boxes.filter((box) => box.checked).length;
        all.checked = checked === boxes.length;
        all.indeterminate = checked > 0 && checked < boxes.length;
      };
      all.addEventListener("change", () => {
        boxes.forEach((box) => { box.checked = all.checked; });
        follow();
      });
      boxes.forEach((box) => box.addEventListener("change", follow));
      follow();
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();

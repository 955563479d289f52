// Patient pages with htmx: a change to an answer saves the page and swaps its questions in
// (those turned on or off, calculations, messages). What the patient typed while that save was on
// its way is put back into the new fields, with the caret where it was, so nothing typed is lost.
(function () {
  "use strict";
  const FIELDS = "#page-fields input[id]:not([type=radio]):not([type=checkbox]):not([type=hidden]), #page-fields textarea[id]";
  let sent = null;

  function values() {
    const map = new Map();
    document.querySelectorAll(FIELDS).forEach((field) => map.set(field.id, field.value));
    return map;
  }

  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.elt.id === "page-fields") sent = values();
  });

  document.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.elt.id !== "page-fields" || sent === null) return;
    const typed = [...values()].filter(([id, value]) => sent.get(id) !== value);
    const active = document.activeElement;
    const caret = active && "selectionStart" in active
      ? [active.id, active.selectionStart, active.selectionEnd] : null;
    sent = null;
    if (typed.length === 0) return;
    document.addEventListener("htmx:afterSettle", function restore() {
      document.removeEventListener("htmx:afterSettle", restore);
      for (const [id, value] of typed) {
        const field = document.getElementById(id);
        if (field) field.value = value;
      }
      const focused = caret && document.getElementById(caret[0]);
      if (focused && document.activeElement === focused) {
        try { focused.setSelectionRange(caret[1], caret[2]); } catch (_) { /* date inputs */ }
      }
    });
  });
})();

// Patient pages with htmx: a change to an answer saves the page and swaps its questions in
// (those turned on or off, calculations, messages). What the patient typed while that save was on
// its way is put back into the new fields, with the caret where it was, so nothing typed is lost.
(function () {
  "use strict";
  const FIELDS = "#page-fields input[id]:not([type=radio]):not([type=checkbox]):not([type=hidden]):not([type=file]), #page-fields textarea[id]";
  // A live save comes from the page's fields, or from a long list's search box as the patient
  // types in it (the same save, with the matches for the words typed).
  const live = (elt) => elt.id === "page-fields" || (elt.hasAttribute && elt.hasAttribute("data-search"));
  let sent = null;

  // Enter in a search box searches at once rather than pressing the page's Next.
  document.addEventListener("keydown", (event) => {
    const box = event.target;
    if (event.key !== "Enter" || !box.matches || !box.matches("input[data-search]") || !window.htmx) return;
    event.preventDefault();
    window.htmx.trigger(box, "search-now");
  });

  function values() {
    const map = new Map();
    document.querySelectorAll(FIELDS).forEach((field) => map.set(field.id, field.value));
    return map;
  }

  document.addEventListener("htmx:beforeRequest", (event) => {
    if (live(event.detail.elt)) sent = values();
  });

  // Files never go with a live save (as text they would read "[object File]").
  document.addEventListener("htmx:configRequest", (event) => {
    const d = event.detail.formData;
    if (live(event.detail.elt) && d) [...d].forEach(([k, v]) => { if (typeof v !== "string") d.delete(k); });
  });

  document.addEventListener("htmx:beforeSwap", (event) => {
    if (!live(event.detail.elt)) return;
    // A date half typed (its month in, not yet its year) has no value to put back: the field
    // being typed in is kept as it is across the swap.
    const typing = document.activeElement;
    if (typing && typing.id && /^(date|time|datetime-local|month)$/.test(typing.type) && typing.closest("#page-fields")) {
      const id = 'id="' + typing.id + '"';
      event.detail.serverResponse = event.detail.serverResponse.replace(id, id + " hx-preserve");
    }
    if (sent === null) return;
    const typed = [...values()].filter(([id, value]) => sent.get(id) !== value);
    const active = document.activeElement;
    const caret = active && "selectionStart" in active
      ? [active.id, active.selectionStart, active.selectionEnd] : null;
    sent = null;
    if (typed.length === 0) return;
    // At once after the swap, in the same task: a beacon sent later (the page hidden before
    // htmx settles) must find what was typed, not the saved values.
    document.addEventListener("htmx:afterSwap", function restore() {
      document.removeEventListener("htmx:afterSwap", restore);
      for (const [id, value] of typed) {
        const field = document.getElementById(id);
        if (field) field.value = value;
      }
    });
    document.addEventListener("htmx:afterSettle", function place() {
      document.removeEventListener("htmx:afterSettle", place);
      const focused = caret && document.getElementById(caret[0]);
      if (focused && document.activeElement === focused) {
        try { focused.setSelectionRange(caret[1], caret[2]); } catch (_) { /* date inputs */ }
      }
    });
  });
})();

// Issue 17 (see web/patient/flow.rs): typing saves after a pause and when the page is hidden
// (sendBeacon outlives the page; the CSRF token is in the body); the idle warning; busy buttons.
(function () {
  "use strict";
  const page = () => document.querySelector("form[data-keep-url]");
  let dirty = false, timer = null, idle = null;
  // Every save says when the page sent it (microseconds, counting up): saves can overtake one
  // another on the way (a live save, then the beacon as the page is hidden), and the server
  // keeps the answers of the one sent last.
  let last = 0;
  function stamp() {
    last = Math.max(last + 1, Math.floor((performance.timeOrigin + performance.now()) * 1000));
    return String(last);
  }
  // The answers without the files, as for a live save.
  function body(f) {
    const b = new URLSearchParams([...new FormData(f)].filter(([, v]) => typeof v === "string"));
    b.set("sent_at", stamp());
    return b;
  }
  const post = (url, f) => fetch(url, { method: "POST", body: body(f), keepalive: true, credentials: "same-origin" });

  function keep() {
    clearTimeout(timer);
    const f = page();
    if (!f || !dirty) return;
    dirty = false;
    post(f.dataset.keepUrl, f).then(seen, () => { dirty = true; });
  }
  function hide() {
    const f = page();
    if (!f || !dirty) return;
    dirty = false;
    if (!navigator.sendBeacon || !navigator.sendBeacon(f.dataset.keepUrl, body(f))) post(f.dataset.keepUrl, f);
  }
  // `typed` counts edits: a live save (htmx, which the closing page aborts) clears `dirty` only
  // once it has answered and nothing was typed meanwhile, so hiding the page during it still
  // sends the beacon.
  let typed = 0, live = -1;
  const liveSave = (elt) => elt.id === "page-fields" || (elt.hasAttribute && elt.hasAttribute("data-search"));
  document.addEventListener("input", (e) => {
    if (!e.target.closest || !e.target.closest("form[data-keep-url]")) return;
    dirty = true;
    typed += 1;
    clearTimeout(timer);
    timer = setTimeout(keep, 800);
  });
  document.addEventListener("htmx:beforeRequest", (e) => {
    if (liveSave(e.detail.elt)) { live = typed; clearTimeout(timer); }
  });
  document.addEventListener("htmx:configRequest", (e) => {
    const d = e.detail.formData;
    if (d && e.detail.elt.closest && e.detail.elt.closest("form[data-keep-url]")) d.set("sent_at", stamp());
  });
  document.addEventListener("htmx:afterRequest", (e) => {
    if (!liveSave(e.detail.elt)) return;
    if (e.detail.successful && live === typed) dirty = false;
    else if (dirty) timer = setTimeout(keep, 800);
  });
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") hide(); });
  window.addEventListener("pagehide", hide);

  function seen() {
    clearTimeout(idle);
    const w = document.getElementById("idle-warning");
    if (!w) return;
    w.hidden = true;
    const s = Number(w.dataset.idleSeconds) || 0;
    if (s > 60) idle = setTimeout(() => { w.hidden = false; }, (s - 60) * 1000);
  }
  document.addEventListener("htmx:afterRequest", seen);
  document.addEventListener("htmx:afterSettle", seen);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", seen); else seen();

  document.addEventListener("submit", (e) => {
    const f = e.target, b = e.submitter;
    if (!(f instanceof HTMLFormElement)) return;
    if (f.matches("form[data-keep-url]")) {
      let s = f.elements.namedItem("sent_at");
      if (!s) f.append(s = Object.assign(document.createElement("input"), { type: "hidden", name: "sent_at" }));
      s.value = stamp();
      // A live save still on its way would swap in the page as it was before this submit.
      const fields = document.getElementById("page-fields");
      if (fields && window.htmx) window.htmx.trigger(fields, "htmx:abort");
    }
    const stop = () => { e.preventDefault(); e.stopImmediatePropagation(); };
    if (f.closest("#idle-warning")) { stop(); post(f.action, f).then(seen); return; }
    if (!f.dataset.busy) return;
    if (f.dataset.sending) { stop(); return; }
    if (!b || (b.name === "nav" && b.value.indexOf(":") >= 0)) return;
    f.dataset.sending = "yes";
    b.classList.add("busy");
    b.setAttribute("aria-disabled", "true");
    b.insertAdjacentHTML("afterend", '<p class="busy-note" role="status"></p>');
    b.nextElementSibling.textContent = f.dataset.busy;
    dirty = false;
    clearTimeout(timer);
  }, true);
  function ready() {
    document.querySelectorAll("form[data-sending]").forEach((f) => { delete f.dataset.sending; });
    document.querySelectorAll("button.busy").forEach((b) => { b.classList.remove("busy"); b.removeAttribute("aria-disabled"); });
    document.querySelectorAll(".busy-note").forEach((n) => n.remove());
  }
  window.addEventListener("pageshow", ready);
  document.addEventListener("htmx:afterRequest", (e) => { if (e.detail.elt.tagName === "FORM") ready(); });
})();

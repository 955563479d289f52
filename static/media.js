// Photos and drawn signatures on the patient's pages, loaded only by pages that ask for one.
// Without this script a photo goes with the page as a plain multipart form post, and a typed
// full name signs a consent.
//
// The page carries this script in its body, so it also runs when htmx swaps a page in; it
// sets its listeners up once and wires each new drawing pad.
(function () {
  "use strict";
  if (window.intakeMedia) {
    window.intakeMedia.wire();
    return;
  }
  const LONGEST = 2000;

  // A photo scaled down on the device (phones take 12-megapixel photos; a card needs far
  // less), upright, as JPEG. Anything else, or a browser that cannot, sends the file as chosen
  // and the server says what is wrong with it.
  async function scaled(file, accept) {
    if (!/^image\/(jpeg|png)$/.test(file.type) || !accept.includes("image/jpeg") ||
        !window.createImageBitmap) return file;
    try {
      const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
      const ratio = Math.min(1, LONGEST / Math.max(bitmap.width, bitmap.height));
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * ratio);
      canvas.height = Math.round(bitmap.height * ratio);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      const blob = await new Promise((done) => canvas.toBlob(done, "image/jpeg", 0.85));
      return blob && blob.size < file.size ? blob : file;
    } catch (_) {
      return file;
    }
  }

  // Sends the page with the photo to its live-save address and swaps the questions in, as
  // htmx does for a changed answer. On failure the photo stays chosen and goes with Next.
  async function send(input, file) {
    const fields = document.getElementById("page-fields");
    const status = document.getElementById("page-status");
    if (!fields || !input.form) return;
    if (status) status.textContent = input.dataset.sending || "";
    input.setAttribute("aria-busy", "true");
    const body = new FormData(input.form);
    body.delete(input.name);
    body.delete("nav");
    // A drawing still on its pad goes with Next, not with this save.
    input.form.querySelectorAll("input[data-drawing]").forEach((d) => body.delete(d.name));
    body.append(input.name, await scaled(file, input.accept), "photo");
    try {
      const response = await fetch(fields.getAttribute("hx-post"), {
        method: "POST", body, credentials: "same-origin", headers: { "HX-Request": "true" },
      });
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const next = page.getElementById("page-fields");
      if (!next) throw new Error("no page");
      // A drawing pad keeps what is drawn on it, as htmx's hx-preserve does.
      next.querySelectorAll("[data-pad][id]").forEach((pad) => {
        const old = document.getElementById(pad.id);
        if (old) pad.replaceWith(old);
      });
      fields.replaceWith(next);
      if (window.htmx) window.htmx.process(next);
      wire();
      const said = page.getElementById("page-status");
      if (status && said) status.textContent = said.textContent;
      const again = document.getElementById(input.id);
      if (again) again.focus();
    } catch (_) {
      input.removeAttribute("aria-busy");
      if (status) status.textContent = "";
    }
  }

  // Captured before htmx hears it: htmx would save the page without the file.
  document.addEventListener("change", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.matches("input[type=file][data-photo]")) return;
    event.stopPropagation();
    const file = input.files && input.files[0];
    if (file) send(input, file);
  }, true);

  // Whether the browser can put a drawing into a file input (DataTransfer); without it the
  // pad stays hidden and the typed name signs.
  function canAttach() {
    try {
      return typeof DataTransfer === "function" && !!new DataTransfer().items;
    } catch (_) {
      return false;
    }
  }

  // A drawing pad: strokes by pointer (a finger, a pen or a mouse) on a white canvas; after
  // each stroke the drawing goes into the field's file input as a PNG, sent with the page.
  function pad(root) {
    const canvas = root.querySelector("canvas");
    const input = root.querySelector("input[data-drawing]");
    const clear = root.querySelector("[data-clear]");
    const status = root.querySelector("[data-pad-status]");
    if (!canvas || !input || !clear) return;
    const ratio = Math.min(window.devicePixelRatio || 1, 2);
    const context = canvas.getContext("2d");
    let strokes = 0, last = null;

    function blank() {
      context.fillStyle = "#fff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.lineWidth = 2.5 * ratio;
      context.lineCap = "round";
      context.lineJoin = "round";
      context.strokeStyle = "#111";
    }
    function size() {
      const box = canvas.getBoundingClientRect();
      if (!box.width) return;
      canvas.width = Math.round(box.width * ratio);
      canvas.height = Math.round(box.height * ratio);
      blank();
    }
    // A point in the canvas's own pixels, from where the box is now (a phone turned sideways
    // stretches the box, not the drawing's coordinates).
    function at(event) {
      const box = canvas.getBoundingClientRect();
      return [(event.clientX - box.left) * canvas.width / box.width,
        (event.clientY - box.top) * canvas.height / box.height];
    }
    function say(text) {
      if (status) status.textContent = text || "";
    }
    function attach() {
      canvas.toBlob((blob) => {
        if (!blob || strokes === 0) return;
        const files = new DataTransfer();
        files.items.add(new File([blob], "signature.png", { type: "image/png" }));
        input.files = files.files;
        say(canvas.dataset.drawn);
      }, "image/png");
    }

    canvas.addEventListener("pointerdown", (event) => {
      if (event.button !== 0 && event.pointerType === "mouse") return;
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      last = at(event);
      context.beginPath();
      context.arc(last[0], last[1], context.lineWidth / 2, 0, 2 * Math.PI);
      context.fillStyle = context.strokeStyle;
      context.fill();
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!last) return;
      event.preventDefault();
      const points = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
      context.beginPath();
      context.moveTo(last[0], last[1]);
      for (const point of points.length ? points : [event]) {
        last = at(point);
        context.lineTo(last[0], last[1]);
      }
      context.stroke();
    });
    function end(event) {
      if (!last) return;
      last = null;
      if (canvas.hasPointerCapture(event.pointerId)) canvas.releasePointerCapture(event.pointerId);
      strokes += 1;
      attach();
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    clear.addEventListener("click", () => {
      strokes = 0;
      blank();
      input.value = "";
      say(canvas.dataset.cleared);
    });
    size();
  }

  // Shows and wires the drawing pads not wired yet (a live save may bring one in); a pad kept
  // through a swap is already wired and keeps its drawing.
  function wire() {
    if (!canAttach()) return;
    document.querySelectorAll("[data-signature]").forEach((field) => { field.hidden = false; });
    document.querySelectorAll("[data-pad]:not([data-wired])").forEach((root) => {
      root.dataset.wired = "yes";
      root.hidden = false;
      pad(root);
    });
  }

  // The copy's print button (the page prints without it too, from the browser's menu).
  function printButton() {
    const print = document.querySelector("[data-print]");
    if (print && print.hidden) {
      print.hidden = false;
      print.addEventListener("click", () => window.print());
    }
  }

  window.intakeMedia = { wire: () => { wire(); printButton(); } };
  document.addEventListener("htmx:load", wire);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", window.intakeMedia.wire);
  } else {
    window.intakeMedia.wire();
  }
})();

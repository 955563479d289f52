// Photos and drawn signatures on the patient's pages, loaded only by pages that ask for one.
// Without this script a photo goes with the page as a plain multipart form post, and a typed
// full name signs a consent.
(function () {
  "use strict";
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
    body.append(input.name, await scaled(file, input.accept), "photo");
    try {
      const response = await fetch(fields.getAttribute("hx-post"), {
        method: "POST", body, credentials: "same-origin", headers: { "HX-Request": "true" },
      });
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const next = page.getElementById("page-fields");
      if (!next) throw new Error("no page");
      fields.replaceWith(next);
      if (window.htmx) window.htmx.process(next);
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

  // The copy's print button (the page prints without it too, from the browser's menu).
  const print = document.querySelector("[data-print]");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", () => window.print());
  }
})();

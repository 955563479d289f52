// Live preview (intake forms preview only): reload the page when the form's YAML changes, and
// show compile and lint problems at the top of every page.
(function () {
  "use strict";
  let version = null;

  function show(problems) {
    let banner = document.getElementById("preview-problems");
    if (problems.length === 0) {
      if (banner) banner.remove();
      return;
    }
    if (!banner) {
      banner = document.createElement("div");
      banner.id = "preview-problems";
      banner.className = "preview-problems";
      banner.setAttribute("role", "alert");
      document.body.prepend(banner);
    }
    const text = document.createElement("pre");
    text.textContent = problems.join("\n");
    banner.replaceChildren(text);
  }

  async function poll() {
    try {
      const response = await fetch("/preview/status", { cache: "no-store" });
      const status = await response.json();
      if (version !== null && status.version !== version) {
        window.location.reload();
        return;
      }
      version = status.version;
      show(status.problems);
    } catch (error) {
      // The preview server is restarting; keep polling.
    }
    window.setTimeout(poll, 1000);
  }

  poll();
})();

// xieguan: behaviour shared by every page. Page-specific code lives in one file per page.
document.addEventListener("htmx:configRequest", (event) => {
  // Send the CSRF token with every htmx request (the cookie is readable by design).
  const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
  if (match) event.detail.headers["X-CSRFToken"] = decodeURIComponent(match[1]);
});
htmx.config.includeIndicatorStyles = false;
// A table wider than the screen scrolls sideways: make its scroller reachable by keyboard too.
function focusableScrollers(root) {
  root.querySelectorAll(".table-responsive").forEach((box) => {
    if (box.scrollWidth > box.clientWidth && !box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
  });
}
focusableScrollers(document);
document.addEventListener("htmx:afterSettle", (event) => focusableScrollers(event.target));

// A link marked data-download makes a file that may take a while (the province's lead register:
// about 10 s before the download starts). Clicked, it is disabled and says 正在生成文件，请稍候…
// (announced by the status region #xg-download-status in base.html) until the file starts to
// download, so nobody clicks twice: the page follows the link with a token (?xg_download=…), the
// server sets the cookie xg_dl_<token> on its answer (xieguan/lib/downloads.py), and the page
// looks for that cookie every 300 ms. Without JavaScript it is a plain link.
(function () {
  const status = document.getElementById("xg-download-status");
  const GIVE_UP_AFTER = 10 * 60 * 1000;
  if (!status || !window.crypto || !crypto.getRandomValues) return;

  function token() {
    return Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function busy(link) {
    const label = Array.from(link.childNodes);
    const spinner = document.createElement("span");
    spinner.className = "spinner-border spinner-border-sm me-1";
    spinner.setAttribute("aria-hidden", "true");
    link.replaceChildren(spinner, document.createTextNode(status.dataset.busy));
    link.setAttribute("aria-disabled", "true");
    link.classList.add("disabled");
    status.textContent = status.dataset.busy;
    return (started) => {
      link.replaceChildren(...label);
      link.removeAttribute("aria-disabled");
      link.classList.remove("disabled");
      status.textContent = started ? status.dataset.started : "";
    };
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest ? event.target.closest("a[data-download]") : null;
    if (!link) return;
    if (link.getAttribute("aria-disabled") === "true") {
      event.preventDefault(); // being made: a second click would make it again
      return;
    }
    if (event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey || link.target) return;
    event.preventDefault();
    const id = token();
    const cookie = "xg_dl_" + id;
    const url = new URL(link.href, location.href);
    url.searchParams.set("xg_download", id);
    const restore = busy(link);
    const since = Date.now();
    const timer = setInterval(() => {
      const started = document.cookie.split("; ").some((c) => c.startsWith(cookie + "="));
      if (!started && Date.now() - since < GIVE_UP_AFTER) return;
      clearInterval(timer);
      document.cookie = `${cookie}=; Max-Age=0; path=/; SameSite=Lax`;
      restore(started);
    }, 300);
    location.assign(url.href);
  });
})();

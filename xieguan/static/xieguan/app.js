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

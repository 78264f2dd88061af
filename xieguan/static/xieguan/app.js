// xieguan: behaviour shared by every page. Page-specific code lives in one file per page.
document.addEventListener("htmx:configRequest", (event) => {
  // Send the CSRF token with every htmx request (the cookie is readable by design).
  const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
  if (match) event.detail.headers["X-CSRFToken"] = decodeURIComponent(match[1]);
});
htmx.config.includeIndicatorStyles = false;

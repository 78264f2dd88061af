// API token pages: ask before revoking (it cannot be undone); select the new key for copying.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
const key = document.getElementById("new-token");
if (key) key.addEventListener("focus", () => key.select());

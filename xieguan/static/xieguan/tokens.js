// API token pages: select the new key for copying. (Revoking asks first through the page's one
// confirm dialog, static/xieguan/confirm.js, from the form's data-confirm.)
const key = document.getElementById("new-token");
if (key) key.addEventListener("focus", () => key.select());

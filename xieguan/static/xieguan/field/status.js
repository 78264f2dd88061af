// xieguan field app's entry, loaded on every page (base.html). It imports the offline code only
// where it is used, so an office page downloads none of it (docs/offline.md, "Weight"):
// - an assistant's page has the status bar (field/_status.html, rendered for assistants only):
//   status-bar.js registers the service worker, shows the sync status and runs the sync loop;
//   _status.html names its modules in <link rel="modulepreload">, so they arrive in parallel
//   with this file rather than one import after another;
// - the login page: the offline pages of whoever used the phone before leave the cache
//   (prepare.forget); that account's outbox stays on the phone, and is sent when it logs in again.
// Other roles never queue anything (the outbox and the offline forms are the assistant's), so
// their pages load only this file.
const bar = document.getElementById("xg-status");
if (bar) {
  import("./status-bar.js");
} else if (location.pathname === "/login/") {
  import("./prepare.js").then((m) => m.forget()).catch(() => {});
}

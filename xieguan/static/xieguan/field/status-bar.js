// xieguan field app on an assistant's page (imported by status.js when the page has the status
// bar): registers the service worker, shows the sync status (已同步 / 待上传 N 项 / 上次同步时间 /
// 离线) in the bar under the menu, runs the sync loop, and refreshes the offline pages when online
// and they are older than REFRESH_AFTER. When the server says the session ended (401) and records
// wait, it asks for the password in place (relogin.js) and then sends them.
import * as outbox from "./outbox.js";
import * as relogin from "./relogin.js";
import { syncAll } from "./sync.js";
import { formatTime, prepare } from "./prepare.js";

const REFRESH_AFTER = 6 * 60 * 60 * 1000;
const bar = document.getElementById("xg-status");
const user = bar.dataset.user;
const dialog = relogin.setup(document.getElementById("xg-relogin"), {
  onLoggedIn: async () => {
    await syncAll({ force: true });
    await render();
  },
});

// register() resolves only after the browser has fetched /sw.js to look for a new version, which
// on a poor network (or offline, until it gives up) takes seconds: start() attaches the status bar
// and the online listener without waiting for it (a network returning in those seconds used to go
// unnoticed until the next timer), and waits for it only before the page-open sync, so that a new
// deployment's worker is in control before anything is sent.
async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data && event.data.type === "xieguan-sync") {
      syncAll({ force: true }).then(() => event.ports[0] && event.ports[0].postMessage("done"));
    }
  });
  try {
    const reg = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    // Ask for a new version on every page opened online (the browser alone may wait a while):
    // a deployment reaches the phone at the next page, and takes over at once.
    if (navigator.onLine) reg.update().catch(() => {});
  } catch (e) {
    // no service worker (private mode, http on a LAN address): the app works online as before
  }
}

function text(el, value) {
  if (el && el.textContent !== value) el.textContent = value;
}

async function render() {
  const items = await outbox.mine(user);
  const waiting = items.filter((i) => ["waiting", "sending"].includes(i.state)).length;
  const refused = items.filter((i) => ["refused", "conflict"].includes(i.state)).length;
  const auth = items.some((i) => i.state === "auth");
  const last = await outbox.getMeta("last_sync_at");
  const online = navigator.onLine;
  let state;
  let label;
  if (!online) {
    state = "offline";
    label = items.length ? `离线 · 待上传 ${items.length} 项` : "离线";
  } else if (auth) {
    state = "auth";
    label = `登录已失效 · 待上传 ${items.length} 项`;
  } else if (refused) {
    state = "refused";
    label = `${refused} 项被退回` + (waiting ? ` · 待上传 ${waiting} 项` : "");
  } else if (waiting) {
    state = "waiting";
    label = `待上传 ${waiting} 项`;
  } else {
    state = "synced";
    label = "已同步";
  }
  bar.dataset.state = state;
  if (state === "auth") dialog.ask();
  bar.dataset.pending = String(items.length);
  text(bar.querySelector("[data-status-label]"), label);
  text(bar.querySelector("[data-status-time]"), last ? `上次同步 ${formatTime(last)}` : "尚未同步");
}

// Not while the page itself is loading: 离线准备 starts once the page has been open a while
// (AUTO_PREPARE_DELAY), so it never competes with what the user just opened.
const AUTO_PREPARE_DELAY = 15000;
let prepareTimer = null;
function autoPrepareSoon() {
  clearTimeout(prepareTimer);
  prepareTimer = setTimeout(autoPrepare, AUTO_PREPARE_DELAY);
}

async function autoPrepare() {
  if (!navigator.onLine || bar.dataset.role !== "assistant") return;
  const prepared = await outbox.getMeta("prepared");
  if (prepared && Date.now() - Date.parse(prepared.at) < REFRESH_AFTER) return;
  try {
    await prepare();
  } catch (e) {
    // tried again at the next page or when the network returns
  }
}

async function start() {
  // The second factor's verify page: the login is not finished, nothing is sent from it (the
  // API would answer 401 and the password dialog would cover the code field).
  if (location.pathname.startsWith("/login/verify/")) return;
  const registered = registerWorker();
  outbox.onChange(render);
  // 登录已失效: tapping the status asks for the password again (if put off with 稍后).
  bar.querySelector(".xg-status-link").addEventListener("click", (event) => {
    if (bar.dataset.state !== "auth") return;
    event.preventDefault();
    dialog.reopen();
  });
  window.addEventListener("online", () => {
    render();
    syncAll({ force: true });
    autoPrepareSoon();
  });
  window.addEventListener("offline", render);
  await render();
  await registered;
  if (navigator.onLine) {
    await syncAll();
    await render();
    autoPrepareSoon();
  }
}

start();

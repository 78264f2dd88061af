// xieguan field app: the outbox page (/field/outbox/). Lists each waiting record of this
// account with its state and any refusal, small thumbnails of its photos, and lets the user
// send now, correct (reopens the form with the queued record) or discard (asks first).
import * as outbox from "./outbox.js";
import { KIND_LABELS, SENDABLE, currentUser, syncAll } from "./sync.js";
import { formatBytes, formatTime, prepare } from "./prepare.js";

const user = currentUser();
const list = document.getElementById("outbox-list");
const empty = document.getElementById("outbox-empty");
const sentList = document.getElementById("sent-list");
const sentEmpty = document.getElementById("sent-empty");
const syncButton = document.getElementById("sync-now");
const syncHint = document.getElementById("sync-hint");
let syncing = false;
const STATES = {
  waiting: ["等待上传", "text-bg-warning"],
  sending: ["正在上传", "text-bg-info"],
  refused: ["被退回，需要修改", "text-bg-danger"],
  conflict: ["与他人修改冲突", "text-bg-danger"],
  auth: ["需要重新登录", "text-bg-danger"],
};
let urls = [];

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  Object.entries(attrs).forEach(([k, v]) => {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  });
  node.append(...children.filter(Boolean));
  return node;
}

export function editUrl(item) {
  if (item.kind === "inspection") return `/inspections/new/${item.employer_id}/?outbox=${item.id}`;
  return item.edit_url || "";
}

// The ledger's fields, as the form labels them (the conflict table names them so).
const LABELS = {
  name: "单位名称",
  credit_code: "统一社会信用代码",
  region: "所在村(社区)",
  address: "地址",
  legal_representative: "法定代表人",
  phone: "联系电话",
  industry: "行业类别",
  industry_code: "行业代码",
  hazard_categories: "危害类别",
  hazard_factors: "危害因素",
  radiation_work: "放射工作",
  construction_project: "建设项目",
  workers: "职工人数",
  exposed_workers: "接害人数",
  status: "经营状态",
  closed_reason: "关闭原因",
  serious_hazard: "严重危害",
  declaration_date: "申报日期",
  declaration_receipt: "申报回执",
};
const SKIP = new Set(["version", "client_uuid", "id", "csrfmiddlewaretoken"]);

function same(a, b) {
  const norm = (v) => (Array.isArray(v) ? v.map(String).sort().join(",") : v == null ? "" : String(v));
  return norm(a) === norm(b);
}

// A conflict (409) shows what this phone sent beside what the server has now.
function conflictTable(item) {
  const c = item.conflict || {};
  const mine = c.submitted || {};
  const theirs = c.current || {};
  const labels = LABELS;
  const keys = Object.keys(mine).filter((k) => !SKIP.has(k) && k in theirs && !same(mine[k], theirs[k]));
  if (!keys.length) return null;
  const rows = keys.map((k) =>
    el("tr", {}, el("th", { text: labels[k] || k }), el("td", { text: String(mine[k] ?? "") }), el("td", { text: String(theirs[k] ?? "") }))
  );
  return el(
    "table",
    { class: "table table-sm mt-2 mb-0", "data-testid": "conflict" },
    el("thead", {}, el("tr", {}, el("th", { text: "项目" }), el("th", { text: "我的修改" }), el("th", { text: "服务器上的新版本" }))),
    el("tbody", {}, ...rows)
  );
}

async function itemRow(item) {
  const [label, tone] = STATES[item.state] || [item.state, "text-bg-secondary"];
  const li = el("li", { class: "list-group-item", "data-testid": "outbox-item", "data-id": item.id, "data-state": item.state });
  const head = el(
    "div",
    { class: "d-flex flex-wrap align-items-baseline gap-2" },
    el("span", { class: `badge ${tone}`, text: label }),
    el("span", { class: "fw-semibold", text: `${KIND_LABELS[item.kind] || item.kind} · ${item.title || ""}` })
  );
  li.append(head, el("div", { class: "small text-body-secondary", text: `记录于 ${formatTime(item.created_at)}` }));
  if (item.problems && item.problems.length && ["refused", "conflict"].includes(item.state)) {
    li.append(el("ul", { class: "text-danger mb-1 mt-1", "data-testid": "refusal" }, ...item.problems.map((p) => el("li", { text: p }))));
  } else if (item.message) {
    li.append(el("div", { class: "small mt-1", text: item.message }));
  }
  const table = item.state === "conflict" ? conflictTable(item) : null;
  if (table) li.append(el("div", { class: "table-responsive" }, table));
  const photos = await outbox.photosOf(item.id);
  if (photos.length) {
    const thumbs = el("div", { class: "xg-thumbs mt-2" });
    photos.forEach((p) => {
      if (!p.thumb && !p.blob.type.startsWith("image/")) {
        thumbs.append(el("span", { class: "badge text-bg-light border", text: p.name || "文件" }));
        return;
      }
      const url = URL.createObjectURL(p.thumb || p.blob);
      urls.push(url);
      thumbs.append(el("img", { src: url, alt: "照片缩略图" }));
    });
    li.append(thumbs);
  }
  const actions = el("div", { class: "xg-item-actions mt-2" });
  const edit = editUrl(item);
  if (edit) actions.append(el("a", { class: "btn btn-outline-primary xg-tap", href: edit, "data-testid": "edit", text: "修改" }));
  const discard = el("button", { type: "button", class: "btn btn-outline-danger xg-tap", "data-testid": "discard", text: "放弃" });
  discard.addEventListener("click", async () => {
    const what = `${KIND_LABELS[item.kind] || "记录"}“${item.title || ""}”`;
    if (!window.confirm(`放弃后，${what}将从手机上删除，不会上传，也无法恢复。确定放弃吗？`)) return;
    await outbox.remove(item.id);
  });
  actions.append(discard);
  li.append(actions);
  return li;
}

// 立即上传 is the page's main action only when it has something to do: primary while a record
// waits and the phone is online; otherwise shown as not actionable (outlined grey, disabled) with
// the reason beside it: only refused records (sent after 修改), or no network (the outbox goes by
// itself when the network returns). An empty outbox needs no reason: its card says 没有待上传的记录.
function showSyncButton(items) {
  const sendable = items.filter((i) => SENDABLE.includes(i.state)).length;
  let hint = "";
  if (!sendable) hint = items.length ? "被退回的记录修改后才能上传" : "";
  else if (!navigator.onLine) hint = "现在没有网络，联网后自动上传";
  const ready = sendable > 0 && navigator.onLine;
  syncButton.disabled = !ready || syncing;
  syncButton.classList.toggle("btn-primary", ready);
  syncButton.classList.toggle("btn-outline-secondary", !ready);
  syncHint.textContent = hint;
  syncHint.hidden = !hint;
}

async function render() {
  urls.forEach((u) => URL.revokeObjectURL(u));
  urls = [];
  const items = await outbox.mine(user);
  showSyncButton(items);
  list.replaceChildren(...(await Promise.all(items.map(itemRow))));
  empty.hidden = items.length > 0;
  // "Saved on the phone, sent when online" is over once the outbox is empty (sent meanwhile).
  if (!items.length) document.getElementById("queued-note").hidden = true;
  const sent = (await outbox.getMeta("sent")) || [];
  sentList.replaceChildren(
    ...sent.map((s) =>
      el(
        "li",
        { class: "list-group-item" },
        s.url ? el("a", { href: s.url, text: `${KIND_LABELS[s.kind] || s.kind} · ${s.title || ""}` }) : el("span", { text: s.title }),
        el("span", { class: "small text-body-secondary ms-2", text: formatTime(s.at) })
      )
    )
  );
  sentEmpty.hidden = sent.length > 0;
  const prepared = await outbox.getMeta("prepared");
  const info = document.getElementById("prepared-info");
  info.textContent = prepared
    ? `上次准备：${formatTime(prepared.at)}，${prepared.pages} 个页面，共 ${formatBytes(prepared.bytes)}` +
      (prepared.failed ? `（${prepared.failed} 个未能下载）` : "") + "。"
    : "尚未做离线准备。";
}

syncButton.addEventListener("click", async () => {
  syncing = true;
  syncButton.disabled = true;
  try {
    await syncAll({ force: true });
  } finally {
    syncing = false;
    await render();
  }
});
window.addEventListener("online", render);
window.addEventListener("offline", render);
document.getElementById("prepare").addEventListener("click", async (event) => {
  const progress = document.getElementById("prepare-progress");
  event.target.disabled = true;
  try {
    const result = await prepare((done, total) => (progress.textContent = `正在下载 ${done}/${total}…`));
    await render(); // 上次准备 is up to date when 完成 shows
    progress.textContent = `完成：${result.pages} 个页面，${formatBytes(result.bytes)}。`;
  } catch (e) {
    progress.textContent = navigator.onLine ? e.message : "现在没有网络，联网后再做离线准备。";
    render();
  }
  event.target.disabled = false;
});
// The app's version: the service worker's (it changes with each deployment).
export async function workerVersion() {
  const worker = navigator.serviceWorker && navigator.serviceWorker.controller;
  if (!worker) return "";
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => resolve(event.data);
    worker.postMessage({ type: "xieguan-version" }, [channel.port2]);
    setTimeout(() => resolve(""), 3000);
  });
}
async function showVersion() {
  const version = await workerVersion();
  document.getElementById("app-version").textContent = version ? `应用版本 ${version}` : "";
}
if ("serviceWorker" in navigator) navigator.serviceWorker.addEventListener("controllerchange", showVersion);
showVersion();

if (location.hash === "#queued") document.getElementById("queued-note").hidden = false;
outbox.onChange(render);
render();

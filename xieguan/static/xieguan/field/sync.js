// xieguan field app: the sync loop. Sends the outbox, oldest first, to the JSON API (/api/v1/).
// Every record carries its client UUID, and the server treats a repeat of a UUID as the same
// record, so sending again after a lost answer (a page closed mid-upload, a flapping network)
// stores it once. An item leaves the outbox only on a 2xx answer. A refusal keeps it, with the
// server's Chinese message, until the user corrects or discards it. A network failure or a
// server error keeps it waiting and schedules a retry with back-off (5 s, 10 s, 20 s ... 10 min).
//
// Runs when a page opens, when the network returns (online event), on the retry timer, when
// the service worker relays a Background Sync event, and right after something is queued.
// One tab at a time (Web Locks); the others just follow the outbox's changes.
import * as outbox from "./outbox.js";
import { dataUrl } from "./photo.js";

const LOCK = "xieguan-sync";
const SYNC_TAG = "xieguan-outbox";
const MAX_DELAY = 10 * 60 * 1000;

export const KIND_LABELS = {
  inspection: "巡查",
  complaint: "投诉举报",
  lead: "线索",
  assist: "协查记录",
  event: "宣传活动",
  consultation: "咨询指导",
  task: "任务回复",
  employer: "台账",
};

function csrf() {
  const m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
  return m ? decodeURIComponent(m[1]) : "";
}

export function post(url, body, { method = "POST", headers = {} } = {}) {
  return fetch(url, {
    method,
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), ...headers },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
}

// --- one sender per kind: item -> fetch Response -------------------------------------
async function photoPayload(owner) {
  const photos = await outbox.photosOf(owner);
  return Promise.all(
    photos.map(async (p) => ({
      image: await dataUrl(p.blob),
      taken_at: p.taken_at,
      latitude: p.latitude,
      longitude: p.longitude,
      caption: p.caption || "",
      item_number: p.item_number == null ? null : p.item_number,
    }))
  );
}

// Each photo of `item` not yet accepted, as multipart to `url` (its own client_uuid, so a photo
// whose answer was lost is stored once when sent again); the outbox remembers each one accepted.
// Returns the first failed response, or null when all are on the server.
async function sendPhotos(item, photos, url, headers, { field = "image", fields = [], filename = null } = {}) {
  const sent = new Set(item.sent_photos || []);
  for (const photo of photos) {
    if (sent.has(photo.id)) continue;
    const body = new FormData();
    body.append(field, photo.blob, filename || photo.name || "photo.jpg");
    body.append("client_uuid", photo.id);
    for (const key of fields) {
      if (photo[key] != null && photo[key] !== "") body.append(key, photo[key]);
    }
    const response = await fetch(url, {
      method: "POST",
      headers: { "X-CSRFToken": csrf(), ...headers },
      body,
      credentials: "same-origin",
    });
    if (!response.ok) return response;
    sent.add(photo.id);
    await outbox.update(item.id, { sent_photos: [...sent] });
  }
  return null;
}

function dig(data, path) {
  return path.split(".").reduce((value, key) => (value == null ? value : value[key]), data);
}

const senders = {
  // An inspection with photos goes in steps, each idempotent, the outbox remembering each step:
  // the draft (PUT, the inspection's UUID), then each photo as multipart to the photos endpoint
  // (its own client_uuid; not base64 in the JSON, a third fewer bytes), then the submission
  // (which completes the draft with its photos). Without photos, the submission alone.
  async inspection(item, headers) {
    const base = { ...item.payload, photos: [] };
    const photos = await outbox.photosOf(item.id);
    const sent = new Set(item.sent_photos || []);
    let inBody = false;
    if (photos.some((p) => !sent.has(p.id))) {
      if (!item.draft_saved) {
        // The draft only has to exist for its photos: without the signatures (absent = kept;
        // the submission carries them), so they are not sent twice.
        const draft = { ...base };
        delete draft.companion_signature;
        delete draft.assistant_signature;
        const url = `/api/v1/inspections/${item.id}/draft`;
        const response = await post(url, draft, { method: "PUT", headers });
        // 422: refused as a draft: already submitted (a record queued by an older version of the
        // app, whose answer was lost), or something the submission will name. The submission
        // then carries the photos itself, as before; it answers a repeat with the first result.
        if (response.status === 422) inBody = true;
        else if (!response.ok) return response;
        else await outbox.update(item.id, { draft_saved: true });
      }
      if (!inBody) {
        const failed = await sendPhotos(item, photos, `/api/v1/inspections/${item.id}/photos`, headers, {
          fields: ["taken_at", "latitude", "longitude", "caption", "item_number"],
          filename: "photo.jpg",
        });
        if (failed) return failed;
      }
    }
    const body = inBody ? { ...item.payload, photos: await photoPayload(item.id) } : base;
    return post("/api/v1/inspections/submit", body, { headers });
  },
  // A record made by a form (offline-forms.js): create it (idempotent by client_uuid), keep the
  // answer, then send each photo (idempotent by its own client_uuid), remembering which went.
  async form(item, headers) {
    let result = item.result;
    if (!result) {
      const response = await post(item.url, item.payload, { method: item.method || "POST", headers });
      if (!response.ok) return response;
      result = (await readJson(response)) || {};
      await outbox.update(item.id, { result });
    }
    const serverId = item.id_path ? dig(result, item.id_path) : "";
    if (item.photos_url) {
      const photos = await outbox.photosOf(item.id);
      const failed = await sendPhotos(item, photos, item.photos_url.replace("{id}", serverId), headers, {
        field: item.file_field || "image",
      });
      if (failed) return failed;
    }
    const url = item.done ? item.done.replace("{id}", serverId) : "";
    return new Response(JSON.stringify({ ...result, url }), {
      status: 200,
      headers: { "Content-Type": "application/json" },
    });
  },
};

// What the server gave back, as the outbox page shows it.
function acceptedUrl(item, data) {
  if (item.kind === "inspection" && data && data.inspection) return data.inspection.url;
  return (data && data.url) || "";
}

async function readJson(response) {
  try {
    return await response.json();
  } catch (e) {
    return null;
  }
}

function problemsOf(data, status) {
  if (data && Array.isArray(data.problems) && data.problems.length) return data.problems;
  if (data && typeof data.detail === "string" && status !== 404) return [data.detail];
  if (data && Array.isArray(data.detail)) {
    // The API's schema check (field names, English): said plainly, with the field.
    return data.detail.map((d) => `数据格式有误（${(d.loc || []).slice(-1)[0] || "?"}），请检查后重新保存。`);
  }
  if (status === 404) return ["服务器上找不到这条记录所属的单位或事项（可能已删除或不在您的辖区）。"];
  if (status === 403) return ["您的账号无权提交这条记录。"];
  return [`服务器拒绝了这条记录（${status}）。`];
}

function backoff(attempts) {
  const base = Math.min(MAX_DELAY, 5000 * 2 ** Math.max(0, attempts - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

async function remember(item, data) {
  const sent = (await outbox.getMeta("sent")) || [];
  sent.unshift({
    id: item.id,
    kind: item.kind,
    title: item.title,
    url: acceptedUrl(item, data),
    at: new Date().toISOString(),
    created: !data || data.created !== false,
  });
  await outbox.setMeta("sent", sent.slice(0, 20));
}

// Send one item. -> {outcome: accepted | refused | conflict | auth | offline | error, data}
// `headers`: extra request headers (the web form asks for its flash messages).
export async function sendOne(item, headers = {}) {
  const send = senders[item.kind] || (item.url ? senders.form : null);
  if (!send) return { outcome: "error", data: null };
  await outbox.update(item.id, { state: "sending" });
  // Whose record it is: the API refuses it (401) under another account's session.
  headers = { "X-Xieguan-User": item.user, ...headers };
  let response;
  try {
    response = await send(item, headers);
  } catch (e) {
    const attempts = (item.attempts || 0) + 1;
    await outbox.update(item.id, {
      state: "waiting",
      attempts,
      next_try_at: Date.now() + backoff(attempts),
      message: navigator.onLine ? "网络不稳定，稍后自动重试。" : "离线，联网后自动上传。",
    });
    return { outcome: "offline", data: null };
  }
  const data = await readJson(response);
  if (response.ok) {
    await remember(item, data);
    await outbox.remove(item.id);
    return { outcome: "accepted", data };
  }
  if (response.status === 401) {
    const message = (data && data.detail) || "登录已失效：请重新登录，登录后自动上传。";
    await outbox.update(item.id, { state: "auth", message });
    return { outcome: "auth", data };
  }
  if (response.status === 409) {
    const problems = problemsOf(data, 409);
    await outbox.update(item.id, { state: "conflict", message: problems.join(" "), problems, conflict: data });
    return { outcome: "conflict", data };
  }
  if (response.status >= 500 || response.status === 429 || response.status === 408) {
    const attempts = (item.attempts || 0) + 1;
    await outbox.update(item.id, {
      state: "waiting",
      attempts,
      next_try_at: Date.now() + backoff(attempts),
      message: `服务器暂时无法接收（${response.status}），稍后自动重试。`,
    });
    return { outcome: "error", data };
  }
  const problems = problemsOf(data, response.status);
  await outbox.update(item.id, { state: "refused", message: problems.join(" "), problems });
  return { outcome: "refused", data };
}

let timer = null;
function schedule(items, busy) {
  clearTimeout(timer);
  // "sending" with no sync running here: another tab is sending it, or a page was closed
  // mid-upload (its lock is released a moment later): look again soon.
  const next = items
    .filter((i) => ["waiting", "sending"].includes(i.state))
    .map((i) => (i.state === "sending" || busy ? Date.now() + 3000 : i.next_try_at || 0));
  if (!next.length) return;
  const delay = Math.max(1000, Math.min(...next) - Date.now());
  timer = setTimeout(() => syncAll(), Math.min(delay, MAX_DELAY));
}

function withLock(fn) {
  if (navigator.locks) return navigator.locks.request(LOCK, { ifAvailable: true }, (lock) => (lock ? fn() : null));
  return fn();
}

// The states syncAll sends (a refused or conflicting record waits for the user's 修改 instead).
export const SENDABLE = ["waiting", "sending", "auth"];

// Send every waiting item of `user` that is due. `force` ignores the retry schedule (the user
// tapped 立即上传, or the network just came back).
export async function syncAll({ user = currentUser(), force = false } = {}) {
  if (!user) return null;
  let ran = false;
  const result = await withLock(async () => {
    ran = true;
    const items = await outbox.mine(user);
    let sent = 0;
    for (const item of items) {
      const due = force || !item.next_try_at || item.next_try_at <= Date.now();
      // "sending" left over: the page was closed mid-upload. The UUID makes a resend safe.
      if (!SENDABLE.includes(item.state) || !due) continue;
      const { outcome } = await sendOne(item);
      if (outcome === "accepted") sent += 1;
      if (outcome === "offline" || outcome === "auth") break;
    }
    await outbox.setMeta("last_sync_at", new Date().toISOString());
    return { sent };
  });
  schedule(await outbox.mine(user), !ran);
  return result;
}

// Send one item now (the form's 提交), under the same lock as the loop.
// If the loop sent it first (保存 asks the browser for a background sync, and the worker's
// relay can start syncAll before this takes the lock), the record is no longer in the outbox:
// the answer is then the loop's, read from the list of sent records, so the form opens the
// record's page as if it had sent it itself. "gone" only when it was sent nowhere we know of.
export async function sendNow(id, headers = {}) {
  let result = { outcome: "gone", data: null };
  const run = async () => {
    const item = await outbox.get(id);
    if (item) {
      result = await sendOne(item, headers);
      return;
    }
    const sent = ((await outbox.getMeta("sent")) || []).find((s) => s.id === id);
    if (sent) result = { outcome: "accepted", data: { url: sent.url } };
  };
  if (navigator.locks) await navigator.locks.request(LOCK, run);
  else await run();
  return result;
}

export function currentUser() {
  const el = document.getElementById("xg-status");
  return el ? el.dataset.user : "";
}

// Ask the browser to wake the service worker when the network is back (Chromium's Background
// Sync); the worker relays it to an open page, which runs syncAll.
export async function requestBackgroundSync() {
  if (!("serviceWorker" in navigator)) return;
  try {
    const reg = await navigator.serviceWorker.ready;
    if (reg.sync) await reg.sync.register(SYNC_TAG);
  } catch (e) {
    // not available (another browser, or permission): the online event and the timer remain
  }
}

// Put a record in the outbox and try to send it at once.
export async function enqueue(item) {
  const record = await outbox.put(item);
  requestBackgroundSync();
  return record;
}

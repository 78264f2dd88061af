// xieguan field app: 离线准备. Downloads the pages an assistant needs in the field (the work
// list, the township's employers, a 附表1 form per employer, drafts, the outbox page...) into the
// cache the service worker answers navigations from when offline, and notes how much and when.
// The list of pages comes from the server (/field/prepare.json), scoped to the user.
import * as outbox from "./outbox.js";

export const PAGES_CACHE = "xieguan-pages";
const PARALLEL = 3;

export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function formatTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  const today = new Date();
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (d.toDateString() === today.toDateString()) return `今天 ${time}`;
  return `${d.getMonth() + 1}月${d.getDate()}日 ${time}`;
}

// -> {at, bytes, pages, failed}; onProgress(done, total)
export async function prepare(onProgress = () => {}) {
  const listResponse = await fetch("/field/prepare.json", { credentials: "same-origin" });
  if (!listResponse.ok || listResponse.redirected) throw new Error("无法获取离线清单（请确认已登录并联网）。");
  const { pages } = await listResponse.json();
  const cache = await caches.open(PAGES_CACHE);
  let bytes = 0;
  let done = 0;
  const failed = [];
  const queue = [...pages];
  async function worker() {
    while (queue.length) {
      const url = queue.shift();
      try {
        const response = await fetch(url, { credentials: "same-origin" });
        if (response.ok && !response.redirected) {
          const body = await response.clone().blob();
          bytes += body.size;
          await cache.put(url, response);
        } else failed.push(url);
      } catch (e) {
        failed.push(url);
      }
      done += 1;
      onProgress(done, pages.length);
    }
  }
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  // An employer's pages no longer on the list (closed, or moved out of the township) leave
  // the cache; other pages the user opened stay.
  const keep = new Set(pages.map((p) => new URL(p, location.href).href));
  const perEmployer = /\/(employers|inspections\/new)\/\d+\/$/;
  for (const request of await cache.keys()) {
    if (!keep.has(request.url) && perEmployer.test(new URL(request.url).pathname)) await cache.delete(request);
  }
  const result = { at: new Date().toISOString(), bytes, pages: pages.length - failed.length, failed: failed.length };
  await outbox.setMeta("prepared", result);
  return result;
}

// The pages of another account must not be shown to the next one: the login page clears them.
export async function forget() {
  if ("caches" in self) await caches.delete(PAGES_CACHE);
  await outbox.setMeta("prepared", null);
}

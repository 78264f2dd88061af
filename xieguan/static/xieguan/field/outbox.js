// xieguan field app: the outbox, in IndexedDB (through the vendored `idb`).
// Everything an assistant records waits here until the server has accepted it. An item is
// removed only when the server answered 2xx for it, or when the user discards it.
//
// Stores:
//   outbox  {id (the record's client UUID), kind, user, title, payload, photos: [photo ids],
//            state: waiting | sending | refused | conflict | auth, message, problems, attempts,
//            next_try_at, created_at, updated_at, ...kind-specific fields}
//   photos  {id, owner (the record's UUID), blob, thumb, taken_at, latitude, longitude, size}
//   meta    key -> value (last_sync_at, prepared: {at, bytes, pages}, ...)
import { openDB } from "../../vendor/idb/idb.js";

const DB_NAME = "xieguan-field";
const CHANNEL = "xieguan-outbox";
let dbPromise = null;

export function db() {
  if (!dbPromise) {
    dbPromise = openDB(DB_NAME, 1, {
      upgrade(database) {
        const outbox = database.createObjectStore("outbox", { keyPath: "id" });
        outbox.createIndex("user", "user");
        const photos = database.createObjectStore("photos", { keyPath: "id" });
        photos.createIndex("owner", "owner");
        database.createObjectStore("meta");
      },
    });
  }
  return dbPromise;
}

export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// Every change to the outbox is announced, so the status bar and the outbox page of every open
// tab follow it.
const channel = "BroadcastChannel" in self ? new BroadcastChannel(CHANNEL) : null;
const listeners = new Set();
export function onChange(fn) {
  listeners.add(fn);
  if (channel) channel.addEventListener("message", () => fn());
}
export function announce() {
  listeners.forEach((fn) => fn());
  if (channel) channel.postMessage("changed");
}

export async function put(item) {
  const now = new Date().toISOString();
  const old = await (await db()).get("outbox", item.id);
  const record = {
    state: "waiting",
    message: "",
    problems: [],
    attempts: 0,
    next_try_at: 0,
    photos: [],
    created_at: old ? old.created_at : now,
    ...item,
    updated_at: now,
  };
  await (await db()).put("outbox", record);
  announce();
  return record;
}

export async function update(id, changes) {
  const database = await db();
  const tx = database.transaction("outbox", "readwrite");
  const item = await tx.store.get(id);
  if (!item) return null;
  Object.assign(item, changes, { updated_at: new Date().toISOString() });
  await tx.store.put(item);
  await tx.done;
  announce();
  return item;
}

export async function get(id) {
  return (await db()).get("outbox", id);
}

export async function all() {
  const items = await (await db()).getAll("outbox");
  return items.sort((a, b) => a.created_at.localeCompare(b.created_at));
}

export async function mine(user) {
  const items = await (await db()).getAllFromIndex("outbox", "user", user);
  return items.sort((a, b) => a.created_at.localeCompare(b.created_at));
}

// Remove an accepted (or discarded) item and the photos it carried, in one transaction.
export async function remove(id) {
  const database = await db();
  const tx = database.transaction(["outbox", "photos"], "readwrite");
  const keys = await tx.objectStore("photos").index("owner").getAllKeys(id);
  await Promise.all([...keys.map((k) => tx.objectStore("photos").delete(k)), tx.objectStore("outbox").delete(id)]);
  await tx.done;
  announce();
}

// --- photos ---------------------------------------------------------------------------
export async function putPhoto(photo) {
  await (await db()).put("photos", photo);
  return photo;
}
export async function photosOf(owner) {
  const list = await (await db()).getAllFromIndex("photos", "owner", owner);
  return list.sort((a, b) => String(a.taken_at).localeCompare(String(b.taken_at)));
}
export async function removePhoto(id) {
  await (await db()).delete("photos", id);
}

// --- meta -----------------------------------------------------------------------------
export async function getMeta(key) {
  return (await db()).get("meta", key);
}
export async function setMeta(key, value) {
  await (await db()).put("meta", value, key);
  announce();
}

// xieguan field app: a server-rendered form that also works offline. The page marks its <form>
// with data attributes (set by the view, see docs/offline.md):
//   data-offline-kind     complaint | lead | assist | ...      (the outbox's kind label)
//   data-offline-url      the JSON API endpoint that creates the record (idempotent by client_uuid)
//   data-offline-photos   the endpoint for its photos, "{id}" = the created record's id (optional)
//   data-offline-id       where the id is in the API's answer, e.g. "lead.id" (for "{id}")
//   data-offline-done     the page to open once accepted, e.g. "/leads/{id}/"
//   data-offline-title    the outbox's title for it
//   data-offline-only     online, the form posts to its page as usual; only offline it is queued
//   data-offline-method   PUT for an edit (the ledger; the form carries the version it was made on)
//   data-offline-file     the photos endpoint's multipart field (default "image"); files that are
//                         not images (a task's document) are kept as they are
// 保存 puts the record (fields as JSON, photos shrunk to ≈ 300 KB) in the outbox and sends it at
// once when online; offline it waits there. A refusal is shown by the button and kept in the
// outbox; the outbox's 修改 reopens this page with ?outbox=<id>.
import { isoToLocal, localNow, phoneNowFor } from "./clock.js";
import * as outbox from "./outbox.js";
import { shrink } from "./photo.js";
import { currentUser, enqueue, sendNow } from "./sync.js";

const RENAME = { employer: "employer_id", employers: "employer_ids" };
function rename(name) {
  return RENAME[name] || name;
}

function localToIso(value) {
  return value ? new Date(value).toISOString() : null;
}

// The form's fields as the API's JSON, and as raw values to fill the form again.
function read(form) {
  const payload = {};
  const values = {};
  for (const el of form.elements) {
    if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "file" || el.disabled) continue;
    if ((el.type === "radio" && !el.checked) || el.type === "submit" || el.type === "button") continue;
    const key = rename(el.name);
    // A check box with a value is one choice of several (Django's CheckboxSelectMultiple); a
    // yes/no box (BooleanField) has none.
    const many = el.type === "checkbox" && el.hasAttribute("value");
    if (many) {
      // A group of check boxes (e.g. the employers an event covered): a list of ids.
      payload[key] = payload[key] || [];
      values[el.name] = values[el.name] || [];
      if (el.checked) {
        payload[key].push(el.value); // the API's schema turns "5" into 5 where it wants ids
        values[el.name].push(el.value);
      }
    } else if (el.type === "checkbox") {
      payload[key] = el.checked;
      values[el.name] = el.checked;
    } else if (el.type === "date") {
      payload[key] = el.value || null;
      values[el.name] = el.value;
    } else if (el.type === "number") {
      if (el.value !== "") payload[key] = Number(el.value);
      values[el.name] = el.value;
    } else if (el.type === "datetime-local") {
      payload[key] = localToIso(el.value);
      values[el.name] = el.value;
    } else if (key === "employer_id") {
      payload[key] = el.value ? Number(el.value) : null;
      values[el.name] = el.value;
    } else {
      payload[key] = el.value;
      values[el.name] = el.value;
    }
  }
  return { payload, values };
}

function fill(form, values) {
  Object.entries(values || {}).forEach(([name, value]) => {
    if (Array.isArray(value)) {
      form.querySelectorAll(`input[type=checkbox][name="${name}"][value]`).forEach((box) => {
        box.checked = value.includes(box.value);
      });
      return;
    }
    const el = form.elements.namedItem(name);
    if (!el) return;
    if (el.type === "checkbox") el.checked = Boolean(value);
    else if (el.type === "datetime-local" && value && value.includes("Z")) el.value = isoToLocal(value);
    else el.value = value;
  });
}

// The page carries the moment it was made (data-offline-rendered, server time, China): a field
// still showing that moment (the form's default "now") is the page's now, not a time the user or
// the server chose. A time (接报时间, 发现时间 ...) gets the phone's now when the two differ by more
// than 10 minutes either way (field/clock.js, the rule of the 附表1 form): a page kept by 离线准备
// and opened the next morning, or a phone on another time zone, which reads and sends the field
// in its own zone. A date (日期) only moves forward to the phone's day (a kept page); it is sent as
// the date it shows, China's. Other values, and an edit (PUT), are left alone.
function refreshNow(form, rendered) {
  const now = localNow();
  for (const el of form.elements) {
    if (el.type === "datetime-local" && el.value && el.value.slice(0, 16) === rendered) {
      const phoneNow = phoneNowFor(el.value);
      if (!phoneNow) continue;
      el.value = phoneNow;
      if (el.max && el.max < phoneNow) el.max = phoneNow;
    } else if (el.type === "date" && el.value === rendered.slice(0, 10) && now.slice(0, 10) > el.value) {
      el.value = now.slice(0, 10);
      if (el.max && el.max < el.value) el.max = el.value;
    }
  }
}

async function setup(form) {
  const cfg = form.dataset;
  const fromOutbox = new URLSearchParams(location.search).get("outbox");
  const queued = fromOutbox ? await outbox.get(fromOutbox) : null;
  const id = queued ? queued.id : outbox.uuid();
  if (!queued && cfg.offlineRendered && cfg.offlineMethod !== "PUT") refreshNow(form, cfg.offlineRendered);
  // A page saved without its query (the consultation form, opened from an employer with
  // ?employer=<id>): choose that employer, as the server would have.
  const wanted = new URLSearchParams(location.search).get("employer");
  const employer = form.elements.namedItem("employer");
  if (!queued && wanted && employer && employer.tagName === "SELECT" && !employer.value) employer.value = wanted;
  const button = form.querySelector("[type=submit]");
  const message = document.createElement("div");
  message.className = "alert py-2 mb-2";
  message.setAttribute("role", "status");
  message.dataset.testid = "offline-message";
  message.hidden = true;
  button.parentElement.before(message);

  function say(lines, tone) {
    message.className = `alert py-2 mb-2 alert-${tone}`;
    message.replaceChildren(
      ...lines.map((t) => {
        const p = document.createElement("div");
        p.textContent = t;
        return p;
      })
    );
    message.hidden = false;
  }

  // Photos: shrunk on the phone, shown as thumbnails, kept with the record.
  const fileInput = form.querySelector("input[type=file]");
  let thumbs = null;
  let photosDone = Promise.resolve(); // 保存 waits for photos still being shrunk
  function addThumb(photo) {
    const col = document.createElement("div");
    col.className = "photo-thumb";
    const img = document.createElement("img");
    if (photo.thumb || photo.blob.type.startsWith("image/")) {
      img.src = URL.createObjectURL(photo.thumb || photo.blob);
      img.alt = "照片缩略图";
    } else {
      img.alt = photo.name || "文件";
    }
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "btn btn-link text-danger p-0 xg-tap";
    remove.textContent = "删除";
    remove.addEventListener("click", async () => {
      if (!window.confirm("删除这张照片吗？删除后需要重新拍摄。")) return;
      await outbox.removePhoto(photo.id);
      col.remove();
    });
    col.append(img, remove);
    thumbs.append(col);
  }
  if (fileInput) {
    thumbs = document.createElement("div");
    thumbs.className = "xg-thumbs mt-2";
    thumbs.dataset.testid = "offline-photos";
    fileInput.after(thumbs);
    fileInput.removeAttribute("name"); // never posted: the photos travel with the outbox record
    const take = () => {
      const files = [...fileInput.files];
      fileInput.value = "";
      photosDone = photosDone.then(() => keep(files));
    };
    fileInput.addEventListener("change", take);
    // A photo chosen before this script ran (a slow phone, a quick hand) fired its change event
    // unheard: take it now, or 保存 would queue the record without it.
    if (fileInput.files.length) take();
    async function keep(files) {
      for (const file of files) {
        try {
          const small = file.type.startsWith("image/")
            ? await shrink(file)
            : { blob: file, thumb: null, size: file.size, name: file.name };
          addThumb(
            await outbox.putPhoto({
              id: outbox.uuid(),
              owner: id,
              blob: small.blob,
              thumb: small.thumb,
              size: small.size,
              name: small.name || "photo.jpg",
              taken_at: new Date().toISOString(),
            })
          );
          say([`已保存在手机上（${Math.round(small.size / 1024)} KB），提交时一起上传。`], "success");
        } catch (e) {
          say([(e && e.message) || "照片未能保存，请重试。"], "danger");
        }
      }
    }
    (await outbox.photosOf(id)).forEach(addThumb);
  }
  if (queued) {
    fill(form, queued.values);
    const current = queued.conflict && queued.conflict.current;
    if (current && current.version && form.elements.namedItem("version")) {
      // Saved again, this edit is made on the server's newer version: what is on screen wins.
      form.elements.namedItem("version").value = current.version;
      queued.problems = [
        ...(queued.problems || []),
        `服务器上已有第 ${current.version} 版（与您的修改对照见“待上传”页）。请核对后再保存：保存后以本页内容为准。`,
      ];
    }
    if (queued.problems && queued.problems.length) say(queued.problems, "danger");
    else say(["已打开待上传的记录。"], "info");
  }

  form.addEventListener("submit", async (event) => {
    if (cfg.offlineOnly !== undefined && navigator.onLine && !queued) return; // the page's own POST
    event.preventDefault();
    button.disabled = true;
    await photosDone;
    const { payload, values } = read(form);
    payload.client_uuid = id;
    const title = cfg.offlineTitle || "";
    const text =
      payload.content ||
      payload.topic ||
      payload.subject ||
      payload.description ||
      payload.what_done ||
      payload.note ||
      payload.reason ||
      payload.name ||
      "";
    await enqueue({
      id,
      kind: cfg.offlineKind,
      user: currentUser(),
      title: text ? text.slice(0, 30) : title, // the kind is shown beside it
      payload,
      values,
      url: cfg.offlineUrl,
      photos_url: cfg.offlinePhotos || "",
      file_field: cfg.offlineFile || "image",
      method: cfg.offlineMethod || "POST",
      id_path: cfg.offlineId || "",
      done: cfg.offlineDone || "",
      edit_url: `${location.pathname}?outbox=${id}`,
    });
    if (!navigator.onLine) {
      window.location.assign("/field/outbox/#queued");
      return;
    }
    const { outcome, data } = await sendNow(id);
    if (outcome === "accepted") {
      window.location.assign((data && data.url) || "/field/outbox/");
      return;
    }
    if (outcome === "refused" || outcome === "conflict") {
      const item = await outbox.get(id);
      say((item && item.problems) || ["服务器退回了这条记录，请修改后重试。"], "danger");
      button.disabled = false;
      return;
    }
    window.location.assign("/field/outbox/#queued");
  });
}

document.querySelectorAll("form[data-offline-kind]").forEach(setup);

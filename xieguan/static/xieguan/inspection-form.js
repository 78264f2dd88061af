// xieguan: the phone form of an inspection (附表1).
// Saves as you go: every change goes to localStorage at once and to the server draft
// (PUT /api/v1/inspections/<uuid>/draft) a moment later; a reload restores the newer of the two.
// Photos are shrunk on the phone and kept in IndexedDB with the form; 提交 puts the whole
// inspection (answers, notes, signatures, photos) in the outbox (field/outbox.js) and sends it
// at once when online (POST /api/v1/inspections/submit, idempotent by the form's UUID);
// offline it waits there and the sync loop sends it later. See docs/offline.md.
import { localNow, phoneNowFor } from "./field/clock.js";
import * as outbox from "./field/outbox.js";
import { shrink } from "./field/photo.js";
import { currentUser, enqueue, sendNow } from "./field/sync.js";

(async function () {
  "use strict";
  const form = document.getElementById("inspection-form");
  if (!form) return;
  const cfg = JSON.parse(document.getElementById("form-config").textContent);
  // Correcting a record from the outbox: the form opens with it (same UUID).
  const fromOutbox = new URLSearchParams(location.search).get("outbox");
  const queued = fromOutbox ? await outbox.get(fromOutbox) : null;
  const statusEl = document.getElementById("save-status"); // in the sticky bar by the submit button
  const photoStatusEl = document.getElementById("photo-status"); // by the photos
  const problemsEl = document.getElementById("problems");
  const allGoodEl = document.getElementById("all-good");
  const photosEl = document.getElementById("photos");
  const geoEl = document.getElementById("geo-status");
  const ZERO = "00000000-0000-0000-0000-000000000000";
  const employerKey = "xg-inspection-employer-" + cfg.employer_id;

  // A new form reloaded before its first server save: take back the id kept on this phone.
  // Otherwise a new id made here: the page may come from the offline cache, where the id the
  // server wrote into it was used already.
  if (queued) {
    cfg.id = queued.id;
  } else if (cfg.is_new) {
    const kept = localStorage.getItem(employerKey);
    cfg.id = kept && localStorage.getItem("xg-inspection-" + kept) ? kept : outbox.uuid();
    localStorage.setItem(employerKey, cfg.id);
  }
  const storeKey = "xg-inspection-" + cfg.id;

  const state = {
    latitude: null,
    longitude: null,
    accuracy_m: null,
    signatures: { companion: null, assistant: null }, // data URL, "" when cleared, null when untouched
    signed: { companion: false, assistant: false },
    sigDirty: { companion: false, assistant: false },
    photos: [],
  };
  let serverTimer = null;
  let saving = null;
  let pendingSave = false;

  function csrf() {
    const m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function url(template) {
    return template.replace("{id}", cfg.id);
  }
  function setStatus(text, tone, el) {
    const target = el || statusEl;
    target.textContent = text;
    target.className = "small " + (tone === "bad" ? "text-danger" : tone === "good" ? "text-success" : "text-body-secondary");
  }
  function setPhotoStatus(text, tone) {
    setStatus(text, tone, photoStatusEl);
  }
  function hhmm(date) {
    return date.toTimeString().slice(0, 5);
  }

  // --- reading and writing the form -------------------------------------------------
  function field(name) {
    return form.elements.namedItem(name);
  }
  function answers() {
    return cfg.items.map((item) => {
      const checked = form.querySelector(`input[name="answer_${item.number}"]:checked`);
      const important = field("important_" + item.number);
      return {
        number: item.number,
        answer: checked ? checked.value : "",
        note: field("note_" + item.number).value,
        important: important ? important.checked : null,
      };
    });
  }
  function legalPublicity() {
    const checked = form.querySelector('input[name="legal_publicity"]:checked');
    return checked ? checked.value === "yes" : null;
  }
  function collect() {
    const when = field("inspected_at").value;
    return {
      id: cfg.id,
      employer_id: cfg.employer_id,
      template_id: cfg.template_id,
      employer_version: cfg.employer_version,
      employer_name: field("employer_name").value,
      address: field("address").value,
      legal_representative: field("legal_representative").value,
      phone: field("phone").value,
      inspected_at: when ? new Date(when).toISOString() : null,
      accompanying_person: field("accompanying_person").value,
      legal_publicity: legalPublicity(),
      answers: answers(),
      latitude: state.latitude,
      longitude: state.longitude,
      accuracy_m: state.accuracy_m,
    };
  }
  function apply(data) {
    ["employer_name", "address", "legal_representative", "phone", "accompanying_person", "inspected_at"].forEach((name) => {
      if (data[name] !== undefined && data[name] !== null) field(name).value = data[name];
    });
    if (data.legal_publicity === true || data.legal_publicity === false) {
      const radio = form.querySelector(`input[name="legal_publicity"][value="${data.legal_publicity ? "yes" : "no"}"]`);
      if (radio) radio.checked = true;
    }
    const given = data.answers || {};
    Object.keys(given).forEach((number) => {
      const a = given[number];
      const radio = form.querySelector(`input[name="answer_${number}"][value="${a.answer}"]`);
      if (radio) radio.checked = true;
      const note = field("note_" + number);
      if (note && a.note) note.value = a.note;
      const important = field("important_" + number);
      if (important && (a.important === true || a.important === false)) important.checked = a.important;
    });
    if (data.latitude != null) {
      state.latitude = data.latitude;
      state.longitude = data.longitude;
      state.accuracy_m = data.accuracy_m;
    }
  }

  // --- local copy -------------------------------------------------------------------
  function saveLocal() {
    const data = collect();
    const local = {
      ...data,
      inspected_at: field("inspected_at").value,
      answers: Object.fromEntries(data.answers.map((a) => [String(a.number), a])),
      signatures: state.signatures,
      sigDirty: state.sigDirty,
      saved_at: new Date().toISOString(),
    };
    try {
      localStorage.setItem(storeKey, JSON.stringify(local));
    } catch (e) {
      setStatus("本机存储已满，草稿只保存在服务器", "bad");
    }
  }

  // --- server draft -----------------------------------------------------------------
  function payload() {
    const data = collect();
    ["companion", "assistant"].forEach((who) => {
      if (state.sigDirty[who]) data[who + "_signature"] = state.signatures[who] || "";
    });
    return data;
  }
  async function saveServer() {
    if (!navigator.onLine) {
      // The phone knows it has no network: nothing is tried, the draft is on the phone, and the
      // "online" listener below sends it when the network returns.
      setStatus("没有网络：草稿已保存在本机，联网后自动上传", "good");
      return false;
    }
    if (saving) {
      pendingSave = true;
      return saving;
    }
    const sent = { ...state.sigDirty };
    saving = (async () => {
      try {
        const response = await fetch(url(cfg.draft_url), {
          method: "PUT",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
          body: JSON.stringify(payload()),
          credentials: "same-origin",
        });
        if (response.ok) {
          ["companion", "assistant"].forEach((who) => {
            if (sent[who]) state.sigDirty[who] = false;
          });
          saveLocal();
          if (cfg.is_new) {
            cfg.is_new = false;
            history.replaceState(null, "", cfg.edit_url.replace(ZERO, cfg.id));
          }
          setStatus("草稿已保存 " + hhmm(new Date()), "good");
          return true;
        }
        if (response.status === 422) {
          const body = await response.json();
          setStatus("草稿未保存：" + body.problems.join("；"), "bad");
        } else if (response.status === 401 || response.status === 403) {
          setStatus("登录已失效，草稿保存在本机；请重新登录后打开此页", "bad");
        } else {
          setStatus("服务器暂时无法保存，草稿已保存在本机", "bad");
        }
      } catch (e) {
        // Normal in the field, and the draft is safe on the phone: not an error (not red).
        setStatus("没有网络：草稿已保存在本机，联网后自动上传", "good");
      } finally {
        saving = null;
        if (pendingSave) {
          pendingSave = false;
          scheduleServer(300);
        }
      }
      return false;
    })();
    return saving;
  }
  function scheduleServer(delay) {
    clearTimeout(serverTimer);
    serverTimer = setTimeout(saveServer, delay === undefined ? 1200 : delay);
  }
  // A new form creates no draft (server or local) until the user changes something: opening it and
  // leaving, or the position arriving by itself, leaves nothing behind.
  let edited = !cfg.is_new || Boolean(queued);
  function changed(byUser = true) {
    if (byUser) edited = true;
    check();
    markFindings();
    if (!edited) return;
    saveLocal();
    setStatus("正在保存…");
    scheduleServer();
  }
  window.addEventListener("online", () => {
    if (edited) scheduleServer(0);
  });

  // --- findings and the self-check --------------------------------------------------
  function markFindings() {
    cfg.items.forEach((item) => {
      const section = document.getElementById("item-" + item.number);
      const checked = form.querySelector(`input[name="answer_${item.number}"]:checked`);
      const value = checked ? checked.value : "";
      const finding = (item.kind === "document" && value === "no") || (item.kind === "lead" && value === "yes");
      section.classList.toggle("is-finding", finding);
      section.querySelector(".finding-hint").hidden = !finding;
      section.querySelector(".finding-important").hidden = !finding;
      if (value) section.classList.remove("is-missing");
    });
  }
  function problems() {
    const list = [];
    const data = collect();
    if (!data.employer_name.trim()) list.push("请填写用人单位名称。");
    if (!field("inspected_at").value) list.push("请填写巡查时间。");
    else if (new Date(field("inspected_at").value) > new Date(Date.now() + 5 * 60000)) list.push("巡查时间不能晚于现在。");
    cfg.items.forEach((item) => {
      const a = data.answers.find((x) => x.number === item.number);
      if (!a.answer) list.push(`第${item.number}项“${item.wording}”还没有选择。`);
      else if (a.answer === "na" && !item.na_allowed) list.push(item.na_refusal);
    });
    if (!data.accompanying_person.trim()) list.push("请填写用人单位陪同人员姓名。");
    if (!state.signed.companion) list.push("缺少用人单位陪同人员签字。");
    if (!state.signed.assistant) list.push("缺少协管员签字。");
    return list;
  }
  function show(list) {
    problemsEl.replaceChildren(
      ...list.map((text) => {
        const li = document.createElement("li");
        li.textContent = text;
        return li;
      })
    );
    allGoodEl.hidden = list.length > 0;
  }
  function check() {
    show(problems());
  }

  // --- signatures -------------------------------------------------------------------
  const pads = {};
  function setupPad(canvas) {
    const who = canvas.dataset.signature;
    const ctx = canvas.getContext("2d");
    let drawing = false;
    let last = null;
    function resize() {
      const ratio = window.devicePixelRatio || 1;
      const keep = state.signatures[who];
      canvas.width = Math.round(canvas.clientWidth * ratio);
      canvas.height = Math.round(canvas.clientHeight * ratio);
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.lineWidth = 2.5;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#111";
      if (keep) drawImage(keep);
    }
    function drawImage(src) {
      const img = new Image();
      img.onload = () => ctx.drawImage(img, 0, 0, canvas.clientWidth, canvas.clientHeight);
      img.src = src;
    }
    function point(event) {
      const rect = canvas.getBoundingClientRect();
      return { x: event.clientX - rect.left, y: event.clientY - rect.top };
    }
    canvas.addEventListener("pointerdown", (event) => {
      drawing = true;
      last = point(event);
      canvas.setPointerCapture(event.pointerId);
      ctx.beginPath();
      ctx.arc(last.x, last.y, 1, 0, Math.PI * 2);
      ctx.fillStyle = "#111";
      ctx.fill();
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!drawing) return;
      const p = point(event);
      ctx.beginPath();
      ctx.moveTo(last.x, last.y);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      last = p;
    });
    function end() {
      if (!drawing) return;
      drawing = false;
      state.signatures[who] = canvas.toDataURL("image/png");
      state.signed[who] = true;
      state.sigDirty[who] = true;
      changed();
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    pads[who] = {
      clear() {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        state.signatures[who] = "";
        state.signed[who] = false;
        state.sigDirty[who] = true;
        changed();
      },
      load(src) {
        state.signatures[who] = src;
        drawImage(src);
      },
      resize,
    };
    resize();
  }
  document.querySelectorAll("canvas[data-signature]").forEach(setupPad);
  document.querySelectorAll("[data-clear]").forEach((button) => {
    button.addEventListener("click", () => pads[button.dataset.clear].clear());
  });
  let resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => Object.values(pads).forEach((p) => p.resize()), 200);
  });

  // --- position ---------------------------------------------------------------------
  function showPosition() {
    if (state.latitude == null) return;
    const acc = state.accuracy_m != null ? `，精度约 ${Math.round(state.accuracy_m)} 米` : "";
    geoEl.textContent = `已定位：${Number(state.latitude).toFixed(5)}, ${Number(state.longitude).toFixed(5)}${acc}`;
    geoEl.className = "small flex-grow-1 text-success";
  }
  function locate() {
    if (!navigator.geolocation) {
      geoEl.textContent = "此设备不支持定位，可不填";
      return;
    }
    geoEl.textContent = "正在获取位置…";
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        state.latitude = pos.coords.latitude.toFixed(6);
        state.longitude = pos.coords.longitude.toFixed(6);
        state.accuracy_m = Math.round(pos.coords.accuracy * 10) / 10;
        showPosition();
        changed(false); // kept with the draft once the user has changed something
      },
      () => {
        geoEl.textContent = "未能获取位置（未授权或信号弱），可稍后重试";
        geoEl.className = "small flex-grow-1 text-warning-emphasis";
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  }
  document.getElementById("geo-retry").addEventListener("click", locate);

  // --- photos ---------------------------------------------------------------------
  // Photos kept on the server draft (taken before this version) are shown and deletable there;
  // new ones are shrunk (≤ 1600 px, ≈ 300 KB) and kept on the phone until the submission.
  function thumb(src, onRemove) {
    const col = document.createElement("div");
    col.className = "col-6 col-sm-4 photo-thumb";
    const img = document.createElement("img");
    img.src = src;
    img.alt = "现场照片";
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "btn btn-link btn-sm text-danger";
    remove.textContent = "删除";
    remove.dataset.confirm = "删除这张现场照片？照片将从这份巡查中去掉，不能恢复；需要时请重新拍照。";
    remove.dataset.confirmOk = "删除照片";
    remove.addEventListener("click", async () => {
      // Runs only after the user confirmed (confirm.js).
      let removed = false;
      try {
        removed = await onRemove();
      } catch (e) {
        removed = false;
      }
      if (removed) {
        col.remove();
        setPhotoStatus("照片已删除", "good");
      } else {
        setPhotoStatus("照片未能删除（网络不可用或服务器暂时无法处理），请稍后重试", "bad");
      }
    });
    col.append(img, remove);
    photosEl.append(col);
  }
  function addThumb(photo) {
    thumb(photo.url, async () => {
      const response = await fetch(cfg.photo_delete_url.replace("{photo}", photo.id), {
        method: "DELETE",
        headers: { "X-CSRFToken": csrf() },
        credentials: "same-origin",
      });
      return response.ok;
    });
  }
  function addLocalThumb(photo) {
    thumb(URL.createObjectURL(photo.thumb || photo.blob), async () => {
      await outbox.removePhoto(photo.id);
      return true;
    });
  }
  let photosDone = Promise.resolve(); // 提交 waits for photos still being shrunk
  async function keepPhoto(file) {
    setPhotoStatus("正在处理照片…");
    try {
      const small = await shrink(file);
      const photo = await outbox.putPhoto({
        id: outbox.uuid(),
        owner: cfg.id,
        blob: small.blob,
        thumb: small.thumb,
        size: small.size,
        taken_at: new Date().toISOString(),
        latitude: state.latitude,
        longitude: state.longitude,
      });
      addLocalThumb(photo);
      changed(); // a photo is a change: the draft now exists on this phone (and its photo with it)
      setPhotoStatus(`照片已保存在手机上（${Math.round(small.size / 1024)} KB），提交时一起上传`, "good");
    } catch (e) {
      setPhotoStatus((e && e.message) || "照片未能保存，请重试", "bad");
    }
  }
  ["photo-camera", "photo-choose"].forEach((id) => {
    document.getElementById(id).addEventListener("change", (event) => {
      const file = event.target.files && event.target.files[0];
      event.target.value = "";
      if (file) photosDone = photosDone.then(() => keepPhoto(file));
    });
  });

  // --- submission -------------------------------------------------------------------
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const list = problems();
    show(list);
    if (list.length) {
      cfg.items.forEach((item) => {
        const checked = form.querySelector(`input[name="answer_${item.number}"]:checked`);
        document.getElementById("item-" + item.number).classList.toggle("is-missing", !checked);
      });
      document.getElementById("check").scrollIntoView({ behavior: "smooth", block: "start" });
      return;
    }
    const button = document.getElementById("submit");
    button.disabled = true;
    setStatus("正在提交…");
    clearTimeout(serverTimer);
    await photosDone;
    const body = collect();
    ["companion", "assistant"].forEach((who) => {
      // Drawn here (or restored from the phone): sent; untouched: the server draft's is kept.
      if (state.sigDirty[who] || state.signatures[who]) body[who + "_signature"] = state.signatures[who] || "";
    });
    // In the outbox first: from here on nothing is lost, whatever the network does.
    await enqueue({
      id: cfg.id,
      kind: "inspection",
      user: currentUser(),
      title: body.employer_name,
      employer_id: cfg.employer_id,
      payload: body,
    });
    localStorage.removeItem(storeKey);
    if (localStorage.getItem(employerKey) === cfg.id) localStorage.removeItem(employerKey);
    const queuedUrl = "/field/outbox/#queued";
    if (!navigator.onLine) {
      window.location.assign(queuedUrl);
      return;
    }
    const { outcome, data } = await sendNow(cfg.id, { "X-Xieguan-Form": "1" });
    if (outcome === "accepted") {
      window.location.assign(cfg.detail_url.replace(ZERO, cfg.id));
      return;
    }
    if (outcome === "refused" || outcome === "conflict") {
      saveLocal(); // the form keeps what was written; the outbox keeps the refused record too
      show((data && data.problems) || ["提交失败，请修改后重试。"]);
      setStatus("未提交：服务器退回，请按提示修改", "bad");
      button.disabled = false;
      return;
    }
    window.location.assign(queuedUrl); // offline, server busy, login expired: it waits in the outbox
  });

  const discard = document.querySelector("form[data-testid=discard]");
  if (discard) {
    // confirm.js asks first; this runs only for the confirmed submission.
    discard.addEventListener("submit", () => {
      localStorage.removeItem(storeKey);
      localStorage.removeItem(employerKey);
    });
  }

  // --- start: server draft, then the newer local copy -------------------------------
  field("inspected_at").max = localNow();
  setInterval(() => (field("inspected_at").max = localNow()), 60000);
  const server = cfg.draft;
  if (queued) {
    const p = queued.payload;
    const local = new Date(p.inspected_at || Date.now());
    local.setMinutes(local.getMinutes() - local.getTimezoneOffset());
    apply({
      ...p,
      inspected_at: local.toISOString().slice(0, 16),
      answers: Object.fromEntries((p.answers || []).map((a) => [String(a.number), a])),
    });
    ["companion", "assistant"].forEach((who) => {
      const sig = p[who + "_signature"];
      if (sig) {
        pads[who].load(sig);
        state.signed[who] = true;
        state.sigDirty[who] = true;
      } else if (sig === undefined) {
        state.signed[who] = true; // kept on the server draft
      }
    });
    setStatus(queued.state === "refused" ? "已打开被退回的记录，请按提示修改后重新提交" : "已打开待上传的记录");
    if (queued.problems && queued.problems.length) show(queued.problems);
  } else if (server) {
    apply(server);
    ["companion", "assistant"].forEach((who) => {
      const src = server[who + "_signature_url"];
      if (src) {
        pads[who].load(src);
        state.signatures[who] = null; // on the server already: not resent
        state.signed[who] = true;
      }
    });
    (server.photos || []).forEach(addThumb);
  }
  (await outbox.photosOf(cfg.id)).forEach(addLocalThumb);
  let local = null;
  try {
    local = JSON.parse(localStorage.getItem(storeKey) || "null");
  } catch (e) {
    local = null;
  }
  if (!queued && local && (!server || Date.parse(local.saved_at) > Date.parse(server.server_saved_at))) {
    apply(local);
    ["companion", "assistant"].forEach((who) => {
      const sig = local.signatures && local.signatures[who];
      if (sig) {
        pads[who].load(sig);
        state.signed[who] = true;
        state.sigDirty[who] = Boolean(local.sigDirty && local.sigDirty[who]);
      } else if (sig === "" && local.sigDirty && local.sigDirty[who]) {
        state.signed[who] = false;
        state.sigDirty[who] = true;
      }
    });
    edited = true;
    setStatus("已恢复本机保存的草稿");
    scheduleServer(500);
  }
  // A new inspection shows the server's time of day when the page was made (China time): the
  // phone's own time replaces it when the two differ by more than 10 minutes (field/clock.js:
  // a page kept by 离线准备, a phone on another time zone). A draft keeps its own time.
  if (!queued && !server && !edited) {
    const when = field("inspected_at");
    const phoneNow = when.value === when.defaultValue ? phoneNowFor(when.value) : null;
    if (phoneNow) when.value = phoneNow;
  }
  showPosition();
  if (state.latitude == null) locate();
  markFindings();
  if (!queued || !(queued.problems || []).length) check();
  form.addEventListener("input", (event) => {
    if (event.target.matches("input:not([type=file]), textarea")) changed();
  });
  form.addEventListener("change", (event) => {
    if (event.target.matches("input[type=radio], input[type=datetime-local]")) changed();
  });
})();

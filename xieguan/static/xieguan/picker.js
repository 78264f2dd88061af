// Searchable grouped pickers (issue 16; xieguan/regions/pickers.py). Every element with
// data-picker gets a type-ahead filter above its choices: checkboxes in groups
// ([data-picker-group], e.g. the counties of a prefecture, or a prefecture's counties each with
// its assistants) or a <select> with <optgroup>s. A choice matches when its own text or the name
// of any group around it contains the query (a county's name finds its people).
// A group's select-all button ([data-select-all], shown only with JavaScript) checks the boxes of
// the group that the filter shows — never hidden ones — or clears them when they are all checked;
// while a filter is on, it says so (全选显示的 N 项). The picker always shows how many are
// selected (已选 N 人), and how many of those the filter hides; a form's [data-picker-summary]
// element (by its save button) repeats the count of each picker in the form.
// The labels come from the template (translated). Everything is a native control: it works by
// keyboard and at 360 px; without JavaScript the grouped list is still there.

const norm = (text) => (text || "").toLowerCase().replace(/\s+/g, "");
const fill = (template, n) => (template || "N").replace("N", String(n));

function filterSelect(select, query) {
  let shown = 0;
  const match = (option, groupHit) => !query || groupHit || norm(option.textContent).includes(query);
  for (const group of select.querySelectorAll("optgroup")) {
    const groupHit = norm(group.label).includes(query);
    let any = false;
    for (const option of group.querySelectorAll("option")) {
      const hit = match(option, groupHit);
      option.hidden = !hit;
      if (hit) { any = true; shown += 1; }
    }
    group.hidden = !any;
  }
  for (const option of select.querySelectorAll(":scope > option")) {
    const hit = match(option, false);
    option.hidden = !hit;
    if (hit) shown += 1;
  }
  // A single select keeps a visible choice: the first match once the chosen one is filtered out.
  if (!select.multiple && select.selectedOptions[0] && select.selectedOptions[0].hidden) {
    const first = select.querySelector("option:not([hidden])");
    if (first && !first.closest("optgroup[hidden]")) {
      first.selected = true;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }
  return shown;
}

const headName = (group) => {
  const head = group.querySelector(":scope > .picker-group-head > span");
  return head ? norm(head.textContent) : "";
};

function filterGroups(list, query) {
  const groups = [...list.querySelectorAll("[data-picker-group]")];
  const hitGroups = new Set(query ? groups.filter((group) => headName(group).includes(query)) : []);
  let shown = 0;
  for (const item of list.querySelectorAll(".form-check")) {
    let hit = !query || norm(item.textContent).includes(query);
    for (let group = item.closest("[data-picker-group]"); !hit && group;
      group = group.parentElement.closest("[data-picker-group]")) {
      hit = hitGroups.has(group);
    }
    item.hidden = !hit;
    if (hit) shown += 1;
  }
  for (const group of groups.reverse()) { // inner groups first
    group.hidden = !group.querySelector(".form-check:not([hidden])");
  }
  return shown;
}

export function enhance(root) {
  if (root.dataset.pickerReady) return;
  root.dataset.pickerReady = "1";
  const select = root.querySelector("select");
  const list = root.querySelector("[data-picker-list]");
  const search = document.createElement("input");
  search.type = "search";
  search.className = "form-control mb-1 picker-search";
  search.placeholder = root.dataset.pickerPlaceholder || "";
  search.setAttribute("aria-label", root.dataset.pickerLabel || search.placeholder);
  search.autocomplete = "off";
  const status = document.createElement("div");
  status.className = "small text-body-secondary mb-1 picker-status d-flex flex-wrap column-gap-2";
  status.setAttribute("aria-live", "polite");
  const matches = document.createElement("span");
  status.append(matches);
  const anchor = list || select;
  anchor.before(search, status);
  if (select && select.id) search.setAttribute("aria-controls", select.id);

  let query = "";
  let shown = 0;
  const boxes = list ? [...list.querySelectorAll("input[type=checkbox]")] : [];
  const count = list ? document.createElement("span") : null;
  if (count) {
    count.className = "picker-count text-body";
    count.dataset.pickerCount = "";
    status.append(count);
  }
  const buttons = list ? [...list.querySelectorAll("[data-select-all]")] : [];
  // the boxes a group's button acts on: its enabled boxes that the filter shows
  const visibleBoxes = (group) => [...group.querySelectorAll(".form-check:not([hidden]) input[type=checkbox]:not(:disabled)")];

  const refresh = () => {
    matches.textContent = !query ? "" : shown
      ? fill(root.dataset.pickerMatches, shown)
      : root.dataset.pickerNone || "";
    if (!count) return;
    const checked = boxes.filter((box) => box.checked);
    const outside = query ? checked.filter((box) => box.closest(".form-check").hidden).length : 0;
    count.textContent = fill(root.dataset.pickerCount, checked.length)
      + (outside ? fill(root.dataset.pickerOutside, outside) : "");
    root.dataset.pickerSelected = String(checked.length);
    for (const button of buttons) {
      const group = button.closest("[data-picker-group]");
      if (group.hidden) continue;
      const targets = visibleBoxes(group);
      const all = targets.length > 0 && targets.every((box) => box.checked);
      if (query) {
        button.textContent = fill(all ? root.dataset.pickerShownClear : root.dataset.pickerShownSelect, targets.length);
      } else {
        button.textContent = all ? root.dataset.pickerClear : button.dataset.selectAll;
      }
    }
    const form = root.closest("form");
    if (form) form.dispatchEvent(new CustomEvent("picker:count"));
  };

  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault(); // filtering never submits the form
  });
  search.addEventListener("input", () => {
    query = norm(search.value);
    shown = select ? filterSelect(select, query) : filterGroups(list, query);
    refresh();
  });
  for (const button of buttons) {
    button.hidden = false;
    button.addEventListener("click", () => {
      const targets = visibleBoxes(button.closest("[data-picker-group]"));
      const all = targets.every((box) => box.checked);
      for (const box of targets) box.checked = !all;
      refresh();
    });
  }
  if (list) list.addEventListener("change", refresh);
  refresh();
}

// The count of every picker of a form, by its save button: "参训协管员：已选 2 人".
function summarise(form) {
  const summary = form.querySelector("[data-picker-summary]");
  if (!summary) return;
  const update = () => {
    const parts = [];
    for (const root of form.querySelectorAll("[data-picker][data-picker-selected]")) {
      const legend = root.querySelector("legend");
      const text = fill(root.dataset.pickerCount, root.dataset.pickerSelected);
      parts.push(legend ? `${legend.textContent.trim()}：${text}` : text);
    }
    summary.textContent = parts.join("；");
  };
  form.addEventListener("picker:count", update);
  update();
}

for (const root of document.querySelectorAll("[data-picker]")) enhance(root);
for (const form of document.querySelectorAll("form")) summarise(form);

// Searchable grouped pickers (issue 16 item 1; xieguan/regions/pickers.py). Every element with
// data-picker gets a type-ahead filter above its choices: checkboxes in groups
// ([data-picker-group], e.g. the counties of a prefecture) or a <select> with <optgroup>s. A
// group's "全选本市州" button ([data-select-all], shown only with JavaScript) checks every box of
// the group, or clears them when all are checked. The labels come from the template (translated).
// Everything is a native control: it works by keyboard and at 360 px; without JavaScript the
// grouped list is still there.

const norm = (text) => (text || "").toLowerCase().replace(/\s+/g, "");

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

function filterGroups(list, query) {
  let shown = 0;
  for (const group of list.querySelectorAll("[data-picker-group]")) {
    const head = group.querySelector(".picker-group-head span");
    const groupHit = !!query && !!head && norm(head.textContent).includes(query);
    let any = false;
    for (const item of group.querySelectorAll(".form-check")) {
      const hit = !query || groupHit || norm(item.textContent).includes(query);
      item.hidden = !hit;
      if (hit) { any = true; shown += 1; }
    }
    group.hidden = !any;
  }
  return shown;
}

function selectAll(group) {
  const button = group.querySelector("[data-select-all]");
  if (!button) return;
  const boxes = () => [...group.querySelectorAll("input[type=checkbox]:not(:disabled)")];
  const sync = () => {
    const all = boxes().length > 0 && boxes().every((box) => box.checked);
    button.textContent = all ? button.dataset.clearLabel : button.dataset.selectLabel;
  };
  button.hidden = false;
  button.addEventListener("click", () => {
    const all = boxes().every((box) => box.checked);
    for (const box of boxes()) box.checked = !all;
    sync();
  });
  group.addEventListener("change", sync);
  sync();
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
  status.className = "small text-body-secondary mb-1 picker-status";
  status.setAttribute("aria-live", "polite");
  const anchor = list || select;
  anchor.before(search, status);
  if (select && select.id) search.setAttribute("aria-controls", select.id);
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault(); // filtering never submits the form
  });
  search.addEventListener("input", () => {
    const query = norm(search.value);
    const shown = select ? filterSelect(select, query) : filterGroups(list, query);
    status.textContent = !query ? "" : shown
      ? (root.dataset.pickerMatches || "N").replace("N", String(shown))
      : root.dataset.pickerNone || "";
  });
  if (list) for (const group of list.querySelectorAll("[data-picker-group]")) selectAll(group);
}

for (const root of document.querySelectorAll("[data-picker]")) enhance(root);

// A long table's header row stays on screen, just below the sticky menu bar, while the page
// scrolls through the table (全部区县: 88 counties, 9,000 px at 1280 px and 17,000 at 360 px).
// CSS `position: sticky` cannot do it: the table scrolls sideways in its .table-responsive box,
// and a sticky header sticks to that box, not to the page. So a copy of the header (the same
// column widths, its links out of the tab order, hidden from screen readers: the table keeps its
// own header) is fixed under the menu bar while the table's own header is above it, and moved
// sideways with the table, its first cell (the region column) staying put like the table's.
// Tables opt in with data-sticky-head. Without JavaScript the table is as before.
(function () {
  "use strict";

  function navBottom() {
    const nav = document.querySelector("body > nav.sticky-top");
    return nav ? Math.max(0, nav.getBoundingClientRect().bottom) : 0;
  }

  function init(table) {
    const box = table.parentElement; // the .table-responsive that scrolls sideways
    const head = table.tHead;
    if (!head || !box) return;
    const float = document.createElement("div");
    float.className = "sticky-head shadow-sm";
    float.setAttribute("aria-hidden", "true");
    float.dataset.testid = "sticky-head";
    float.hidden = true;
    const copy = document.createElement("table");
    copy.className = table.className;
    copy.appendChild(head.cloneNode(true));
    copy.querySelectorAll("[data-testid]").forEach((el) => el.removeAttribute("data-testid"));
    copy.querySelectorAll("a").forEach((a) => { a.tabIndex = -1; });
    float.appendChild(copy);
    box.after(float);
    const first = copy.querySelector("th");
    let widthsFor = -1;

    function sizeCopy() {
      copy.style.width = `${table.offsetWidth}px`;
      const cells = head.rows[0].cells;
      const copies = copy.tHead.rows[0].cells;
      for (let i = 0; i < cells.length; i += 1) {
        copies[i].style.width = `${cells[i].getBoundingClientRect().width}px`;
      }
      widthsFor = table.offsetWidth;
    }

    let queued = false;
    function update() {
      queued = false;
      const top = navBottom();
      const tableBox = table.getBoundingClientRect();
      const headBox = head.getBoundingClientRect();
      // shown once the table's own header has gone under the menu bar, until the last rows
      const show = headBox.top < top && tableBox.bottom > top + 2 * headBox.height;
      float.hidden = !show;
      if (!show) return;
      if (widthsFor !== table.offsetWidth) sizeCopy();
      const boxRect = box.getBoundingClientRect();
      float.style.top = `${top}px`;
      float.style.left = `${boxRect.left + box.clientLeft}px`;
      float.style.width = `${box.clientWidth}px`;
      const x = box.scrollLeft;
      copy.style.transform = `translateX(${-x}px)`;
      if (first) first.style.transform = `translateX(${x}px)`;
    }
    function queue() {
      if (!queued) {
        queued = true;
        requestAnimationFrame(update);
      }
    }
    window.addEventListener("scroll", queue, { passive: true });
    window.addEventListener("resize", () => { widthsFor = -1; queue(); });
    box.addEventListener("scroll", queue, { passive: true });
    update();
  }

  document.querySelectorAll("table[data-sticky-head]").forEach(init);
})();

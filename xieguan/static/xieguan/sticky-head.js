// A long table's header row stays on screen, just below the sticky menu bar, while the page
// scrolls through the table (全部区县: 88 counties, 9,000 px at 1280 px; on a phone that table
// scrolls in a box of its own, whose header cells stick to the box's top by CSS, so the copy is
// needed only while the box's top is under the menu bar).
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
      const boxRect = box.getBoundingClientRect();
      // A header cell, not the <thead>: where a table also scrolls up and down in its own box (全部区县
      // on a phone) its header cells stick to the box's top (CSS), and the cell's box says where the
      // header is seen. The table ends where it or its box ends, whichever is higher.
      const headBox = head.rows[0].cells[0].getBoundingClientRect();
      const bottom = Math.min(tableBox.bottom, boxRect.bottom);
      // shown once the table's own header has gone under the menu bar, until the last rows
      const show = headBox.top < top && bottom > top + 2 * headBox.height;
      float.hidden = !show;
      if (!show) return;
      if (widthsFor !== table.offsetWidth) sizeCopy();
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

"""Accessibility checks for the browser tests: axe-core, injected into a Playwright page.

axe-core is vendored (xieguan/static/vendor/axe-core/, see its README) and injected only here, by
path, into the page under test; no template references it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE_JS = Path(__file__).resolve().parents[1] / "static" / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


def axe_violations(page: Any, impacts: tuple[str, ...] = BLOCKING) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now; the violations of the given impacts."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary}))
            }));
        }"""
    )
    return [v for v in result if v["impact"] in impacts]


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per violation and node, for an assertion message."""
    lines = []
    for v in violations:
        for node in v["nodes"][:5]:
            summary = (node["summary"] or "").replace("\n", " ")[:160]
            lines.append(f"{v['impact']} {v['id']}: {node['target']} — {summary}")
    return "\n".join(lines)


SIZES_JS = """() => {
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const hidden = getComputedStyle(el).visibility === "hidden";
    return r.width > 0 && r.height > 0 && !hidden
      && !el.closest(".visually-hidden, dialog:not([open])");
  };
  const name = (el) => {
    const cls = typeof el.className === "string" ? el.className.trim().split(/\\s+/).slice(0, 3) : [];
    const text = (el.textContent || "").trim().slice(0, 12);
    return [el.tagName.toLowerCase(), ...cls].join(".") + " “" + text + "”";
  };
  const small = [];
  document.querySelectorAll("body *").forEach((el) => {
    if (!visible(el) || el.closest("svg, .badge")) return;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const size = getComputedStyle(el).fontSize;
    if (own && parseFloat(size) < 16) small.push(name(el) + " " + size);
  });
  const tiny = [];
  const controls = "button, .btn, select, textarea, .nav-link, .page-link, "
    + "input:not([type=hidden]):not(.btn-check)";
  document.querySelectorAll(controls).forEach((el) => {
    if (!visible(el) || el.classList.contains("visually-hidden")) return;
    const box = el.matches("input[type=checkbox], input[type=radio]")
      ? el.closest("label, .form-check") || el : el;
    const c = box.getBoundingClientRect();
    const dims = `${Math.round(c.width)}×${Math.round(c.height)}`;
    if (c.height < 43.5 || c.width < 43.5) tiny.push(name(el) + " " + dims);
  });
  return {small, tiny};
}"""


def size_problems(page: Any) -> dict[str, list[str]]:
    """Text under 16 px and controls under 44 × 44 px on the page as shown (badges, 14 px bold,
    are left out; the sync status bar is checked like the rest)."""
    result: dict[str, list[str]] = page.evaluate(SIZES_JS)
    return result

// xieguan: ask before a destructive action. Any <form>, <button> or <a> with data-confirm="…" opens
// the page's one <dialog> (templates/_confirm_dialog.html) that says what will be undone; only its
// confirm button carries the action out, 取消 / Esc leave everything as it was.
//   data-confirm        the question and what it undoes (required)
//   data-confirm-ok     the confirm button's label, e.g. "撤销" (default 确定)
//   data-confirm-title  the dialog's heading (default 请确认)
// A button's own click handlers (page scripts) run only after the user confirmed, because this
// listens in the capture phase and stops the first click. See docs/architecture.md, "Front end".
(function () {
  "use strict";
  const dialog = document.getElementById("confirm-dialog");
  const supported = dialog && typeof dialog.showModal === "function";
  const confirmed = new WeakSet();
  let pending = null;

  function ask(el, proceed) {
    if (!supported) {
      if (window.confirm(el.dataset.confirm)) proceed();
      return;
    }
    dialog.querySelector("#confirm-title").textContent = el.dataset.confirmTitle || dialog.dataset.defaultTitle;
    dialog.querySelector("#confirm-message").textContent = el.dataset.confirm;
    dialog.querySelector("[value=ok]").textContent = el.dataset.confirmOk || dialog.dataset.defaultOk;
    pending = { proceed, back: el };
    dialog.returnValue = "";
    dialog.showModal();
    dialog.querySelector("[value=cancel]").focus(); // the safe choice has the focus
  }

  if (supported) {
    dialog.addEventListener("close", () => {
      const p = pending;
      pending = null;
      if (!p) return;
      if (dialog.returnValue === "ok") p.proceed();
      else if (p.back.isConnected) p.back.focus();
    });
  }

  document.addEventListener(
    "click",
    (event) => {
      const el = event.target.closest("button[data-confirm], a[data-confirm], input[data-confirm]");
      if (!el) return;
      if (confirmed.has(el)) {
        confirmed.delete(el);
        return;
      }
      event.preventDefault();
      event.stopImmediatePropagation();
      ask(el, () => {
        confirmed.add(el);
        el.click();
      });
    },
    true
  );

  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) return;
      if (confirmed.has(form)) {
        confirmed.delete(form);
        return;
      }
      const submitter = event.submitter;
      if (submitter && submitter.hasAttribute("data-confirm")) return; // asked on its click already
      event.preventDefault();
      event.stopImmediatePropagation();
      ask(form, () => {
        confirmed.add(form);
        form.requestSubmit(submitter || undefined);
      });
    },
    true
  );
})();

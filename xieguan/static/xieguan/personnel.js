// Personnel pages: ask before irreversible submissions (sign-off of an assessment, dismissal).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
});

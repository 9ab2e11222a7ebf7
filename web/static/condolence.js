// The condolence page: a rough length count under each text box as you type.
// A static file, not inline: the Content-Security-Policy allows only scripts from this site.
(() => {
  // A rough count as you type (code points); the server counts as each network does.
  for (const box of document.querySelectorAll("textarea[data-hint]")) {
    const hint = document.getElementById(box.dataset.hint);
    const base = hint.textContent;
    const update = () => { hint.textContent = base + " · about " + [...box.value].length + " typed"; };
    box.addEventListener("input", update);
    update();
  }
})();

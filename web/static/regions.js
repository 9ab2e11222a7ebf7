// Region suggestions for audience and incident region fields. A static file, not
// inline: the Content-Security-Policy allows only scripts from this site.
(() => {
  // Suggest regions for the name being typed after the last comma, in every region
  // field that names its suggestion list and the address to ask (data-search).
  for (const input of document.querySelectorAll("input[data-search][list]")) {
    const list = document.getElementById(input.getAttribute("list"));
    let timer;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const parts = input.value.split(",");
        const last = parts.pop().trim();
        if (last.length < 2) return;
        const before = parts.map((p) => p.trim()).filter(Boolean);
        const response = await fetch(input.dataset.search + "?q=" + encodeURIComponent(last));
        if (!response.ok) return;
        const found = (await response.json()).regions;
        list.replaceChildren(...found.map((region) => {
          const option = document.createElement("option");
          option.value = before.concat([region.code]).join(", ");
          option.label = region.label;
          return option;
        }));
      }, 200);
    });
  }
})();

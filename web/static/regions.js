// Region suggestions for audience and incident region fields: an ARIA combobox over
// the region search (countries, subdivisions, and towns by the region they lie in,
// from the same gazetteer the monitor uses). Arrow keys move through the
// suggestions, Enter takes one, Escape closes them. Without this script the field is
// plain text taking codes or names. A static file, not inline: the
// Content-Security-Policy allows only scripts from this site.
(() => {
  let serial = 0;
  for (const input of document.querySelectorAll("input[data-search]")) {
    serial += 1;
    // The suggestions replace the browser's own datalist, if the field names one.
    input.removeAttribute("list");
    const listbox = document.createElement("ul");
    listbox.id = `${input.id || "regions"}-suggestions-${serial}`;
    listbox.className = "suggestions";
    listbox.setAttribute("role", "listbox");
    // Its own name, so that the field's label names the field alone.
    listbox.setAttribute("aria-label", "Suggested places");
    listbox.hidden = true;
    const status = document.createElement("p");
    status.className = "sr-only";
    status.setAttribute("role", "status");
    input.after(listbox, status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);

    let timer;
    let asked = 0;
    let active = -1;
    let found = [];

    const options = () => Array.from(listbox.children);

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      const all = options();
      if (!all.length) return;
      active = (index + all.length) % all.length;
      all.forEach((option, i) => option.setAttribute("aria-selected", String(i === active)));
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }

    function choose(index) {
      const region = found[index];
      if (!region) return;
      const parts = input.value.split(",").map((p) => p.trim()).filter(Boolean);
      parts.pop();
      parts.push(region.code);
      input.value = parts.join(", ") + ", ";
      close();
      status.textContent = `${region.label} added.`;
      input.focus();
    }

    function show(regions) {
      found = regions;
      listbox.replaceChildren(...regions.map((region, i) => {
        const option = document.createElement("li");
        option.id = `${listbox.id}-${i}`;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = region.label;
        if (!region.label.includes(`(${region.code})`)) {
          const code = document.createElement("small");
          code.textContent = ` ${region.code}`;
          option.append(code);
        }
        // mousedown, not click: the field must not lose focus before the choice.
        option.addEventListener("mousedown", (event) => { event.preventDefault(); choose(i); });
        return option;
      }));
      const open = regions.length > 0;
      listbox.hidden = !open;
      input.setAttribute("aria-expanded", String(open));
      active = -1;
      input.removeAttribute("aria-activedescendant");
      status.textContent = open ? `${regions.length} suggestions; arrow keys to choose.` : "No region found.";
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const last = input.value.split(",").pop().trim();
        if (last.length < 2) { close(); return; }
        const ticket = ++asked;
        let response;
        try {
          response = await fetch(input.dataset.search + "?q=" + encodeURIComponent(last));
        } catch (error) {
          return;
        }
        if (!response.ok || ticket !== asked) return;
        show((await response.json()).regions);
      }, 150);
    });

    input.addEventListener("keydown", (event) => {
      const open = !listbox.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (open) highlight(active + 1); else if (found.length) { show(found); highlight(0); }
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        highlight(active - 1);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });

    input.addEventListener("blur", close);
  }
})();

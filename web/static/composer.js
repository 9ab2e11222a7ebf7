// The post composer: live counters and previews per network as you type, from the
// rules the page embeds (the server's own rules file, read by text_rules.js), and
// the per-network text boxes of the chosen accounts only. Without this script the
// form still works: its Preview button asks the server for the same previews.
// A static file, not inline: the Content-Security-Policy allows only scripts from this site.
(() => {
  const form = document.getElementById("composer");
  if (!form || !form.dataset.rules || !window.TactfulText) return;
  // The rules file as the server reads it, embedded in the form by the page.
  const rules = window.TactfulText.make(JSON.parse(form.dataset.rules));
  const main = form.querySelector("textarea[name=text]");
  const boxes = form.querySelectorAll("input[name=channels]");
  const variants = form.querySelectorAll("details.variant");
  const list = document.getElementById("preview-list");
  const status = document.getElementById("composer-status");

  // The networks to show, each with its tightest limit and its accounts: the
  // checked accounts, or every account while none is checked (as the server does).
  function networks() {
    if (form.dataset.network) {
      const limit = form.dataset.limit ? Number(form.dataset.limit) : null;
      return new Map([[form.dataset.network, { limit, channels: [form.dataset.channel] }]]);
    }
    const checked = Array.from(boxes).filter((box) => box.checked);
    const out = new Map();
    for (const box of checked.length ? checked : Array.from(boxes)) {
      const network = box.dataset.network;
      const own = box.dataset.limit ? Number(box.dataset.limit) : rules.limitOf(network, null);
      const entry = out.get(network) || { limit: own, channels: [] };
      if (own !== null && (entry.limit === null || own < entry.limit)) entry.limit = own;
      entry.channels.push(box.value);
      out.set(network, entry);
    }
    return out;
  }

  function variantText(network) {
    const box = form.querySelector(`textarea[data-network-text="${CSS.escape(network)}"]`);
    return box && !box.disabled && box.value.trim() ? box.value : null;
  }

  function counter(network, info, text, own) {
    const item = document.createElement("li");
    const length = rules.measure(text, network);
    const strong = document.createElement("strong");
    strong.textContent = rules.labelOf(network);
    item.append(strong);
    if (own) {
      const small = document.createElement("small");
      small.textContent = " (own text)";
      item.append(small);
    }
    let words = `: ${length}`;
    let over = false;
    if (info.limit !== null) {
      const left = info.limit - length;
      over = left < 0;
      words += ` / ${info.limit} ${rules.unitOf(network)}, ` + (over ? `${-left} too many` : `${left} left`);
    } else {
      words += ` ${rules.unitOf(network)}`;
    }
    item.append(words);
    item.className = over ? "counter over" : "counter";
    item.dataset.network = network;
    return item;
  }

  function preview(network, info, text, own) {
    const article = document.createElement("article");
    article.className = "preview";
    article.dataset.network = network;
    const heading = document.createElement("h3");
    heading.textContent = rules.labelOf(network) + " ";
    const small = document.createElement("small");
    small.textContent = info.channels.join(", ") + (own ? " · own text" : "");
    heading.append(small);
    const body = document.createElement("div");
    body.className = "preview-text";
    const weight = rules.urlWeight(network);
    for (const piece of rules.segments(text, network)) {
      if (piece.kind === "text") { body.append(piece.shown); continue; }
      const span = document.createElement("span");
      span.className = "pv-" + piece.kind;
      span.textContent = piece.shown;
      if (piece.kind === "link") span.title = piece.text + (weight ? ` (counts as ${weight})` : "");
      body.append(span);
    }
    const length = rules.measure(text, network);
    const note = document.createElement("p");
    note.className = "help";
    note.textContent = `${length}` + (info.limit !== null ? ` / ${info.limit}` : "") +
      ` ${rules.unitOf(network)}` + (weight ? `; each link counts ${weight}` : "");
    article.append(heading, body, note);
    if (info.limit !== null && length > info.limit) {
      const error = document.createElement("p");
      error.className = "error";
      error.textContent = `Text is ${length} ${rules.unitOf(network)} as ${network} counts them; the limit is ${info.limit}.`;
      article.append(error);
    }
    return article;
  }

  function update() {
    const shown = networks();
    // A network's own text box only for networks of the chosen accounts; a hidden
    // one is disabled, so what it holds is kept but not sent.
    for (const details of variants) {
      const active = shown.has(details.dataset.network);
      details.hidden = !active;
      details.querySelector("textarea").disabled = !active;
    }
    const mainCounts = document.getElementById("text-counts");
    const mainItems = [];
    const articles = [];
    for (const [network, info] of shown) {
      const own = variantText(network);
      const text = own === null ? main.value : own;
      if (own === null) mainItems.push(counter(network, info, text, false));
      const ownCounts = document.getElementById(`variant-${network}-count`);
      if (ownCounts) ownCounts.replaceChildren(...(own === null ? [] : [counter(network, info, text, true)]));
      articles.push(preview(network, info, text, own !== null));
    }
    mainCounts.replaceChildren(...mainItems);
    if (list) list.replaceChildren(...articles);
    // Screen readers hear only a change of which networks the text is too long for.
    const tooLong = Array.from(shown).filter(([network, info]) => {
      const own = variantText(network);
      return info.limit !== null && rules.measure(own === null ? main.value : own, network) > info.limit;
    }).map(([network]) => rules.labelOf(network));
    const message = tooLong.length ? `Too long for ${tooLong.join(", ")}.` : "";
    if (status && status.textContent !== message) status.textContent = message;
  }

  // Offer the device's own time zone beside the zone field when it differs.
  const zone = form.querySelector("input[name=timezone]");
  const here = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && here && zone.value !== here) {
    const use = document.createElement("button");
    use.type = "button";
    use.className = "link";
    use.textContent = `Use this device's zone (${here})`;
    use.addEventListener("click", () => { zone.value = here; use.remove(); zone.focus(); });
    zone.after(use);
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();

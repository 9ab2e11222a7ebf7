// Post length and preview per network, from the same rules file the server checks
// with (rules/data/text_rules.json; rules/text.py is the server's side). The page
// embeds the file; node loads this module in the test that holds both sides to the
// same answers. A static file, not inline: the Content-Security-Policy allows only
// scripts from this site.
(function (root) {
  "use strict";

  function make(data) {
    const cache = new Map();
    const regexp = (source, flags) => {
      const key = flags + source;
      if (!cache.has(key)) cache.set(key, new RegExp(source, flags));
      return cache.get(key);
    };
    const segmenter = typeof Intl !== "undefined" && Intl.Segmenter
      ? new Intl.Segmenter(undefined, { granularity: "grapheme" })
      : null;
    const clusters = (text) => segmenter
      ? Array.from(segmenter.segment(text), (s) => s.segment)
      : Array.from(text);
    const codePoints = (text) => Array.from(text).length;

    function rulesFor(network) {
      const own = data.networks[network] || {};
      const merged = Object.assign({}, data["default"], own);
      merged.link_display = Object.assign({}, data["default"].link_display, own.link_display || {});
      return merged;
    }

    function weighted(text, rules) {
      const emoji = regexp(data.emoji_pattern, "u");
      let total = 0;
      for (const cluster of clusters(text)) {
        if (emoji.test(cluster)) { total += rules.emoji_weight; continue; }
        for (const char of cluster) {
          const point = char.codePointAt(0);
          const light = rules.light_ranges.some(([lo, hi]) => lo <= point && point <= hi);
          total += light ? 1 : rules.default_weight;
        }
      }
      return total;
    }

    // What the network takes for a link (rules.text.link_pattern).
    function linkPattern(network) {
      const bare = rulesFor(network).bare_url_pattern;
      return bare ? `(?:${data.url_pattern})|(?:${bare})` : data.url_pattern;
    }

    // The same steps as rules.text.measure, in the same order.
    function measure(text, network) {
      const rules = rulesFor(network);
      let rest = text;
      if (rules.remote_mention_pattern) {
        rest = rest.replace(regexp(rules.remote_mention_pattern, "gu"), "$1");
      }
      let links = 0;
      if (rules.url_weight !== null && rules.url_weight !== undefined) {
        const url = regexp(linkPattern(network), "gu");
        links = (rest.match(url) || []).length * rules.url_weight;
        rest = rest.replace(url, "");
      }
      if (rules.count === "weighted") return links + weighted(rest, rules);
      if (rules.count === "graphemes") return links + clusters(rest).length;
      return links + codePoints(rest);
    }

    function limitOf(network, limit) {
      if (limit !== null && limit !== undefined) return limit;
      const own = rulesFor(network).limit;
      return own === undefined ? null : own;
    }

    function shownLink(url, network) {
      const display = rulesFor(network).link_display;
      let shown = url;
      if (display.strip_scheme) shown = shown.replace(/^[Hh][Tt][Tt][Pp][Ss]?:\/\//u, "");
      if (display.strip_www) shown = shown.replace(/^[Ww][Ww][Ww]\./u, "");
      const points = Array.from(shown);
      if (display.max !== null && points.length > display.max) {
        shown = points.slice(0, display.max).join("") + "…";
      }
      return shown;
    }

    // The same cut as rules.text.segments: text, link, mention and hashtag pieces.
    function segments(text, network) {
      const rules = rulesFor(network);
      const token = regexp(
        "(?<link>" + linkPattern(network) + ")|(?<mention>" + rules.mention_pattern +
        ")|(?<hashtag>" + data.hashtag_pattern + ")", "gu");
      const out = [];
      let at = 0;
      for (const found of text.matchAll(token)) {
        if (found.index > at) {
          const plain = text.slice(at, found.index);
          out.push({ kind: "text", text: plain, shown: plain });
        }
        const groups = found.groups;
        const kind = groups.link !== undefined ? "link"
          : groups.mention !== undefined ? "mention" : "hashtag";
        const piece = found[0];
        out.push({ kind, text: piece, shown: kind === "link" ? shownLink(piece, network) : piece });
        at = found.index + piece.length;
      }
      if (at < text.length) out.push({ kind: "text", text: text.slice(at), shown: text.slice(at) });
      return out;
    }

    return {
      measure,
      segments,
      shownLink,
      limitOf,
      unitOf: (network) => rulesFor(network).unit,
      labelOf: (network) => rulesFor(network).label,
      urlWeight: (network) => rulesFor(network).url_weight,
    };
  }

  const api = { make };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.TactfulText = api;
})(this);

// Word has no list elements on the clipboard: each item is a paragraph whose style says
// `mso-list:l<list> level<depth> lfo<instance>`, with the bullet or number typed out in a
// span marked `mso-list:Ignore`. This turns runs of such paragraphs into nested <ul>/<ol>,
// without the typed markers.

const LIST_STYLE = /mso-list\s*:\s*(l\d+)\s+level(\d+)\s+(lfo\d+)/i;
const IGNORE_STYLE = /mso-list\s*:\s*ignore/i;
const SYMBOL_FONT = /symbol|wingdings|webdings/i;

/** The list a paragraph belongs to and its depth, or null for an ordinary paragraph. */
function listPlace(el) {
  if (el.nodeName !== "P" && el.nodeName !== "PRE") return null;
  const found = LIST_STYLE.exec(el.getAttribute("style") || "");
  if (!found) return null;
  return { id: `${found[1]} ${found[3]}`, level: Number(found[2]) };
}

/** The spans that hold the typed bullet or number. */
export function markerSpans(root) {
  return [...root.querySelectorAll("[style]")].filter((el) => IGNORE_STYLE.test(el.getAttribute("style")));
}

function markerFont(span, stop) {
  for (let el = span; el && el !== stop; el = el.parentElement) {
    const family = /font-family\s*:\s*([^;]+)/i.exec(el.getAttribute("style") || "");
    if (family) return family[1];
  }
  return "";
}

const ROMAN = { i: 1, v: 5, x: 10, l: 50, c: 100, d: 500, m: 1000 };

function romanValue(letters) {
  let total = 0;
  const values = [...letters.toLowerCase()].map((c) => ROMAN[c]);
  values.forEach((v, i) => {
    total += v < (values[i + 1] || 0) ? -v : v;
  });
  return total;
}

/**
 * Whether a typed marker numbers its item, and from which number. Bullets are symbols
 * (·, o, §, ü in a symbol font); numbers are digits, letters or roman numerals with or
 * without their punctuation: "3.", "1.2.", "(b)", "iv.", "C".
 */
export function readMarker(text, font) {
  const marker = text.replace(/[\s\u00a0]+/g, "");
  if (!marker || SYMBOL_FONT.test(font)) return { ordered: false, start: 1 };
  const digits = /^\(?(?:\d+\.)*(\d+)[.)]?$/.exec(marker);
  if (digits) return { ordered: true, start: Number(digits[1]) };
  const letters = /^\(?([a-z]{1,6})[.)]$/i.exec(marker) || (/^[a-z]$/i.test(marker) && marker !== "o" ? [marker, marker] : null);
  if (!letters) return { ordered: false, start: 1 };
  const word = letters[1];
  if (/^[ivxlcdm]+$/i.test(word) && (word.length > 1 || /^[iI]$/.test(word))) return { ordered: true, start: romanValue(word) };
  if (word.length === 1) return { ordered: true, start: word.toLowerCase().charCodeAt(0) - 96 };
  return { ordered: true, start: 1 };
}

function isBlank(node) {
  if (node.nodeType === 3) return !/[^\s\u00a0]/.test(node.data);
  if (node.nodeType !== 1 || node.nodeName !== "P") return false;
  return !/[^\s\u00a0]/.test(node.textContent) && !node.querySelector("img, br, table");
}

/** The list paragraphs that follow `first` as one run (blank paragraphs between them are dropped). */
function runFrom(first) {
  const run = [first];
  let next = first.nextSibling;
  const skipped = [];
  while (next) {
    if (listPlace(next)) {
      skipped.forEach((n) => n.remove());
      skipped.length = 0;
      run.push(next);
    } else if (isBlank(next)) {
      skipped.push(next);
    } else {
      break;
    }
    next = next.nextSibling;
  }
  return run;
}

function itemFrom(paragraph, document) {
  const li = document.createElement("li");
  const p = document.createElement("p");
  p.append(...paragraph.childNodes);
  li.append(p);
  return li;
}

function buildLists(run, document) {
  const open = [];
  for (const paragraph of run) {
    const { id, level } = listPlace(paragraph);
    const spans = markerSpans(paragraph);
    const text = spans.map((s) => s.textContent).join("");
    const { ordered, start } = readMarker(text, spans.length ? markerFont(spans[0], paragraph.parentNode) : "");
    spans.forEach((s) => s.remove());

    while (open.length && open[open.length - 1].level > level) open.pop();
    let top = open[open.length - 1];
    if (top && top.level === level && (top.ordered !== ordered || top.id !== id)) {
      open.pop();
      top = open[open.length - 1];
    }
    if (!top || top.level < level) {
      const list = document.createElement(ordered ? "ol" : "ul");
      if (ordered && start !== 1) list.setAttribute("start", String(start));
      if (top) {
        let holder = top.list.lastElementChild;
        if (!holder) top.list.append((holder = document.createElement("li")));
        holder.append(list);
      } else {
        paragraph.before(list);
      }
      top = { id, level, ordered, list };
      open.push(top);
    }
    top.list.append(itemFrom(paragraph, document));
    paragraph.remove();
  }
}

/**
 * Word sometimes sends part of a list as real <ul>/<ol> elements whose items carry the same
 * `mso-list` style as the list paragraphs around them. Those lists are turned back into list
 * paragraphs (with a typed marker made from their numbering), so that one list is rebuilt
 * from both kinds, each item at its level.
 */
function realListsToParagraphs(root, document) {
  const lists = [...root.querySelectorAll("ul, ol")].filter(
    (list) => !list.parentElement.closest("ul, ol") && [...list.querySelectorAll("li")].every((li) => LIST_STYLE.test(li.getAttribute("style") || "")),
  );
  for (const list of lists) {
    const paragraphs = [...list.querySelectorAll("li")].map((li) => {
      const owner = li.parentElement;
      const p = document.createElement("p");
      p.setAttribute("style", LIST_STYLE.exec(li.getAttribute("style"))[0]);
      const marker = document.createElement("span");
      marker.setAttribute("style", "mso-list:Ignore");
      if (owner.nodeName === "OL") {
        const start = Number.parseInt(owner.getAttribute("start") || "1", 10) || 1;
        marker.textContent = `${start + [...owner.children].filter((c) => c.nodeName === "LI").indexOf(li)}.`;
      } else {
        marker.textContent = "\u00b7";
      }
      p.append(marker, ...[...li.childNodes].filter((n) => n.nodeName !== "UL" && n.nodeName !== "OL"));
      return p;
    });
    if (paragraphs.length) list.replaceWith(...paragraphs);
  }
}

/** Replaces every run of Word list paragraphs under `root` with real lists. */
export function convertWordLists(root, document) {
  realListsToParagraphs(root, document);
  for (;;) {
    const first = [...root.querySelectorAll("p[style], pre[style]")].find((el) => listPlace(el));
    if (!first) return;
    buildLists(runFrom(first), document);
  }
}

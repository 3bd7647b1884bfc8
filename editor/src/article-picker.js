// A dialog field that finds published articles as the writer types, following the ARIA
// combobox pattern: the field owns a listbox of results, the arrow keys move through it,
// Enter or a click chooses. The field also takes a typed address, which the dialog reads
// when no result is chosen. Searches wait for a pause in typing, and an answer that comes
// after a newer question was asked is dropped.

const PAUSE_MS = 200;
// Text that is already an address is not searched for.
const ADDRESS = /^(\/|[a-z][a-z0-9+.-]*:)/i;

// What the picker says, of articles unless told otherwise (the image dialog finds media items).
const ARTICLE_WORDS = {
  list: "Published articles",
  one: "article",
  many: "articles",
  none: "No published article matches those words.",
  failing: "The article search is not answering; a typed address still works.",
};

/**
 * Adds the field to `dialog`. `lookup(query, signal)` resolves to `[{ headline, url }]`
 * (none: no search, addresses only); `onChoose(article)` hears the writer's choice.
 * `words` names what is found (`ARTICLE_WORDS`).
 */
export function articlePicker(dialog, { lookup, label, hint, value = "", onChoose, words = ARTICLE_WORDS }) {
  const page = dialog.page;
  const win = page.defaultView;
  const input = dialog.field({
    label,
    hint,
    value,
    role: "combobox",
    "aria-autocomplete": "list",
    "aria-expanded": "false",
    autocomplete: "off",
    spellcheck: "false",
  });
  const list = page.createElement("ul");
  list.id = `${input.id}-results`;
  list.className = "rich-editor-dialog__results";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", words.list);
  list.hidden = true;
  input.after(list);
  input.setAttribute("aria-controls", list.id);

  let results = [];
  let active = -1;
  let timer = null;
  let asked = 0;
  let pending = null;

  function setActive(index) {
    active = index;
    [...list.children].forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
    if (index < 0) input.removeAttribute("aria-activedescendant");
    else {
      const option = list.children[index];
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView?.({ block: "nearest" });
    }
  }

  function show(found) {
    results = found;
    list.replaceChildren(
      ...found.map((article, i) => {
        const li = page.createElement("li");
        li.id = `${list.id}-${i}`;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.index = String(i);
        const headline = li.appendChild(page.createElement("span"));
        headline.className = "rich-editor-dialog__result-headline";
        headline.textContent = article.headline;
        const url = li.appendChild(page.createElement("span"));
        url.className = "rich-editor-dialog__result-url";
        url.textContent = article.url;
        return li;
      }),
    );
    list.hidden = !found.length;
    input.setAttribute("aria-expanded", String(found.length > 0));
    setActive(-1);
  }

  function search() {
    const query = input.value.trim();
    const n = ++asked;
    pending?.abort();
    pending = null;
    if (!lookup || !query || ADDRESS.test(query)) {
      show([]);
      dialog.status("");
      return;
    }
    pending = new win.AbortController();
    lookup(query, pending.signal).then(
      (found) => {
        if (n !== asked) return;
        show(found);
        dialog.status(
          found.length
            ? `${found.length} ${found.length === 1 ? words.one : words.many} found: the arrow keys move through them, Enter chooses.`
            : words.none,
        );
      },
      () => {
        if (n !== asked) return;
        show([]);
        dialog.status(words.failing);
      },
    );
  }

  input.addEventListener("input", () => {
    win.clearTimeout(timer);
    timer = win.setTimeout(search, PAUSE_MS);
  });
  input.addEventListener("keydown", (event) => {
    if ((event.key === "ArrowDown" || event.key === "ArrowUp") && results.length) {
      event.preventDefault();
      const last = results.length - 1;
      if (event.key === "ArrowDown") setActive(active >= last ? 0 : active + 1);
      else setActive(active <= 0 ? last : active - 1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      onChoose(results[active]);
    }
  });
  // A click chooses without taking focus from the field.
  list.addEventListener("mousedown", (event) => event.preventDefault());
  list.addEventListener("click", (event) => {
    const option = event.target.closest?.("[role=option]");
    if (option) onChoose(results[Number(option.dataset.index)]);
  });

  return {
    input,
    /** Stops the waiting search and drops any answer still to come. */
    stop() {
      win.clearTimeout(timer);
      asked++;
      pending?.abort();
    },
  };
}

// The editor's dialogs (image, link, read more), built on a div rather than <dialog> so
// that they look and behave the same in every browser the newsroom uses: role=dialog,
// aria-modal, named by their heading; focus stays inside while open (Tab wraps, a click
// on the page behind does not take it); Escape closes; focus then goes back where the
// writer was (the editor). Each holds a form of its own, so Enter submits the dialog and
// never the article form: the dialog is appended to <body>, outside it.

const FOCUSABLE = "button, input, select, textarea, a[href], [tabindex]";

let made = 0;

/** Whether a dialog of the editor is open on `page` (only one is, at a time). */
export function dialogOpen(page) {
  return !!page.querySelector(".rich-editor-dialog");
}

export class Dialog {
  /**
   * `title` names the dialog; `returnFocus` is called once it has closed; `onClose` hears
   * it close, whatever closed it (Escape, Cancel or the dialog's own work being done).
   */
  constructor(page, { title, returnFocus, onClose }) {
    this.page = page;
    this.id = `rich-editor-dialog-${++made}`;
    this.returnFocus = returnFocus;
    this.onClose = onClose;
    this.onSubmit = null;
    this.fieldCount = 0;

    this.backdrop = page.createElement("div");
    this.backdrop.className = "rich-editor-dialog";
    // A click beside the dialog neither closes it (the writer's answers stay) nor takes focus.
    this.backdrop.addEventListener("mousedown", (e) => {
      if (e.target === this.backdrop) e.preventDefault();
    });
    this.box = this.backdrop.appendChild(page.createElement("div"));
    this.box.className = "rich-editor-dialog__box";
    this.box.setAttribute("role", "dialog");
    this.box.setAttribute("aria-modal", "true");
    this.box.setAttribute("aria-labelledby", `${this.id}-title`);
    this.box.tabIndex = -1;

    const heading = this.box.appendChild(page.createElement("h2"));
    heading.id = `${this.id}-title`;
    heading.className = "rich-editor-dialog__title";
    heading.textContent = title;

    this.form = this.box.appendChild(page.createElement("form"));
    this.form.noValidate = true; // the dialog says what is missing, in words, beside the field
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!this.busy && this.onSubmit) this.onSubmit(e);
    });
    this.fields = this.form.appendChild(page.createElement("div"));
    this.fields.className = "rich-editor-dialog__fields";

    this.errorLine = this.form.appendChild(page.createElement("p"));
    this.errorLine.id = `${this.id}-error`;
    this.errorLine.className = "rich-editor-dialog__error";
    this.errorLine.setAttribute("role", "alert");
    this.errorLine.hidden = true;
    this.statusLine = this.form.appendChild(page.createElement("p"));
    this.statusLine.className = "rich-editor-dialog__status";
    this.statusLine.setAttribute("role", "status");

    this.actions = this.form.appendChild(page.createElement("div"));
    this.actions.className = "rich-editor-dialog__actions";

    this.keydown = (e) => this.onKey(e);
    this.focusin = (e) => {
      if (!this.box.contains(e.target)) this.focusFirst();
    };
  }

  /** A labelled field (input, or `multiline` textarea) with an optional hint under its label. */
  field({ label, hint, type = "text", value = "", required = false, multiline = false, ...attributes }) {
    const n = ++this.fieldCount;
    const wrap = this.fields.appendChild(this.page.createElement("div"));
    wrap.className = "rich-editor-dialog__field";
    const labelEl = wrap.appendChild(this.page.createElement("label"));
    labelEl.htmlFor = `${this.id}-f${n}`;
    labelEl.textContent = label;
    const input = this.page.createElement(multiline ? "textarea" : "input");
    input.id = `${this.id}-f${n}`;
    if (!multiline) input.type = type;
    if (type !== "file") input.value = value || "";
    if (required) {
      input.required = true;
      input.setAttribute("aria-required", "true");
    }
    for (const [name, v] of Object.entries(attributes)) input.setAttribute(name, v);
    const described = [];
    if (hint) {
      const hintEl = wrap.appendChild(this.page.createElement("p"));
      hintEl.id = `${this.id}-f${n}-hint`;
      hintEl.className = "rich-editor-dialog__hint";
      hintEl.textContent = hint;
      described.push(hintEl.id);
    }
    if (described.length) input.setAttribute("aria-describedby", described.join(" "));
    wrap.append(input);
    return input;
  }

  /** A button in the dialog's row of actions; `submit` ones send its form. */
  button(text, { submit = false, onClick = null } = {}) {
    const button = this.actions.appendChild(this.page.createElement("button"));
    button.type = submit ? "submit" : "button";
    button.className = submit ? "rich-editor-dialog__button rich-editor-dialog__button--main" : "rich-editor-dialog__button";
    button.textContent = text;
    if (onClick) button.addEventListener("click", onClick);
    return button;
  }

  /** Shows `message` as what went wrong (empty: nothing), marking `field` as the one to mend. */
  error(message, field = null) {
    this.fields.querySelectorAll("[aria-invalid]").forEach((el) => {
      el.removeAttribute("aria-invalid");
      el.setAttribute("aria-describedby", (el.getAttribute("aria-describedby") || "").replace(this.errorLine.id, "").trim());
      if (!el.getAttribute("aria-describedby")) el.removeAttribute("aria-describedby");
    });
    this.errorLine.textContent = message || "";
    this.errorLine.hidden = !message;
    if (message && field) {
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", `${field.getAttribute("aria-describedby") || ""} ${this.errorLine.id}`.trim());
      field.focus();
    }
  }

  status(message) {
    this.statusLine.textContent = message || "";
  }

  /** While busy (an upload on its way) the fields and the main button cannot be changed or pressed again. */
  setBusy(busy) {
    this.busy = busy;
    this.box.setAttribute("aria-busy", String(busy));
    this.form.querySelectorAll("input, textarea, button[type=submit]").forEach((el) => {
      el.disabled = busy;
    });
  }

  focusables() {
    return [...this.box.querySelectorAll(FOCUSABLE)].filter((el) => !el.disabled && el.tabIndex >= 0 && !el.closest("[hidden]"));
  }

  focusFirst() {
    (this.focusables()[0] || this.box).focus();
  }

  onKey(event) {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      this.close();
      return;
    }
    if (event.key !== "Tab") return;
    const all = this.focusables();
    if (!all.length) {
      event.preventDefault();
      return;
    }
    const at = all.indexOf(this.page.activeElement);
    const to = event.shiftKey ? (at <= 0 ? all.length - 1 : null) : at === all.length - 1 || at < 0 ? 0 : null;
    if (to !== null) {
      event.preventDefault();
      all[to].focus();
    }
  }

  /** Puts the dialog on the page and focus in it (on `focus`, or its first field). */
  open(focus = null) {
    this.page.body.append(this.backdrop);
    this.box.addEventListener("keydown", this.keydown);
    this.page.addEventListener("focusin", this.focusin);
    if (focus) focus.focus();
    else this.focusFirst();
    return this;
  }

  close() {
    if (!this.backdrop.isConnected) return;
    this.page.removeEventListener("focusin", this.focusin);
    this.box.removeEventListener("keydown", this.keydown);
    this.backdrop.remove();
    if (this.onClose) this.onClose();
    if (this.returnFocus) this.returnFocus();
  }
}

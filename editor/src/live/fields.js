// The article form's other fields, shared live beside the body. The newsroom keeps them in
// the live document's Y.Map "meta": one plain string per field, as the form would send it,
// the last write winning per field. The server fills the map from the saved article and
// rewrites it when another path saves, so once in step the map is the truth: the form's
// controls (marked data-live-field="<key>") show it, and a writer's change goes into it.
// Which field another writer is in travels in awareness (`field: "<key>"`), so two people
// do not type over each other's headline without knowing.
import { colourOf, nameOf, presenceSentence } from "./presence.js";

export const META = "meta";

// How each field's controls hold their string: "value" (a text input, textarea or select:
// its value), "switch" (one checkbox: "1" or ""), "ids" (a group of checkboxes: the checked
// values in the order of the page, joined by commas). Keys not listed are left alone.
export const FIELDS = {
  headline: "value",
  dek: "value",
  kicker: "value",
  slug: "value",
  section_id: "value",
  topics: "value",
  seo_title: "value",
  seo_description: "value",
  authors: "ids",
  comments_open: "switch",
  editors_pick: "switch",
};

/** The string the map holds for `controls`, all of one field of kind `kind`. */
export function fieldValue(kind, controls) {
  if (kind === "switch") return controls[0].checked ? "1" : "";
  if (kind === "ids") return controls.filter((c) => c.checked).map((c) => c.value).join(",");
  return controls[0].value;
}

/**
 * Where each end of a selection in `before` lands in `after`: text kept before and after the
 * change keeps the caret where it was in the words; a caret inside what changed goes to the
 * end of what replaced it.
 */
export function caretMapper(before, after) {
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head++;
  let tail = 0;
  while (tail < before.length - head && tail < after.length - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  // Never between the two halves of a surrogate pair (an emoji, a rare CJK character).
  const high = (s, i) => i > 0 && /[\uD800-\uDBFF]/.test(s[i - 1]);
  const low = (s, i) => /[\uDC00-\uDFFF]/.test(s[i] || "");
  if (high(before, head) || high(after, head)) head--;
  if (tail > 0 && (low(before, before.length - tail) || low(after, after.length - tail))) tail--;
  return (at) => {
    if (at <= head) return at;
    if (at >= before.length - tail) return at + after.length - before.length;
    return after.length - tail;
  };
}

/** Shows `value` in a text control; a focused one keeps the writer's selection in its words. */
function showText(control, value) {
  if (control.value === value) return;
  const page = control.ownerDocument;
  let selection = null;
  if (page.activeElement === control) {
    try {
      if (control.selectionStart !== null) selection = [control.selectionStart, control.selectionEnd, control.selectionDirection];
    } catch {
      // A control without a text selection (a select): nothing to keep.
    }
  }
  const before = control.value;
  control.value = value;
  if (!selection) return;
  const map = caretMapper(before, value);
  control.setSelectionRange(map(selection[0]), map(selection[1]), selection[2] || "none");
}

/** Shows the map's `value` in the controls of one field. No event is sent: nothing was typed here. */
export function showField(kind, controls, value) {
  if (kind === "switch") {
    controls[0].checked = value === "1";
  } else if (kind === "ids") {
    const ids = new Set(value.split(","));
    for (const control of controls) control.checked = ids.has(control.value);
  } else if (controls[0].tagName === "SELECT") {
    // A value with no option (a section made after this page opened) would leave the select
    // blank and the form sending nothing: it keeps its choice until the page is reloaded.
    if ([...controls[0].options].some((o) => o.value === value)) controls[0].value = value;
  } else {
    showText(controls[0], value);
  }
}

/** The controls in `form` of each known field: key → controls in the page's order. */
function fieldControls(form) {
  const fields = new Map();
  for (const control of form.querySelectorAll("[data-live-field]")) {
    const key = control.dataset.liveField;
    if (!Object.prototype.hasOwnProperty.call(FIELDS, key)) continue;
    if (!fields.has(key)) fields.set(key, []);
    fields.get(key).push(control);
  }
  return fields;
}

/**
 * The line under a field that says who else is in it. It goes after the field's last control
 * (after its <label> when the control is inside one, so it never becomes part of a checkbox's
 * name), and each control is described by it, so a screen reader hears it on focus.
 */
function othersNote(key, controls) {
  const last = controls[controls.length - 1];
  const page = last.ownerDocument;
  const note = page.createElement("span");
  note.className = "rich-editor-field-others";
  note.id = `live-field-${key}-others`;
  note.hidden = true;
  (last.closest("label") || last).after(note);
  return note;
}

function describedBy(control, id, on) {
  const ids = (control.getAttribute("aria-describedby") || "").split(/\s+/).filter((t) => t && t !== id);
  if (on) ids.push(id);
  if (ids.length) control.setAttribute("aria-describedby", ids.join(" "));
  else control.removeAttribute("aria-describedby");
}

/**
 * Binds the `[data-live-field]` controls of `form` to the map "meta" of `doc`, which is in
 * step with the newsroom (call it on the first sync): the controls take the map's values at
 * once, then follow every change made elsewhere. Unless `readOnly`, a change made here goes
 * into the map, as one Yjs transaction with an origin of this binding's (the connection
 * sends every change that is not its own), and the field a writer is in goes to the others
 * through `awareness`, whose other writers are shown in the fields they are in. Returns a
 * function that undoes all of it and leaves the controls as they stand.
 */
export function bindFields(form, { doc, awareness, readOnly = false }) {
  const map = doc.getMap(META);
  const fields = fieldControls(form);
  const origin = { fields: form };
  const notes = new Map();

  const fill = (key) => {
    const value = map.get(key);
    if (typeof value === "string") showField(FIELDS[key], fields.get(key), value);
  };
  fields.forEach((_, key) => fill(key));
  const followMap = (event, transaction) => {
    if (transaction.origin === origin) return;
    event.keysChanged.forEach((key) => fields.has(key) && fill(key));
  };
  map.observe(followMap);

  const keyOf = (target) => {
    const key = target?.dataset?.liveField;
    return key && fields.get(key)?.includes(target) ? key : null;
  };
  const edited = (event) => {
    const key = keyOf(event.target);
    if (!key) return;
    const value = fieldValue(FIELDS[key], fields.get(key));
    if (map.get(key) !== value) doc.transact(() => map.set(key, value), origin);
  };
  const entered = (event) => {
    const key = keyOf(event.target);
    if (key && awareness.getLocalState()?.field !== key) awareness.setLocalStateField("field", key);
  };
  const left = (event) => {
    const key = keyOf(event.target);
    // Moving between the bylines' checkboxes is staying in one field.
    if (key && keyOf(event.relatedTarget) !== key && awareness.getLocalState()?.field === key) awareness.setLocalStateField("field", null);
  };
  const listeners = readOnly ? [] : [["input", edited], ["change", edited], ["focusin", entered], ["focusout", left]];
  listeners.forEach(([type, listener]) => form.addEventListener(type, listener));

  const showOthers = () => {
    const inField = new Map();
    for (const [client, state] of awareness.getStates()) {
      if (client === doc.clientID || !state?.user || state.user.mode === "read" || !fields.has(state.field)) continue;
      const names = inField.get(state.field) || [];
      const name = nameOf(state.user);
      if (!names.includes(name)) names.push(name);
      inField.set(state.field, names);
    }
    for (const [key, controls] of fields) {
      const names = inField.get(key) || [];
      if (!names.length && !notes.has(key)) continue;
      if (!notes.has(key)) notes.set(key, othersNote(key, controls));
      const note = notes.get(key);
      const sentence = presenceSentence(names);
      if (note.textContent !== sentence) note.textContent = sentence;
      note.hidden = !names.length;
      for (const control of controls) {
        control.classList.toggle("rich-editor-field--others", names.length > 0);
        if (names.length) control.style.setProperty("--live-field-colour", colourOf(names[0]));
        else control.style.removeProperty("--live-field-colour");
        describedBy(control, note.id, names.length > 0);
      }
      note.style.setProperty("--live-field-colour", names.length ? colourOf(names[0]) : "");
    }
  };
  awareness.on("change", showOthers);
  showOthers();

  return () => {
    listeners.forEach(([type, listener]) => form.removeEventListener(type, listener));
    map.unobserve(followMap);
    awareness.off("change", showOthers);
    if (awareness.getLocalState()?.field) awareness.setLocalStateField("field", null);
    for (const [key, note] of notes) {
      for (const control of fields.get(key)) {
        control.classList.remove("rich-editor-field--others");
        control.style.removeProperty("--live-field-colour");
        describedBy(control, note.id, false);
      }
      note.remove();
    }
    notes.clear();
  };
}

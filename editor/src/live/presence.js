// Who else is editing: the sentence in the editor's header, and the other writers' cursors
// in the text. Everything here comes from other browsers (their awareness state), so names
// only ever become text nodes and colours are chosen here from the name, never taken as sent.

// Dark enough for white text on the name label, and far apart from one another.
const COLOURS = ["#b42318", "#1d4ed8", "#047857", "#7e22ce", "#b45309", "#0e7490", "#be185d", "#4d7c0f", "#4338ca", "#9f1239"];

/** The colour of a writer, the same in every browser and every session for the same name. */
export function colourOf(name) {
  let hash = 0;
  for (const ch of String(name)) hash = (Math.imul(hash, 31) + ch.codePointAt(0)) >>> 0;
  return COLOURS[hash % COLOURS.length];
}

/** The name a writer shows as: from their awareness state, or a stand-in when they sent none. */
export function nameOf(user) {
  const name = typeof user?.name === "string" ? user.name.trim() : "";
  return name || "Someone";
}

/**
 * The other writers, from the awareness states (`states`: client id → state) less this
 * browser's own (`self`): each name once, in the order they came, readers left out.
 */
export function otherWriters(states, self) {
  const names = [];
  for (const [client, state] of states) {
    if (client === self || !state?.user || state.user.mode === "read") continue;
    const name = nameOf(state.user);
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/** "Ann is editing", "Ann and Bo are editing", "Ann, Bo and Cy are editing"; "" for nobody. */
export function presenceSentence(names) {
  if (!names.length) return "";
  if (names.length === 1) return `${names[0]} is editing`;
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]} are editing`;
}

/** Another writer's cursor: a coloured bar with their name over it. */
export function cursorBuilder(user) {
  const page = globalThis.document;
  const name = nameOf(user);
  const cursor = page.createElement("span");
  cursor.className = "rich-editor__cursor";
  cursor.style.borderColor = colourOf(name);
  const label = cursor.appendChild(page.createElement("span"));
  label.className = "rich-editor__cursor-name";
  label.style.backgroundColor = colourOf(name);
  label.textContent = name;
  // Zero-width word joiners around the label keep the browser from breaking the line at it.
  cursor.prepend("\u2060");
  cursor.append("\u2060");
  return cursor;
}

/** Another writer's selection: their colour, faint. */
export function selectionBuilder(user) {
  return { class: "rich-editor__selection", style: `background-color: ${colourOf(nameOf(user))}33` };
}

// A pull quote in the editor: the quote is edited in place; who said it is shown under it
// as a button that asks for the name, since `cite` is an attribute and not text.

export class PullQuoteView {
  constructor(node, view, getPos, ask) {
    const page = view.dom.ownerDocument;
    this.node = node;
    this.dom = page.createElement("figure");
    this.dom.className = "pull-quote";
    this.contentDOM = this.dom.appendChild(page.createElement("blockquote"));
    const caption = this.dom.appendChild(page.createElement("figcaption"));
    caption.contentEditable = "false";
    this.cite = caption.appendChild(page.createElement("button"));
    this.cite.type = "button";
    this.cite.className = "rich-editor__cite";
    this.cite.addEventListener("click", () => {
      const answer = ask([{ name: "cite", label: "Who said it? (may be left empty)", value: this.node.attrs.cite }]);
      const pos = getPos();
      if (!answer || pos === undefined) return;
      view.dispatch(view.state.tr.setNodeMarkup(pos, null, { cite: answer.cite.trim() }));
      view.focus();
    });
    this.show();
  }

  show() {
    const { cite } = this.node.attrs;
    this.cite.textContent = cite ? `— ${cite}` : "Add who said it";
    this.cite.setAttribute("aria-label", cite ? `Said by ${cite}: change` : "Add who said it");
  }

  update(node) {
    if (node.type !== this.node.type) return false;
    this.node = node;
    this.show();
    return true;
  }

  stopEvent(event) {
    return this.cite.contains(event.target);
  }

  ignoreMutation(mutation) {
    return !this.contentDOM.contains(mutation.target);
  }
}

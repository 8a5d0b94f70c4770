// What the component draws besides Monaco and y-monaco's decorations: a name label on each remote cursor, and the
// editor's stylesheets (Monaco's own, the labels', the banners'), loaded once per page.
import * as monaco from 'monaco-editor/esm/vs/editor/editor.api.js';
import * as Y from 'yjs';

export const COLOR = /^#[0-9a-fA-F]{6}$/;

/** URL of a file that build.mjs placed next to this bundle in dist/ (the worker, the stylesheet). */
export const assetUrl = (name) => new URL(name, import.meta.url).href;

// How long a name label stays shown after its person last typed or moved; then it shrinks to a small flag of their
// colour on the caret, so it never hides code for long, and shows again while the mouse is over that flag.
export const LABEL_SHOWN_MS = 2000;

// A name label over a remote cursor: a Monaco content widget at the cursor's head, above the line, or below
// it where there is no room above (the first line), so it never hides the line being typed. It is aria-hidden:
// Monaco's screen-reader mode reads the code, and the page's announcer (pages) says who comes and goes.
// Automation hooks (docs/automation.md): data-testid="remote-cursor", data-client-id, data-participant-id,
// data-typing, data-line, data-column, and data-shown ("true" while the name shows, "false" once shrunk).
export class CursorLabel {
  constructor(editor, clientID) {
    this.editor = editor;
    this.id = "pairpad.cursor." + clientID;
    this.position = null;
    this.activity = null;
    this.hovered = false;
    this.node = document.createElement("div");
    this.node.className = "pairpad-cursor-label";
    this.node.setAttribute("aria-hidden", "true");
    this.node.dataset.testid = "remote-cursor";
    this.node.dataset.clientId = String(clientID);
    this.node.addEventListener("pointerenter", () => this.hover(true));
    this.node.addEventListener("pointerleave", () => this.hover(false));
    editor.addContentWidget(this);
  }
  getId() {
    return this.id;
  }
  getDomNode() {
    return this.node;
  }
  getPosition() {
    if (!this.position) return null;
    const { ABOVE, BELOW } = monaco.editor.ContentWidgetPositionPreference;
    return { position: this.position, preference: [ABOVE, BELOW] };
  }
  /**
   * `activity`: what changes only when this person acts (their awareness selection, as JSON): a move or an edit of
   * theirs shows the name again; their caret being pushed along by someone else's typing does not.
   */
  show(user, typing, position, activity) {
    if (activity !== this.activity || typing) {
      this.activity = activity;
      this.reveal();
    }
    // Called on every change of the code and of anyone's awareness: touch the DOM (and have Monaco lay the widget
    // out again) only when something shown changed, not on each keystroke of each tab.
    const shown = [user.name, user.color, user.participantId, user.role, typing, position.lineNumber, position.column]
      .join("\u0000");
    if (shown === this.shown) return;
    this.shown = shown;
    const color = COLOR.test(user.color || "") ? user.color : "#757575";
    this.node.textContent = user.name || "?"; // text, never HTML
    this.node.style.backgroundColor = color;
    this.node.style.color = labelTextColor(color);
    this.node.dataset.participantId = String(user.participantId || "");
    this.node.dataset.typing = typing ? "true" : "false";
    this.node.dataset.line = String(position.lineNumber);
    this.node.dataset.column = String(position.column);
    this.node.title = user.role ? `${user.name} (${user.role})` : user.name;
    this.position = position;
    this.editor.layoutContentWidget(this);
  }
  /** Show the name now and shrink it LABEL_SHOWN_MS later (one timer per label, restarted by each activity). */
  reveal() {
    clearTimeout(this.timer);
    this.setShown(true);
    this.timer = setTimeout(() => {
      if (!this.hovered) this.setShown(false);
    }, LABEL_SHOWN_MS);
  }
  hover(over) {
    this.hovered = over;
    this.node.dataset.hovered = over ? "true" : "false";
    if (over) this.setShown(true);
    else this.reveal();
  }
  setShown(shown) {
    const value = shown ? "true" : "false";
    if (this.node.dataset.shown === value) return;
    this.node.dataset.shown = value;
    if (this.position) this.editor.layoutContentWidget(this); // its size changed: placed above the line again
  }
  dispose() {
    clearTimeout(this.timer);
    this.editor.removeContentWidget(this);
  }
}

/**
 * Remote cursors: y-monaco draws carets and selections with per-client classes; we colour those classes (rules in
 * `styleNode`) and keep a name label per remote participant in `labels` (client id → CursorLabel). Our own client
 * id is skipped, so we never appear twice; a cursor in another text of the document (the stdin box) is not drawn.
 */
export function renderRemoteCursors(editor, awareness, ytext, labels, styleNode) {
  const model = editor.getModel();
  const doc = ytext.doc;
  const seen = new Set();
  const rules = [];
  awareness.getStates().forEach((state, clientID) => {
    if (clientID === doc.clientID || !state.user || !state.selection?.head) return;
    const head = Y.createAbsolutePositionFromRelativePosition(state.selection.head, doc);
    if (!head || head.type !== ytext) return;
    seen.add(clientID);
    const color = COLOR.test(state.user.color || "") ? state.user.color : "#757575";
    rules.push(`.yRemoteSelection-${clientID}{background-color:${color}40}`);
    rules.push(`.yRemoteSelectionHead-${clientID}{position:absolute;height:100%;box-sizing:border-box;` +
      `border-left:2px solid ${color}}`);
    let label = labels.get(clientID);
    if (!label) {
      label = new CursorLabel(editor, clientID);
      labels.set(clientID, label);
    }
    label.show(state.user, !!state.typing, model.getPositionAt(head.index), JSON.stringify(state.selection));
  });
  for (const [clientID, label] of labels) {
    if (!seen.has(clientID)) {
      label.dispose();
      labels.delete(clientID);
    }
  }
  const css = rules.join("\n");
  if (styleNode.textContent !== css) styleNode.textContent = css;
}

// Black or white, whichever contrasts more with the participant's colour (WCAG relative luminance): at least 4.6:1
// for any colour, so an 11 px name always meets the 4.5:1 of WCAG AA.
export function labelTextColor(hex) {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) ? "#000" : "#fff";
}


let assetsReady = false;
export function loadAssetsOnce() {
  if (assetsReady) return;
  assetsReady = true;
  // JavaScript and TypeScript models get Monaco's TypeScript worker (completions, diagnostics); the rest its core one.
  self.MonacoEnvironment = { getWorkerUrl: (_id, label) =>
    assetUrl(label === "typescript" || label === "javascript" ? "ts.worker.js" : "editor.worker.js") };
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = assetUrl("index.css");
  document.head.appendChild(link);
  const style = document.createElement("style");
  style.textContent = `
    .pairpad-cursor-label { font: 600 11px/16px system-ui, sans-serif; padding: 0 5px; border-radius: 3px;
      white-space: nowrap; pointer-events: none; box-shadow: 0 1px 2px #0004; z-index: 20; }
    .pairpad-cursor-label[data-typing="true"]::after { content: " · typing…"; font-weight: 400; }
    .pairpad-cursor-label[data-shown="false"] { font-size: 0; line-height: 0; width: 8px; height: 5px; padding: 0;
      border-radius: 2px 2px 0 0; box-shadow: none; pointer-events: auto; cursor: default; }
    .pairpad-cursor-label[data-shown="false"]::after { content: none; }
    /* shown again by hovering its flag: it stays under the pointer until the pointer leaves */
    .pairpad-cursor-label[data-hovered="true"] { pointer-events: auto; }
    .pairpad-editor { position: relative; overflow: hidden; }
    .pairpad-banner { position: absolute; top: 6px; right: 18px; z-index: 30; padding: 2px 10px; border-radius: 4px;
      font: 500 12px/20px system-ui, sans-serif; background: #fff3cd; color: #664d03; border: 1px solid #ffe69c;
      display: none; }
    .pairpad-editor[data-connection="offline"] .pairpad-banner { display: block; }
    .pairpad-ended { position: absolute; top: 6px; left: 50%; transform: translateX(-50%); z-index: 30;
      padding: 2px 12px; border-radius: 4px; font: 600 12px/20px system-ui, sans-serif; background: #e7f1ff;
      color: #052c65; border: 1px solid #9ec5fe; display: none; }
    .pairpad-editor[data-ended="true"] .pairpad-ended { display: block; }`;
  document.head.appendChild(style);
}

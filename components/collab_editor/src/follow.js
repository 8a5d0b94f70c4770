// Follow mode: the editor keeps one other participant's caret in view while they move and type, until this
// person moves their own caret (a key or a click) or stops following. It reads the caret from the name labels
// that view.js keeps on every remote cursor (their participant id and position), so it follows exactly what the
// person sees drawn, in every tab of that participant the labels show.

export class Follower {
  /** `onStop()` is called when following ends because this person moved their own caret. */
  constructor(editor, onStop) {
    this.editor = editor;
    this.onStop = onStop;
    this.target = null;
    // 'keyboard' and 'mouse' are this person's own moves; others' edits move the caret with other sources.
    this.listener = editor.onDidChangeCursorPosition((e) => {
      if (this.target && (e.source === "keyboard" || e.source === "mouse")) {
        this.target = null;
        this.onStop();
      }
    });
  }
  follow(participantId, labels) {
    this.target = participantId || null;
    this.reveal(labels);
  }
  /** Scroll the followed caret into view (centred) if it left the viewport; called after each cursor render. */
  reveal(labels) {
    if (!this.target) return;
    for (const label of labels.values()) {
      if (label.node.dataset.participantId === this.target && label.position) {
        this.editor.revealPositionInCenterIfOutsideViewport(label.position);
        return;
      }
    }
  }
  dispose() {
    this.listener.dispose();
  }
}

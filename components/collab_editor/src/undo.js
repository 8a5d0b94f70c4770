// Per-tab undo and redo for a Monaco editor that y-monaco binds to a Y.Text.
//
// Monaco's own undo stack replays the ranges it recorded, and other people's edits (applied by y-monaco without
// Monaco's stack knowing) have moved the text under those ranges since: Ctrl+Z then deletes or rewrites someone
// else's characters. A Y.UndoManager tracks Yjs items instead of offsets, and it only tracks the transactions of
// the binding (this tab's own typing): undoing can only delete what this tab inserted and restore what it deleted.
// Everything else (remote updates, the server's template, what y-indexeddb restored after a reload, the
// language in the document's `meta` map) has another origin or lies outside the scope, so it is never undone.
import * as Y from 'yjs';
import * as monaco from 'monaco-editor/esm/vs/editor/editor.api.js';

// Edits closer together than this form one undo step (a burst of typing), unless Monaco would start a new step
// there (see pushStackElement below) or the caret was moved in between.
export const UNDO_CAPTURE_MS = 500;

const SELECTION = 'pairpad:selection'; // stack item meta: where the caret was before the step's first edit

function relativeSelection(editor, ytext) {
  const model = editor.getModel();
  const selection = editor.getSelection();
  if (!model || !selection) return null;
  return {
    anchor: Y.createRelativePositionFromTypeIndex(ytext, model.getOffsetAt(selection.getSelectionStart())),
    head: Y.createRelativePositionFromTypeIndex(ytext, model.getOffsetAt(selection.getPosition())),
  };
}

function restoreSelection(editor, ytext, saved) {
  const model = editor.getModel();
  const anchor = Y.createAbsolutePositionFromRelativePosition(saved.anchor, ytext.doc);
  const head = Y.createAbsolutePositionFromRelativePosition(saved.head, ytext.doc);
  if (!model || !anchor || !head || anchor.type !== ytext || head.type !== ytext) return;
  const a = model.getPositionAt(anchor.index);
  const h = model.getPositionAt(head.index);
  editor.setSelection(new monaco.Selection(a.lineNumber, a.column, h.lineNumber, h.column));
  editor.revealPositionInCenterIfOutsideViewport(h);
}

/**
 * Route every undo and redo of `editor` (keyboard, menu, command palette: all of them end in the model's
 * `undo()`/`redo()`) to a Y.UndoManager that tracks only `binding`'s transactions.
 * Returns the UndoManager; `destroy()` it with the editor.
 */
export function bindUndo(editor, ytext, binding, { captureTimeout = UNDO_CAPTURE_MS } = {}) {
  const model = editor.getModel();
  const undoManager = new Y.UndoManager(ytext, { trackedOrigins: new Set([binding]), captureTimeout });
  let before = relativeSelection(editor, ytext);
  const { Explicit } = monaco.editor.CursorChangeReason;
  const cursorListener = editor.onDidChangeCursorSelection((e) => {
      // The caret moved by the user (arrows, click): the next edit starts a new step.
    if (e.reason === Explicit) undoManager.stopCapturing();
    before = relativeSelection(editor, ytext);
  });
  // Monaco decides where its own undo steps begin (a word and the space after it, a paste, a switch from typing
  // to deleting): it calls pushStackElement() there. The same places begin a new step of ours.
  const pushStackElement = model.pushStackElement.bind(model);
  model.pushStackElement = () => {
    undoManager.stopCapturing();
    pushStackElement();
  };
  undoManager.on('stack-item-added', ({ stackItem, type }) => {
    // A new step remembers the selection from before its first edit; an undo's redo step the one from before
    // the undo. Both are relative positions: they stay on their characters whatever others type meanwhile.
    if (type === 'undo' && !stackItem.meta.has(SELECTION) && before) stackItem.meta.set(SELECTION, before);
    if (type === 'redo') stackItem.meta.set(SELECTION, before);
  });
  undoManager.on('stack-item-popped', ({ stackItem }) => {
    const saved = stackItem.meta.get(SELECTION);
    if (saved) restoreSelection(editor, ytext, saved);
  });
  // Monaco's Undo and Redo commands call these; its own stack never applies an edit again.
  model.undo = () => {
    undoManager.undo();
  };
  model.redo = () => {
    undoManager.redo();
  };
  model.canUndo = () => undoManager.canUndo();
  model.canRedo = () => undoManager.canRedo();
  const destroy = undoManager.destroy.bind(undoManager);
  undoManager.destroy = () => {
    cursorListener.dispose();
    destroy();
  };
  return undoManager;
}

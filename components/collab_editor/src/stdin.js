// The stdin box: what the Run button gives the program on its standard input, shared by everybody in the room.
// It is the document's second Y.Text ('stdin', collab/document.py), so it syncs, persists (IndexedDB and the
// server's store), replays and crosses instances exactly like the code. A small second Monaco editor shows it,
// bound by its own y-monaco MonacoBinding; its undo is a Y.UndoManager over that binding alone (src/undo.js), so
// Ctrl+Z here never undoes someone else's input nor the code. The binding gets no awareness: y-monaco would write
// this editor's selection into the same awareness field as the code editor's and move this tab's cursor label.
import * as monaco from 'monaco-editor/esm/vs/editor/editor.api.js';
import { MonacoBinding } from 'y-monaco';
import { bindUndo } from './undo.js';

export const STDIN = 'stdin';

/**
 * Monaco's "paste as" feature (on by default) applies a paste only after asking its paste providers, asynchronously,
 * and drops it when the caret moves before they answered: Ctrl+V and then at once Ctrl+End, Enter or a typed key
 * lost the whole paste on a busy machine. Off, a paste is applied at once, like typing. Both editors use it.
 */
export const PASTE_NOW = { enabled: false };

/**
 * Mount the stdin editor of `doc` in `container`. `onRun` is called on Ctrl/Cmd+Enter, as in the code editor.
 * Automation hook: `container.pairpad.text()`, `.editor`, `.undo` (like the code editor's host element).
 */
export function createStdinEditor(container, doc, { theme, readOnly, onRun }) {
  const ytext = doc.getText(STDIN);
  const editor = monaco.editor.create(container, {
    value: '', language: 'plaintext', theme, readOnly, automaticLayout: true, minimap: { enabled: false },
    fontSize: 13, scrollBeyondLastLine: false, lineNumbersMinChars: 2, folding: false, glyphMargin: false,
    renderLineHighlight: 'none', quickSuggestions: false, wordBasedSuggestions: 'off', acceptSuggestionOnEnter: 'off',
    ariaLabel: 'Standard input of the program', pasteAs: PASTE_NOW,
  });
  editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, onRun);
  const binding = new MonacoBinding(ytext, editor.getModel(), new Set([editor]));
  const undo = bindUndo(editor, ytext, binding);
  container.pairpad = { text: () => ytext.toString(), editor, undo };
  return {
    editor,
    setReadOnly: (value) => editor.updateOptions({ readOnly: value }),
    dispose() {
      undo.destroy();
      binding.destroy();
      editor.dispose();
    },
  };
}

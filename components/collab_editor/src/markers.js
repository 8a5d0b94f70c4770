// A run's markers (runner/diagnostics.py: compile errors, the line of an uncaught exception) as Monaco markers:
// red squiggles with the tool's message on hover, in every tab of the room. The server sends the last run's list
// (empty from the moment the next run starts) and this sets it as the only markers of our owner on the model.
//
// Monaco turns a marker into a decoration clamped to the text the model holds at that moment, so a tab that gets
// its markers before its document synced calls showMarkers again once it has (collab_editor.js).
//
// Automation hook (docs/automation.md): `data-markers` (how many) and `data-marker-lines` (their lines, comma
// separated, in order) on the editor host element, set from what was given to Monaco.
import * as monaco from 'monaco-editor/esm/vs/editor/editor.api.js';

export const MARKER_OWNER = 'pairpad-run';

const SEVERITY = { error: 'Error', warning: 'Warning', info: 'Info' };

function toMonaco(model, { line, column, message, severity }) {
  const lineNumber = Math.max(1, Math.floor(line) || 1);
  const known = lineNumber <= model.getLineCount();
  let startColumn = Math.max(1, Math.floor(column) || 1);
  let endColumn = startColumn; // an empty range: Monaco widens it to the word at that column
  if (startColumn === 1 && known) { // no column from the tool: the line's code, from its first non-blank
    startColumn = model.getLineFirstNonWhitespaceColumn(lineNumber) || 1;
    endColumn = model.getLineMaxColumn(lineNumber);
  }
  return {
    startLineNumber: lineNumber, startColumn, endLineNumber: lineNumber, endColumn,
    message: String(message || 'error'), severity: monaco.MarkerSeverity[SEVERITY[severity] || 'Error'],
    source: 'Run',
  };
}

/** Show `markers` ([{line, column, message, severity}], 1-based) on `editor`'s model; [] clears them. */
export function showMarkers(editor, host, markers) {
  const model = editor.getModel();
  if (!model) return;
  const list = Array.isArray(markers) ? markers.filter((m) => m && typeof m === 'object') : [];
  const shown = list.map((marker) => toMonaco(model, marker));
  monaco.editor.setModelMarkers(model, MARKER_OWNER, shown);
  host.dataset.markers = String(shown.length);
  host.dataset.markerLines = shown.map((m) => m.startLineNumber).join(',');
}

/** The markers shown now, as the server sent them (for tests: `el.pairpad.markers()`). */
export function shownMarkers(editor) {
  const model = editor.getModel();
  return model ? monaco.editor.getModelMarkers({ owner: MARKER_OWNER, resource: model.uri }).map((m) => ({
    line: m.startLineNumber, column: m.startColumn, message: m.message,
    severity: m.severity === monaco.MarkerSeverity.Warning ? 'warning' : 'error',
  })) : [];
}

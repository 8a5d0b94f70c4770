// Re-exports the npm packages the CollabEditor Vue component needs, and our own parts of it that run in the
// browser (undo.js: per-tab undo; heal.js: the idle check's digest; view.js: cursor labels and stylesheets;
// stdin.js: the shared stdin box; markers.js: a run's errors as Monaco markers; paste.js: the size guard on pastes;
// signals.js: pastes and time away, for the server to check; completion.js: Python completions from the server;
// follow.js: follow mode; warm.js: Monaco's first-editor costs paid before the join;
// base64.js), bundled by build.mjs into dist/.
// Only what we ship: the core editor, its worker, Monarch highlighting for the interview languages, and Monaco's
// TypeScript language service (its worker is loaded only once a JavaScript or TypeScript model exists).
import 'monaco-editor/esm/vs/editor/edcore.main.js';
import 'monaco-editor/esm/vs/basic-languages/python/python.contribution.js';
import 'monaco-editor/esm/vs/basic-languages/javascript/javascript.contribution.js';
import 'monaco-editor/esm/vs/basic-languages/typescript/typescript.contribution.js';
import 'monaco-editor/esm/vs/basic-languages/java/java.contribution.js';
import 'monaco-editor/esm/vs/basic-languages/cpp/cpp.contribution.js';
import 'monaco-editor/esm/vs/basic-languages/go/go.contribution.js';
import 'monaco-editor/esm/vs/basic-languages/rust/rust.contribution.js';
import 'monaco-editor/esm/vs/basic-languages/sql/sql.contribution.js';
import 'monaco-editor/esm/vs/basic-languages/ruby/ruby.contribution.js';
import 'monaco-editor/esm/vs/basic-languages/shell/shell.contribution.js';
import 'monaco-editor/esm/vs/basic-languages/php/php.contribution.js';
import 'monaco-editor/esm/vs/language/typescript/monaco.contribution.js';

export * as monaco from 'monaco-editor/esm/vs/editor/editor.api.js';
export * as Y from 'yjs';
export { MonacoBinding } from 'y-monaco';
export { IndexeddbPersistence } from 'y-indexeddb';
export * as awarenessProtocol from 'y-protocols/awareness';
export * as syncProtocol from 'y-protocols/sync';
export * as encoding from 'lib0/encoding';
export * as decoding from 'lib0/decoding';
export { bindUndo, UNDO_CAPTURE_MS } from './undo.js';
export { deleteSetDigest } from './heal.js';
export { CursorLabel, COLOR, assetUrl, labelTextColor, loadAssetsOnce, renderRemoteCursors } from './view.js';
export { toBase64, fromBase64 } from './base64.js';
export { createStdinEditor, PASTE_NOW, STDIN } from './stdin.js';
export { showMarkers, shownMarkers, MARKER_OWNER } from './markers.js';
export { guardPastes } from './paste.js';
export { watchSignals } from './signals.js';
export { Requests, serveCompletions, useTypeDeclarations } from './completion.js';
export { Follower } from './follow.js';
export { warmEditor } from './warm.js';

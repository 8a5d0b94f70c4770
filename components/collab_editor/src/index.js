// Re-exports the npm packages the CollabEditor Vue component needs, our per-tab undo (undo.js) and the idle
// check's digest (heal.js), bundled by build.mjs into dist/.
// Only what we ship: the core editor, its worker, and Monarch highlighting for the interview languages.
import 'monaco-editor/esm/vs/editor/edcore.main.js';
import 'monaco-editor/esm/vs/basic-languages/python/python.contribution.js';
import 'monaco-editor/esm/vs/basic-languages/javascript/javascript.contribution.js';
import 'monaco-editor/esm/vs/basic-languages/typescript/typescript.contribution.js';
import 'monaco-editor/esm/vs/basic-languages/java/java.contribution.js';
import 'monaco-editor/esm/vs/basic-languages/cpp/cpp.contribution.js';
import 'monaco-editor/esm/vs/basic-languages/go/go.contribution.js';
import 'monaco-editor/esm/vs/basic-languages/rust/rust.contribution.js';
import 'monaco-editor/esm/vs/basic-languages/sql/sql.contribution.js';

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

/** URL of a file that build.mjs placed next to this bundle in dist/ (the worker, the stylesheet). */
export const assetUrl = (name) => new URL(name, import.meta.url).href;

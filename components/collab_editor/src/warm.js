// Monaco's first editor on a page pays for what every later one shares: its services, its theme's rules, the
// measurement of the editor font (one per font size). The join form calls warmEditor() while the person types
// their name (CollabEditor.preload), so the room's editors mount after the click without that cost (issue 17,
// cold join: docs/benchmarks.md). The editor made here is off-screen, has no theme of its own (the page's stays)
// and is disposed at once, with its model.
import * as monaco from 'monaco-editor/esm/vs/editor/editor.api.js';

let warmed = false;

/** Create and dispose an off-screen editor for each font size the room's editors use (code 14, stdin 13). */
export function warmEditor() {
  if (warmed) return;
  warmed = true;
  for (const fontSize of [14, 13]) {
    const host = document.createElement('div');
    host.setAttribute('aria-hidden', 'true');
    host.style.cssText = 'position: fixed; left: -10000px; top: 0; width: 400px; height: 200px; visibility: hidden;';
    document.body.appendChild(host);
    monaco.editor.create(host, { value: 'warm', language: 'plaintext', fontSize, minimap: { enabled: false } })
      .dispose(); // the editor made that model itself, so it disposes it too
    host.remove();
  }
}

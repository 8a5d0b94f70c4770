// Seeded random schedules of 2-3 Monaco editors, each bound to its own Y.Doc by y-monaco and given the product's
// undo (bindUndo from the editor bundle), joined by an in-page network that delivers updates late and out of
// order. Random typing, deletes, pastes, undos and redos; after every undo or redo of a tab, every character
// another tab inserted that this tab had before must still be there. Evaluated by test_undo.py in a room page
// (which loads the bundle). With `native`, undo is left to Monaco's own stack: the checker must catch that.
async ({ seed, schedules, steps, native }) => {
  const { monaco, Y, MonacoBinding, bindUndo } = await import('pairpad-collab-editor');
  let state = seed >>> 0;
  const random = () => { // mulberry32
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(random() * n);
  const words = ['a', 'bc', 'def ', ' ', '\n', 'x = 1', 'ü😊', '()', 'return '];
  const host = document.createElement('div');
  host.style.cssText = 'position:fixed;left:0;top:0;width:500px;opacity:0;pointer-events:none';
  document.body.appendChild(host);

  // Every visible character of `text` as "client:clock", for the characters not inserted by `own`.
  const foreignChars = (text, own) => {
    const chars = new Set();
    for (let item = text._start; item !== null; item = item.right) {
      if (item.deleted || !item.countable || item.id.client === own) continue;
      for (let i = 0; i < item.length; i++) chars.add(item.id.client + ':' + (item.id.clock + i));
    }
    return chars;
  };
  const failures = [];
  let undos = 0;
  let redos = 0;
  for (let schedule = 0; schedule < schedules; schedule++) {
    const n = 2 + int(2);
    const tabs = [];
    for (let i = 0; i < n; i++) {
      const node = document.createElement('div');
      node.style.cssText = 'width:500px;height:120px';
      host.appendChild(node);
      const doc = new Y.Doc();
      const text = doc.getText('code');
      const editor = monaco.editor.create(node, { value: '', language: 'plaintext', automaticLayout: false });
      const binding = new MonacoBinding(text, editor.getModel(), new Set([editor]));
      const undo = native ? null : bindUndo(editor, text, binding, { captureTimeout: int(2) ? 0 : 500 });
      const tab = { node, doc, text, editor, binding, undo, inbox: [] };
      doc.on('update', (update, origin) => {
        if (origin !== 'net') tabs.forEach((other) => other !== tab && other.inbox.push(update));
      });
      tabs.push(tab);
    }
    const fail = (what) => failures.push(`seed ${seed} schedule ${schedule}: ${what}`);
    const deliver = (tab, all) => {
      while (tab.inbox.length && (all || random() < 0.6)) {
        const [update] = tab.inbox.splice(int(tab.inbox.length), 1); // late and out of order
        Y.applyUpdate(tab.doc, update, 'net');
      }
    };
    for (let step = 0; step < steps && failures.length < 5; step++) {
      const tab = tabs[int(n)];
      const { editor, text, doc } = tab;
      const model = editor.getModel();
      const length = model.getValueLength();
      const r = random();
      try {
      if (r < 0.3) {
        editor.setPosition(model.getPositionAt(int(length + 1)));
        editor.trigger('keyboard', 'type', { text: words[int(words.length)] });
      } else if (r < 0.42 && length > 0) {
        const start = int(length);
        const end = Math.min(length, start + 1 + int(6));
        const a = model.getPositionAt(start);
        const b = model.getPositionAt(end);
        editor.executeEdits('keyboard', [{ range: new monaco.Range(a.lineNumber, a.column, b.lineNumber, b.column), text: '' }]);
      } else if (r < 0.5) {
        editor.setPosition(model.getPositionAt(int(length + 1)));
        editor.trigger('keyboard', 'paste', { text: 'pasted(' + step + ')\n  block' });
      } else if (r < 0.75) {
        const redo = r >= 0.65;
        const before = foreignChars(text, doc.clientID);
        const stack = tab.undo ? (redo ? tab.undo.redoStack.length : tab.undo.undoStack.length) : 0;
        editor.focus();
        editor.trigger('keyboard', redo ? 'redo' : 'undo', null);
        const after = foreignChars(text, doc.clientID);
        const lost = [...before].filter((c) => !after.has(c));
        if (lost.length) fail(`${redo ? 'redo' : 'undo'} removed ${lost.length} characters of other tabs`);
        if (tab.undo && stack > 0) {
          const left = redo ? tab.undo.redoStack.length : tab.undo.undoStack.length;
          if (left >= stack) fail(`${redo ? 'redo' : 'undo'} did not reach the tab's UndoManager`);
          if (redo) redos++;
          else undos++;
        }
      } else {
        deliver(tab, false);
      }
      } catch (error) {
        fail(`step ${step} threw ${error}`);
      }
      if (model.getValue() !== text.toString()) fail('Monaco and the Y.Text differ');
    }
    for (let round = 0; round < 3; round++) tabs.forEach((tab) => deliver(tab, true));
    const final = tabs[0].text.toString();
    tabs.forEach((tab, i) => {
      if (tab.text.toString() !== final) fail(`tab ${i} did not converge`);
      if (tab.editor.getModel().getValue() !== final) fail(`editor ${i} differs from its document`);
    });
    tabs.forEach((tab) => {
      tab.undo?.destroy();
      tab.binding.destroy();
      tab.editor.dispose();
      tab.node.remove();
    });
    if (failures.length >= 5) break;
  }
  host.remove();
  return { failures, undos, redos };
}

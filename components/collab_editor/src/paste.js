// Refuse, before it enters the Y.Doc, a paste that would take the document over the server's size limit (the code
// and the stdin box count together, as on the server: collab/guards.py). Without this the server would refuse the
// change and this tab's copy would have diverged from everybody else's.

/** Guard pastes into `node` (an editor's host); `size()` is the document's UTF-8 size now. Returns a remover. */
export function guardPastes(node, size, maxBytes) {
  const onPaste = (e) => {
    const pasted = e.clipboardData?.getData('text/plain') || '';
    const total = size() + new TextEncoder().encode(pasted).length;
    if (total <= maxBytes) return;
    e.preventDefault();
    e.stopPropagation();
    window.Quasar?.Notify.create({
      type: 'negative',
      message: `Not pasted: the code and stdin would be ${total.toLocaleString()} bytes, over the limit of ` +
        `${maxBytes.toLocaleString()} bytes.`,
    });
  };
  node.addEventListener('paste', onPaste, true);
  return () => node.removeEventListener('paste', onPaste, true);
}

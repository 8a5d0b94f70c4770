// Integrity signals as this browser sees them, for the server to check (pages/signal_checks.py): a paste into the
// code editor (how many characters and lines the editor says it pasted), and whether the tab is away (its page is
// hidden, or its window has lost the focus). Nothing here is believed on its own: the server matches a paste with
// the change it made, and measures time away with its own clock between "away" and "back".

/** Report `editor`'s pastes and the tab's comings and goings through `emit(payload)`. Returns {resend, dispose}. */
export function watchSignals(editor, emit) {
  let away = false;
  const isAway = () => document.visibilityState === "hidden" || !document.hasFocus();
  const report = () => {
    if (isAway() === away) return;
    away = !away;
    emit({ kind: "away", away });
  };
  const paste = editor.onDidPaste((e) => {
    const text = editor.getModel()?.getValueInRange(e.range) || "";
    if (!text) return;
    const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    // After the change it names: that went out in this task, or in a microtask queued before this one.
    queueMicrotask(() => emit({ kind: "paste", characters: [...text].length, lines }));
  });
  document.addEventListener("visibilitychange", report);
  window.addEventListener("blur", report);
  window.addEventListener("focus", report);
  return {
    // On every (re)connect: the server forgot where this tab was when its connection ended.
    resend() {
      away = isAway();
      if (away) emit({ kind: "away", away });
    },
    dispose() {
      paste.dispose();
      document.removeEventListener("visibilitychange", report);
      window.removeEventListener("blur", report);
      window.removeEventListener("focus", report);
    },
  };
}

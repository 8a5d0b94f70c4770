// Python completions and signature help, answered by the server (jedi in a worker process: completion/ on the
// server) for the tab that asks, from the server's copy of the document. Monaco's providers are registered per
// language for the whole page, so one registration serves every editor of the page: each request goes to the
// editor whose model asked (the stdin box has its own model and never asks).
//
// A request never blocks typing: Monaco asks asynchronously and shows what comes back if the person is still at
// that position; the server answers "nothing" after its own limit (PAIRPAD_COMPLETION_TIMEOUT_MS), and this side
// gives up after ANSWER_MS in case the answer is lost with the connection.

const ANSWER_MS = 5000;
const askers = new Map(); // model URI → ask(kind, lineNumber, column) → Promise of the server's answer
let registered = false;

/** Serve completions for `editor`'s model through `ask`; returns a disposable. */
export function serveCompletions(monaco, editor, ask) {
  const uri = editor.getModel().uri.toString();
  askers.set(uri, ask);
  if (!registered) {
    registered = true;
    monaco.languages.registerCompletionItemProvider("python", { triggerCharacters: ["."], provideCompletionItems:
      (model, position) => items(monaco, model, position) });
    monaco.languages.registerSignatureHelpProvider("python", { signatureHelpTriggerCharacters: ["(", ","],
      signatureHelpRetriggerCharacters: [","], provideSignatureHelp: (model, position) => signatures(model, position) });
  }
  return { dispose: () => askers.delete(uri) };
}

/** A pending request's bookkeeping: the answer resolves it (answered()), or the time limit does, with nothing. */
export class Requests {
  constructor(send) {
    this.send = send; // (id, kind, line, column) → void: the request to the server
    this.pending = new Map();
    this.next = 0;
  }
  ask(kind, line, column) {
    const id = ++this.next;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.answered(id, null), ANSWER_MS);
      this.pending.set(id, { resolve, timer });
      this.send(id, kind, line, column);
    });
  }
  answered(id, answer) {
    const request = this.pending.get(id);
    if (!request) return; // late, after the time limit: Monaco has moved on
    this.pending.delete(id);
    clearTimeout(request.timer);
    request.resolve(answer);
  }
  dispose() {
    this.pending.forEach((request, id) => this.answered(id, null));
  }
}

async function items(monaco, model, position) {
  const ask = askers.get(model.uri.toString());
  const answer = ask && (await ask("items", position.lineNumber, position.column));
  const Kind = monaco.languages.CompletionItemKind;
  const suggestions = (answer?.items || []).map((item, index) => ({
    label: item.label,
    kind: Kind[item.kind] ?? Kind.Text,
    detail: item.detail,
    insertText: item.label,
    sortText: String(index).padStart(4, "0"), // jedi's order, not Monaco's alphabetical one
    range: new monaco.Range(position.lineNumber, Math.max(1, position.column - item.prefix_chars),
      position.lineNumber, position.column),
  }));
  return { suggestions };
}

async function signatures(model, position) {
  const ask = askers.get(model.uri.toString());
  const answer = ask && (await ask("signatures", position.lineNumber, position.column));
  const found = answer?.signatures || [];
  if (!found.length) return null;
  return {
    value: {
      signatures: found.map((s) => ({ label: s.label, documentation: s.doc,
        parameters: s.parameters.map((label) => ({ label })) })),
      activeSignature: 0,
      activeParameter: Math.max(0, found[0].active_parameter),
    },
    dispose() {},
  };
}

let declared = false;

/** Make Monaco's TypeScript service check what the server's compiler checks: its target and library, and the
 *  declarations the server compiles with (console, require, process: Node's, which lib es2020 lacks). Without
 *  them every TypeScript program would show `require` as an error that the run does not have. Once per page. */
export function useTypeDeclarations(monaco, declarations) {
  const ts = monaco.languages.typescript;
  if (declared || !declarations || !ts) return;
  declared = true;
  ts.typescriptDefaults.setCompilerOptions({ target: ts.ScriptTarget.ES2020, lib: ["es2020"],
    module: ts.ModuleKind.CommonJS, allowNonTsExtensions: true });
  for (const defaults of [ts.typescriptDefaults, ts.javascriptDefaults]) {
    defaults.addExtraLib(declarations, "file:///pairpad-node.d.ts");
  }
}

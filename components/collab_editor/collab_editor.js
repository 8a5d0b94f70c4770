// The CollabEditor Vue component: Monaco bound to a Y.Doc with y-monaco, and the Yjs sync and awareness
// protocols carried over NiceGUI's socket as base64 strings. A keystroke's update is sent at once, in the task
// that made it (Monaco still has milliseconds of work to do in that task after its model changed); what follows in
// the same task (the cursor's awareness, more updates) is merged and sent in a microtask: never delayed by a
// timer or an animation frame, never throttled away.
import {
  monaco, Y, MonacoBinding, IndexeddbPersistence, awarenessProtocol, syncProtocol, encoding, decoding,
  bindUndo, deleteSetDigest, renderRemoteCursors, loadAssetsOnce, toBase64, fromBase64, createStdinEditor, PASTE_NOW,
  showMarkers, shownMarkers, guardPastes, watchSignals, Requests, serveCompletions, useTypeDeclarations, Follower,
} from "pairpad-collab-editor";

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const REMOTE = "remote"; // transaction origin of everything that came from the server
const TYPING_CLEAR_MS = 1000; // a person counts as typing until this long after their last keystroke
const AWARENESS_RENEW_MS = 10000; // an unchanged awareness state is still sent this often (peers drop one after 30 s)
// A heartbeat keeps a quiet but open tab online (the server turns a tab silent for 3.5 s offline). Any event
// this tab sends is a sign of life too, so one goes only after HEARTBEAT_MS without any: a typing tab sends
// none, which spares the server a socket event per tab and second (docs/benchmarks.md, "Capacity").
const HEARTBEAT_MS = 1000;
const HEARTBEAT_TICK_MS = 250;
// The caret for the stored presence (REST, report; others draw carets from awareness): at most every CURSOR_MS,
// riding on a `yjs` event that goes anyway, or alone CURSOR_ALONE_MS after it moved if none went meanwhile.
const CURSOR_MS = 250;
const CURSOR_ALONE_MS = 500;
const CHECK_MS = 10000; // an idle tab compares its document with the server's this often (at most 15 s apart)
const DIRECT_EVENT = "pairpad:yjs"; // what the server sends to every tab of a document at once (one Socket.IO event)

export default {
  template: `<div class="pairpad-editor" data-testid="editor" :data-room-id="roomId" :data-language="language"
                 :data-synced="synced ? 'true' : 'false'" :data-connection="connection"
                 :data-local-saved="localSaved ? 'true' : 'false'" :data-ended="ended ? 'true' : 'false'"></div>`,
  props: {
    roomId: String,
    theme: { type: String, default: "vs" },
    chunkChars: { type: Number, required: true }, // both from the server's settings (collab_editor.py)
    maxDocumentBytes: { type: Number, required: true },
    monacoIds: { type: Object, default: () => ({}) }, // language id → Monaco mode (the server's language table)
    stdinBox: { type: String, default: null }, // DOM id of the element that hosts the stdin box (src/stdin.js)
    markers: { type: Array, default: () => [] }, // the last run's markers (src/markers.js)
    signals: { type: Boolean, default: false }, // report pastes and time away (src/signals.js): the code editor only
    typeDeclarations: { type: String, default: "" }, // what the server's TypeScript compiler is given (src/completion.js)
  },
  watch: {
    markers: "showMarkers",
    synced: "showMarkers", // placed again on the text that has arrived (src/markers.js)
  },
  data() {
    return { synced: false, connection: "connecting", language: "plaintext", localSaved: false, ended: false };
  },
  mounted() {
    loadAssetsOnce();
    this.createDocument();
    this.createEditor();
    this.keepLocalCopy();
    this.addBanners();
    this.mountStdin();
    this.guardPastes();
    this.serveCompletions();
    if (this.signals) this.watcher = watchSignals(this.editor, (s) => this.$emit("signal", { room: this.roomId, ...s }));
    this.showMarkers();
    this.sendLocalChanges();
    this.showRemoteState();
    this.reportPresence();
    this.followConnection();
    this.checkWhileIdle();
    // Automation hook (documented in docs/automation.md): the editor's full text, its Monaco instance and Y.Doc.
    this.$el.pairpad = { text: () => this.code.toString(), editor: this.editor, doc: this.doc, undo: this.undoManager,
      markers: () => shownMarkers(this.editor) };
  },
  unmounted() {
    clearInterval(this.heartbeat);
    clearTimeout(this.cursorTimer);
    clearInterval(this.checkTimer);
    clearTimeout(this.typingTimer);
    document.removeEventListener("visibilitychange", this.onVisibility);
    document.removeEventListener("pairpad-theme", this.onTheme);
    window.removeEventListener("pagehide", this.onPageHide);
    this.labels?.forEach((label) => label.dispose());
    this.cursorStyle?.remove();
    window.socket?.io.off("reconnect_attempt", this.onReconnectAttempt);
    this.local?.destroy();
    window.socket?.off("connect", this.onConnect);
    window.socket?.off("disconnect", this.onDisconnect);
    if (this.listening) window.socket?.off(DIRECT_EVENT, this.onDirect);
    this.unguard?.forEach((remove) => remove());
    this.watcher?.dispose();
    this.completionServing?.dispose();
    this.follower?.dispose();
    this.completions?.dispose();
    this.stdin?.dispose();
    this.undoManager?.destroy();
    this.binding?.destroy();
    this.awareness?.destroy();
    this.editor?.dispose();
    this.doc?.destroy();
  },
  methods: {
    // -- the steps of mounted() ----------------------------------------------------------------------------------
    createDocument() {
      this.doc = new Y.Doc();
      this.code = this.doc.getText("code");
      this.meta = this.doc.getMap("meta");
      this.awareness = new awarenessProtocol.Awareness(this.doc);
    },
    createEditor() {
      this.editor = monaco.editor.create(this.$el, {
        value: "",
        language: "plaintext",
        theme: this.theme,
        automaticLayout: true,
        minimap: { enabled: false },
        fontSize: 14,
        scrollBeyondLastLine: false,
        renderFinalNewline: "on", // "dimmed" (the default) draws the last line's number too faint to read (axe)
        acceptSuggestionOnEnter: "off", // Enter always breaks the line; Tab takes a suggestion
        quickSuggestions: false, // suggestions after "." and on Ctrl+Space, not on every word (each asks the server)
        pasteAs: PASTE_NOW, // a paste that a quick next key cannot cancel (src/stdin.js)
      });
      // Ctrl/Cmd+Enter runs the code (the server runs what the shared document holds).
      this.editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => this.$emit("run"));
      this.binding = new MonacoBinding(this.code, this.editor.getModel(), new Set([this.editor]), this.awareness);
      // Undo and redo touch only this tab's own edits (src/undo.js), never what someone else typed.
      this.undoManager = bindUndo(this.editor, this.code, this.binding);
    },
    // The shared stdin box (src/stdin.js), in the element the page placed beside its run console, if any.
    mountStdin() {
      this.stdinHost = this.stdinBox ? document.getElementById(this.stdinBox) : null;
      if (!this.stdinHost) return;
      this.stdin = createStdinEditor(this.stdinHost, this.doc, { theme: this.theme, readOnly: this.ended,
        onRun: () => this.$emit("run") });
    },
    guardPastes() { // code and stdin count together, as on the server (src/paste.js)
      const size = () => new TextEncoder().encode(this.code.toString() + this.doc.getText("stdin").toString()).length;
      this.unguard = [this.$el, this.stdinHost].filter(Boolean).map((n) => guardPastes(n, size, this.maxDocumentBytes));
    },
    // Python completions are asked of the server for this tab alone (src/completion.js); JavaScript and TypeScript
    // are answered in the browser by Monaco's TypeScript worker, told what the server's compiler is given.
    serveCompletions() {
      this.completions = new Requests((id, kind, line, column) => this.$emit("complete", { id, kind, line, column }));
      this.completionServing = serveCompletions(monaco, this.editor, (...asked) => this.completions.ask(...asked));
      useTypeDeclarations(monaco, this.typeDeclarations);
    },
    completed(id, answer) { this.completions?.answered(id, answer); }, // the server's answer (pages/completion_link.py)
    showMarkers() { if (this.editor) showMarkers(this.editor, this.$el, this.markers); },
    // Every update also lands in this browser's IndexedDB (y-indexeddb), so what was typed while the server was
    // gone survives the page reload NiceGUI does when it reconnects to a restarted server, and syncs then.
    keepLocalCopy() {
      this.local = new IndexeddbPersistence("pairpad:" + this.roomId, this.doc);
      this.local.whenSynced.then(() => (this.localSaved = true));
    },
    addBanners() {
      const banner = (className, testid, text) => {
        const node = document.createElement("div");
        node.className = className;
        node.dataset.testid = testid;
        node.setAttribute("role", "status");
        node.textContent = text;
        this.$el.appendChild(node);
        return node;
      };
      this.banner = banner("pairpad-banner", "connection-banner",
        "Offline — your changes are kept and will sync when the connection returns");
      this.endedBanner = banner("pairpad-ended", "ended-banner", "This interview has ended — the code is read-only");
    },
    sendLocalChanges() {
      this.outgoing = [];
      this.pendingUpdates = [];
      this.pendingAwareness = false;
      this.partials = new Map();
      this.lastSentAt = 0;
      this.doc.on("update", (update, origin) => {
        if (origin === REMOTE) return;
        this.pendingUpdates.push(update); // local edits, and what IndexedDB restored: the server dedupes
        if (origin !== this.local) this.markTyping();
        // The first local update of a task goes out now rather than after the rest of Monaco's input handling
        // (docs/benchmarks.md, keystroke latency); what IndexedDB restored waits for the microtask like the rest.
        if (origin !== this.local && !this.flushScheduled) this.flush();
        else this.scheduleFlush();
      });
      this.sentAwareness = null; // our awareness state as last sent (JSON), and when
      this.sentAwarenessAt = 0;
      this.awareness.on("update", (_changes, origin) => {
        if (origin !== "local") return;
        // y-monaco sets our selection again on every Monaco cursor event: each keystroke of ours, and each remote
        // edit that moves our caret along. A Yjs relative position does not change with either, so such an
        // update is not sent (every keystroke would cost a message from every tab and a broadcast of each),
        // except as a renewal, at most every AWARENESS_RENEW_MS.
        const state = JSON.stringify(this.awareness.getLocalState());
        if (state === this.sentAwareness && Date.now() - this.sentAwarenessAt < AWARENESS_RENEW_MS) return;
        this.pendingAwareness = true;
        this.scheduleFlush();
      });
      this.cursorSentAt = 0;
      this.editor.onDidChangeCursorPosition((e) => {
        this.pendingCursor = { line: e.position.lineNumber, column: e.position.column };
        this.cursorTimer ??= setTimeout(() => this.sendCursorAlone(), CURSOR_ALONE_MS);
      });
    },
    showRemoteState() {
      this.meta.observe(() => this.showLanguage());
      this.labels = new Map();
      this.cursorStyle = document.createElement("style");
      document.head.appendChild(this.cursorStyle);
      this.awareness.on("change", () => this.renderRemoteCursors());
      this.code.observe(() => this.renderRemoteCursors());
      // The page's theme toggle switches the editor with the UI (and the choice outlives this editor).
      this.onTheme = (e) => monaco.editor.setTheme(e.detail);
      document.addEventListener("pairpad-theme", this.onTheme);
      if (localStorage.getItem("pairpad:theme") === "dark") monaco.editor.setTheme("vs-dark");
    },
    reportPresence() {
      this.onVisibility = () => this.tell("presence", { status: this.visibleStatus() });
      this.onPageHide = () => this.tell("presence", { status: "offline" });
      document.addEventListener("visibilitychange", this.onVisibility);
      window.addEventListener("pagehide", this.onPageHide);
      this.toldAt ??= 0;
      this.heartbeat = setInterval(() => {
        if (Date.now() - this.toldAt >= HEARTBEAT_MS) this.tell("presence", { status: this.visibleStatus() });
      }, HEARTBEAT_TICK_MS);
    },
    followConnection() {
      this.onConnect = () => (this.connection = "online");
      this.onDisconnect = () => {
        this.connection = "offline";
        this.synced = false;
      };
      this.onReconnectAttempt = (attempt) => {
        this.banner.textContent = "Offline — your changes are kept and will sync when the connection returns " +
          `(reconnecting, attempt ${attempt})`;
      };
      window.socket?.io.on("reconnect_attempt", this.onReconnectAttempt);
      window.socket?.on("connect", this.onConnect);
      window.socket?.on("disconnect", this.onDisconnect);
      if (window.socket?.connected) this.connection = "online";
    },
    // Anti-entropy (src/heal.js): while connected, synced and idle, say every CHECK_MS what this document holds
    // (state vector, digest of its deletions); the server answers with the ordinary sync messages only if
    // something differs, so a document that missed or kept back a message heals without a reconnect.
    checkWhileIdle() {
      this.checkTimer = setInterval(() => {
        if (this.connection !== "online" || !this.synced || this.ended) return;
        if (this.flushScheduled || this.pendingUpdates.length || Date.now() - this.lastSentAt < CHECK_MS / 2) return;
        this.listen();
        this.$emit("check", {
          room: this.roomId, sv: toBase64(Y.encodeStateVector(this.doc)), ds: deleteSetDigest(this.doc),
          direct: this.listening ? 1 : 0,
        });
      }, CHECK_MS);
    },

    // -- messages --------------------------------------------------------------------------------------------
    // Called by the server on every (re)connect: our state vector and our presence, so both sides sync.
    resync() {
      const state = this.awareness.getLocalState();
      this.sentAwareness = null; // the server dropped our state: send it again, unchanged or not
      if (state !== null) this.awareness.setLocalState({ ...state }); // new clock: the server dropped our old one
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE_SYNC);
      syncProtocol.writeSyncStep1(encoder, this.doc);
      this.outgoing.push(encoding.toUint8Array(encoder));
      this.scheduleFlush();
      this.tell("presence", { status: this.visibleStatus() });
      this.watcher?.resend();
    },
    // The events the server takes as signs of this tab's life (the heartbeat waits for a second without one).
    tell(name, payload) {
      this.toldAt = Date.now();
      this.$emit(name, payload);
    },
    visibleStatus() {
      return document.visibilityState === "hidden" ? "away" : "online";
    },
    // Typing is local knowledge: set at each own edit, cleared TYPING_CLEAR_MS after the last one. Others see
    // it on the cursor label (awareness) and on the participant chip (server presence).
    markTyping() {
      clearTimeout(this.typingTimer);
      this.typingTimer = setTimeout(() => this.setTyping(false), TYPING_CLEAR_MS);
      this.setTyping(true);
    },
    setTyping(typing) {
      if (this.typing === typing) return;
      this.typing = typing;
      this.awareness.setLocalStateField("typing", typing);
      this.pendingPresence = { is_typing: typing }; // rides on the flush of the keystroke that starts typing
      if (!typing) this.scheduleFlush(); // (its update handler flushes right after this) or goes alone
    },
    // Remote cursors: coloured carets and selections with a name label per remote participant (src/view.js).
    renderRemoteCursors() {
      renderRemoteCursors(this.editor, this.awareness, this.code, this.labels, this.cursorStyle);
      this.follower?.reveal(this.labels);
    },
    // Follow mode (src/follow.js): the server says whom (the chip clicked); the browser says when it ends by itself.
    follow(participantId) {
      this.follower ??= new Follower(this.editor, () => this.$emit("follow", { participant: null }));
      this.follower.follow(participantId, this.labels);
    },
    // The server refused changes of ours for good (typed after the interview ended): drop this copy, the
    // IndexedDB one included, and load the server's, or they would come back when the interview is reopened.
    async discardLocal() {
      if (this.discarding) return;
      this.discarding = true;
      await this.local?.clearData();
      location.reload();
    },
    setLanguage(language) {
      if (this.meta.get("language") !== language) this.meta.set("language", language);
    },
    setLocalUser(user) {
      this.awareness.setLocalStateField("user", user);
    },
    showLanguage() {
      const ended = this.meta.get("ended") === true;
      if (ended !== this.ended) {
        this.ended = ended;
        this.editor.updateOptions({ readOnly: ended });
        this.stdin?.setReadOnly(ended);
        this.$emit("ended", ended);
      }
      const language = this.meta.get("language") || "plaintext";
      if (language === this.language) return;
      this.language = language;
      monaco.editor.setModelLanguage(this.editor.getModel(), this.monacoIds[language] || language);
      this.$emit("language", language);
    },
    scheduleFlush() {
      if (this.flushScheduled) return;
      this.flushScheduled = true;
      queueMicrotask(() => this.flush());
    },
    // The server's broadcasts come as one Socket.IO event for every tab of the document. We listen before our
    // first payload, which says so (direct: 1): the server uses that way only for tabs that said it.
    listen() {
      if (this.listening || !window.socket) return;
      this.onDirect = (msg) => {
        if (msg && msg.room === this.roomId && Array.isArray(msg.m)) this.receive(msg.m);
      };
      window.socket.on(DIRECT_EVENT, this.onDirect);
      this.listening = true;
    },
    flush() {
      this.flushScheduled = false;
      this.listen();
      const direct = this.listening ? 1 : 0;
      if (this.pendingUpdates.length) {
        this.lastSentAt = Date.now();
        const update = this.pendingUpdates.length === 1 ? this.pendingUpdates[0] : Y.mergeUpdates(this.pendingUpdates);
        this.pendingUpdates = [];
        const encoder = encoding.createEncoder();
        encoding.writeVarUint(encoder, MESSAGE_SYNC);
        syncProtocol.writeUpdate(encoder, update);
        this.outgoing.push(encoding.toUint8Array(encoder));
      }
      if (this.pendingAwareness) {
        this.pendingAwareness = false;
        this.sentAwareness = JSON.stringify(this.awareness.getLocalState());
        this.sentAwarenessAt = Date.now();
        const encoder = encoding.createEncoder();
        encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
        encoding.writeVarUint8Array(
          encoder, awarenessProtocol.encodeAwarenessUpdate(this.awareness, [this.doc.clientID]),
        );
        this.outgoing.push(encoding.toUint8Array(encoder));
      }
      const messages = this.outgoing.map(toBase64);
      this.outgoing = [];
      const whole = [];
      for (const message of messages) {
        if (message.length <= this.chunkChars) {
          whole.push(message);
          continue;
        }
        const id = Math.random().toString(36).slice(2);
        const n = Math.ceil(message.length / this.chunkChars);
        for (let i = 0; i < n; i++) {
          const d = message.slice(i * this.chunkChars, (i + 1) * this.chunkChars);
          this.tell("yjs", { room: this.roomId, part: { id, i, n }, d, direct });
        }
      }
      if (whole.length) this.tell("yjs", { room: this.roomId, m: whole, direct, ...this.takeRiders() });
      if (this.pendingPresence) this.tell("presence", this.pendingPresence); // nothing else went: alone
      this.pendingPresence = null;
    },
    // What rides on a `yjs` event instead of costing the server a socket event of its own (one per keystroke
    // when typing starts, four a second while it goes on): the typing flag, and the caret if CURSOR_MS passed.
    // The server handles them after the event's messages, so it never sees a caret beyond the text.
    takeRiders() {
      const riders = {};
      if (this.pendingPresence) riders.p = this.pendingPresence;
      this.pendingPresence = null;
      if (this.pendingCursor && Date.now() - this.cursorSentAt >= CURSOR_MS) {
        riders.c = this.pendingCursor;
        this.pendingCursor = null;
        this.cursorSentAt = Date.now();
      }
      return riders;
    },
    sendCursorAlone() {
      this.cursorTimer = null;
      if (!this.pendingCursor) return;
      const since = Date.now() - this.cursorSentAt;
      if (since < CURSOR_ALONE_MS) { // one rode meanwhile (typing goes on): wait for the next ride, or this long
        this.cursorTimer = setTimeout(() => this.sendCursorAlone(), CURSOR_ALONE_MS - since);
        return;
      }
      this.tell("cursor", this.pendingCursor); // every update it may depend on went in an earlier flush
      this.pendingCursor = null;
      this.cursorSentAt = Date.now();
    },
    // Messages from the server: base64 strings, or {part: {id, i, n}, d} pieces of a large one.
    receive(items) {
      for (const item of items) {
        if (typeof item === "string") {
          this.handle(fromBase64(item));
          continue;
        }
        const { id, i, n } = item.part;
        const parts = this.partials.get(id) || [];
        parts[i] = item.d;
        this.partials.set(id, parts);
        if (parts.filter((p) => p !== undefined).length === n) {
          this.partials.delete(id);
          this.handle(fromBase64(parts.join("")));
        }
      }
      this.scheduleFlush();
    },
    handle(message) {
      const decoder = decoding.createDecoder(message);
      const type = decoding.readVarUint(decoder);
      if (type === MESSAGE_SYNC) {
        const encoder = encoding.createEncoder();
        encoding.writeVarUint(encoder, MESSAGE_SYNC);
        const syncType = syncProtocol.readSyncMessage(decoder, encoder, this.doc, REMOTE);
        if (encoding.length(encoder) > 1) this.outgoing.push(encoding.toUint8Array(encoder));
        if (syncType === syncProtocol.messageYjsSyncStep2) this.synced = true;
      } else if (type === MESSAGE_AWARENESS) {
        awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), REMOTE);
      }
    },
  },
};

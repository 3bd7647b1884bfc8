// The live document's line to the newsroom: one WebSocket speaking the standard y-websocket
// protocol (y-protocols). A message is a varuint type then its body: 0 sync (step 1: a state
// vector; step 2 and update: a Yjs update), 1 awareness, 2 auth (permission denied, with a
// reason), 3 query awareness. Our own small client rather than y-websocket's provider: the
// editor needs to know what it has not sent yet (to say "Saving…" or warn before leaving),
// to give up cleanly when the first connection fails, and no cross-tab channel.
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as authProtocol from "y-protocols/auth";
import * as awarenessProtocol from "y-protocols/awareness";
import * as syncProtocol from "y-protocols/sync";
import * as Y from "yjs";

export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_AUTH = 2;
export const MESSAGE_QUERY_AWARENESS = 3;

const OPEN = 1; // WebSocket.OPEN
const FLUSH_CHECK_MS = 200;

/** Milliseconds before the `tries`-th reconnection: quick at first, never more than 2 s for the first ten. */
export function reconnectDelay(tries) {
  return tries < 10 ? Math.min(2000, 100 * 2 ** tries) : 10000;
}

function message(type, write) {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

/**
 * Keeps `doc` and `awareness` in step with the newsroom at `url`. Callbacks: `onFirstSync()`
 * once the first sync step 2 has arrived (the document now holds the newsroom's body);
 * `onFailed(reason)` when the first connection closes or no sync comes within
 * `firstSyncWithin` ms, after which the connection is stopped for good; `onDenied(reason)`
 * when the newsroom refuses (also stopped); `onChange()` whenever `state` or `unsent` may
 * have changed. After the first sync a lost connection is retried (see reconnectDelay), and
 * local changes wait in a queue until a socket takes them.
 */
export class LiveConnection {
  constructor(url, doc, awareness, options) {
    this.url = url;
    this.doc = doc;
    this.awareness = awareness;
    this.options = { firstSyncWithin: 5000, readOnly: false, onFirstSync() {}, onFailed() {}, onDenied() {}, onChange() {}, ...options };
    this.socket = null;
    this.synced = false; // on the current socket
    this.everSynced = false;
    this.stopped = false;
    this.tries = 0;
    this.queue = []; // local updates no socket has taken yet
    this.inFlight = []; // handed to the socket, which has not passed them all on yet
    this.timers = {};

    this.onDocUpdate = (update, origin) => {
      if (origin === this || this.options.readOnly) return;
      if (this.isOpen()) this.sendUpdate(update);
      else this.queue.push(update);
      this.options.onChange();
    };
    this.onAwarenessUpdate = ({ added, updated, removed }, origin) => {
      if (origin === this) return;
      const clients = added.concat(updated, removed);
      this.send(message(MESSAGE_AWARENESS, (e) => encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(awareness, clients))));
    };
    doc.on("update", this.onDocUpdate);
    awareness.on("update", this.onAwarenessUpdate);
    this.timer("firstSync", () => this.fail(`no sync within ${this.options.firstSyncWithin / 1000} s`), this.options.firstSyncWithin);
    this.connect();
  }

  /** connecting (never synced yet), synced, pending (changes not yet passed on) or offline. */
  get state() {
    if (!this.everSynced) return "connecting";
    if (!this.isOpen() || !this.synced) return "offline";
    return this.unsent ? "pending" : "synced";
  }

  /** Whether some local change has not yet left this browser. */
  get unsent() {
    return this.queue.length > 0 || this.inFlight.length > 0;
  }

  isOpen() {
    return this.socket !== null && this.socket.readyState === OPEN;
  }

  timer(name, run, ms) {
    this.options.clearTimeout(this.timers[name]);
    this.timers[name] = this.options.setTimeout(() => {
      delete this.timers[name];
      run();
    }, ms);
  }

  connect() {
    if (this.stopped) return;
    let socket;
    try {
      socket = new this.options.WebSocket(this.url);
    } catch (err) {
      this.lost(`cannot open ${this.url}: ${err.message}`);
      return;
    }
    socket.binaryType = "arraybuffer";
    this.socket = socket;
    socket.onopen = () => this.opened();
    socket.onmessage = (event) => this.received(event.data);
    socket.onclose = () => {
      if (this.socket === socket) this.closed();
    };
    socket.onerror = () => {}; // a close follows, which says all there is
  }

  opened() {
    this.send(message(MESSAGE_SYNC, (e) => syncProtocol.writeSyncStep1(e, this.doc)));
    // What was written offline goes at once: the newsroom's step 1 would fetch it too, but
    // a server that never asks must not lose it.
    if (this.queue.length) {
      const update = Y.mergeUpdates(this.queue);
      this.queue = [];
      this.sendUpdate(update);
    }
    if (this.awareness.getLocalState() !== null) {
      this.send(message(MESSAGE_AWARENESS, (e) => encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(this.awareness, [this.doc.clientID]))));
    }
    this.options.onChange();
  }

  received(data) {
    if (this.stopped) return;
    try {
      const decoder = decoding.createDecoder(new Uint8Array(data));
      const type = decoding.readVarUint(decoder);
      if (type === MESSAGE_SYNC) {
        const encoder = encoding.createEncoder();
        encoding.writeVarUint(encoder, MESSAGE_SYNC);
        const kind = syncProtocol.readSyncMessage(decoder, encoder, this.doc, this);
        // Step 1 is answered with the step 2 it asks for.
        if (encoding.length(encoder) > 1) this.send(encoding.toUint8Array(encoder));
        if (kind === syncProtocol.messageYjsSyncStep2 && !this.synced) this.becameSynced();
      } else if (type === MESSAGE_AWARENESS) {
        awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), this);
      } else if (type === MESSAGE_QUERY_AWARENESS) {
        const clients = [...this.awareness.getStates().keys()];
        this.send(message(MESSAGE_AWARENESS, (e) => encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(this.awareness, clients))));
      } else if (type === MESSAGE_AUTH) {
        authProtocol.readAuthMessage(decoder, this.doc, (_, reason) => this.denied(reason));
      }
    } catch (err) {
      // A message this client cannot read: start again on a fresh socket rather than guess.
      this.options.onError?.(err);
      this.socket?.close();
    }
    this.options.onChange();
  }

  becameSynced() {
    this.synced = true;
    this.tries = 0;
    if (this.everSynced) return;
    this.everSynced = true;
    this.options.clearTimeout(this.timers.firstSync);
    this.options.onFirstSync();
  }

  closed() {
    this.socket = null;
    this.synced = false;
    // What the socket still held may never have left: it goes out again with the next one.
    this.queue = this.inFlight.concat(this.queue);
    this.inFlight = [];
    const others = [...this.awareness.getStates().keys()].filter((client) => client !== this.doc.clientID);
    awarenessProtocol.removeAwarenessStates(this.awareness, others, this);
    if (!this.stopped) this.lost("the connection closed");
    this.options.onChange();
  }

  /** Before the first sync a lost connection is a failure; after it, a reason to try again. */
  lost(reason) {
    if (!this.everSynced) {
      this.fail(reason);
      return;
    }
    this.timer("retry", () => this.connect(), reconnectDelay(this.tries++));
  }

  /** Tries again now if waiting to (the browser says it is back online). */
  retryNow() {
    if (this.stopped || this.socket !== null || !this.timers.retry) return;
    this.options.clearTimeout(this.timers.retry);
    delete this.timers.retry;
    this.connect();
  }

  sendUpdate(update) {
    this.inFlight.push(update);
    this.send(message(MESSAGE_SYNC, (e) => syncProtocol.writeUpdate(e, update)));
    this.checkFlushed();
  }

  /** The socket has passed everything on once its buffer is empty; until then the changes are pending. */
  checkFlushed() {
    if (!this.inFlight.length || !this.isOpen()) return;
    if (this.socket.bufferedAmount === 0) {
      this.inFlight = [];
      this.options.onChange();
    } else if (!this.timers.flush) {
      this.timer("flush", () => this.checkFlushed(), FLUSH_CHECK_MS);
    }
  }

  send(bytes) {
    if (this.isOpen()) this.socket.send(bytes);
  }

  denied(reason) {
    this.stop();
    this.options.onDenied(reason || "permission denied");
  }

  fail(reason) {
    if (this.stopped) return;
    this.stop();
    this.options.onFailed(reason);
  }

  /** Stops for good: tells the others this writer left, closes the socket, tries no more. */
  stop() {
    if (this.stopped) return;
    if (this.isOpen()) awarenessProtocol.removeAwarenessStates(this.awareness, [this.doc.clientID], "stop");
    this.stopped = true;
    for (const id of Object.values(this.timers)) this.options.clearTimeout(id);
    this.timers = {};
    this.doc.off("update", this.onDocUpdate);
    this.awareness.off("update", this.onAwarenessUpdate);
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = null;
      socket.close();
    }
  }
}

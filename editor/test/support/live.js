// A stand-in for the newsroom's live endpoint: a WebSocket class for the page and, behind
// it, a y-websocket server in miniature (y-protocols over one Yjs document per test) that
// answers sync step 1 with step 2 and its own step 1, applies and relays updates, and relays
// awareness. Tests open, drop and feed the sockets by hand.
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import { prosemirrorJSONToYXmlFragment, yXmlFragmentToProsemirrorJSON } from "y-prosemirror";
import * as authProtocol from "y-protocols/auth";
import * as syncProtocol from "y-protocols/sync";
import { Node } from "prosemirror-model";
import * as Y from "yjs";
import { schema } from "../../src/schema.js";

const SYNC = 0;
const AWARENESS = 1;
const AUTH = 2;

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

function message(type, write) {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

/** An awareness message from another writer (client id `client`) with `state` ({ user: { name } }). */
export function awarenessFrom(client, state, clock = 1) {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint(encoder, client);
  encoding.writeVarUint(encoder, clock);
  encoding.writeVarString(encoder, JSON.stringify(state));
  const update = encoding.toUint8Array(encoder);
  return message(AWARENESS, (e) => encoding.writeVarUint8Array(e, update));
}

/**
 * The newsroom: `doc` is the article body it fills the fragment with (or null for none),
 * `meta` the form's fields it puts in the map "meta" (name → string, as the server seeds it).
 * `answer` false leaves the sync steps unanswered (a server that never syncs).
 */
export function fakeNewsroom(body, { answer = true, meta = null } = {}) {
  const ydoc = new Y.Doc();
  const fragment = ydoc.getXmlFragment("body");
  if (body) prosemirrorJSONToYXmlFragment(schema, body, fragment);
  const fields = ydoc.getMap("meta");
  if (meta) ydoc.transact(() => Object.entries(meta).forEach(([key, value]) => fields.set(key, value)));
  const sockets = [];
  const received = []; // [socket, type, sync kind or null]

  // As a browser does, a message arrives in a task of its own, never inside the send that
  // caused it.
  const deliver = (socket, bytes) => {
    const copy = bytes.slice();
    setTimeout(() => {
      if (socket.readyState === OPEN) socket.onmessage?.({ data: copy.buffer });
    }, 0);
  };
  const broadcast = (bytes, except) => sockets.filter((s) => s !== except).forEach((s) => deliver(s, bytes));
  ydoc.on("update", (update, origin) => broadcast(message(SYNC, (e) => syncProtocol.writeUpdate(e, update)), origin));

  function handle(socket, bytes) {
    const decoder = decoding.createDecoder(bytes);
    const type = decoding.readVarUint(decoder);
    if (type === SYNC) {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, SYNC);
      const kind = syncProtocol.readSyncMessage(decoder, encoder, ydoc, socket);
      received.push([socket, type, kind]);
      if (kind === syncProtocol.messageYjsSyncStep1 && answer) {
        deliver(socket, encoding.toUint8Array(encoder));
        deliver(socket, message(SYNC, (e) => syncProtocol.writeSyncStep1(e, ydoc)));
      }
    } else {
      received.push([socket, type, null]);
      if (type === AWARENESS) broadcast(bytes, socket);
    }
  }

  class FakeWebSocket {
    constructor(url) {
      this.url = url;
      this.readyState = CONNECTING;
      this.bufferedAmount = 0;
      sockets.push(this);
    }

    send(data) {
      if (this.readyState !== OPEN) throw new Error("send on a socket that is not open");
      handle(this, new Uint8Array(data));
    }

    close() {
      if (this.readyState === CLOSED) return;
      this.readyState = CLOSED;
      queueMicrotask(() => this.onclose?.({ code: 1000 }));
    }

    // The newsroom's side.
    open() {
      this.readyState = OPEN;
      this.onopen?.({});
    }

    drop() {
      this.readyState = CLOSED;
      this.onclose?.({ code: 1006 });
    }

    deliver(bytes) {
      deliver(this, bytes);
    }

    deny(reason) {
      deliver(this, message(AUTH, (e) => authProtocol.writePermissionDenied(e, reason)));
    }
  }

  return {
    WebSocket: FakeWebSocket,
    sockets,
    received,
    ydoc,
    /** The body as the newsroom holds it now, as document JSON. */
    body: () => Node.fromJSON(schema, yXmlFragmentToProsemirrorJSON(fragment)).toJSON(),
    /** Another writer's change, made on the newsroom's copy and relayed to every socket. */
    change: (run) => ydoc.transact(() => run(fragment), "elsewhere"),
    /** The form's fields as the newsroom holds them now. */
    meta: () => fields.toJSON(),
    /** A field changed by another path (a save, the API), relayed to every socket. */
    setField: (key, value) => ydoc.transact(() => fields.set(key, value), "elsewhere"),
    /** How many document updates (changes made there) `socket` has sent. */
    updatesFrom: (socket) => received.filter(([s, type, kind]) => s === socket && type === SYNC && kind === syncProtocol.messageYjsUpdate).length,
  };
}

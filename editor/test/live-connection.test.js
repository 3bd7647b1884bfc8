// The live connection on its own, with a clock of the test's: the 5 s wait for the first
// sync, the reconnection delays, the page's address made a ws: or wss: one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Awareness } from "y-protocols/awareness";
import * as Y from "yjs";
import { LiveConnection, reconnectDelay } from "../src/live/connection.js";
import { liveAddress } from "../src/live/session.js";
import { fakeNewsroom } from "./support/live.js";

/** Timers that run only when the test moves the clock on. */
function clock() {
  let now = 0;
  let next = 1;
  const waiting = new Map();
  return {
    setTimeout: (run, ms) => {
      waiting.set(next, { at: now + ms, run });
      return next++;
    },
    clearTimeout: (id) => waiting.delete(id),
    delays: () => [...waiting.values()].map((w) => w.at - now),
    advance(ms) {
      now += ms;
      for (const [id, w] of [...waiting].sort((x, y) => x[1].at - y[1].at)) {
        if (w.at <= now && waiting.has(id)) {
          waiting.delete(id);
          w.run();
        }
      }
    },
  };
}

function connect(t, newsroom, time, calls) {
  const doc = new Y.Doc();
  const awareness = new Awareness(doc);
  t.after(() => awareness.destroy());
  const connection = new LiveConnection("wss://newsroom.example/live", doc, awareness, {
    WebSocket: newsroom.WebSocket,
    setTimeout: time.setTimeout,
    clearTimeout: time.clearTimeout,
    onFirstSync: () => calls.push("synced"),
    onFailed: (reason) => calls.push(`failed: ${reason}`),
  });
  t.after(() => connection.stop());
  return { doc, connection };
}

test("no sync within 5 s: the connection gives up, once, and closes its socket", (t) => {
  const newsroom = fakeNewsroom(null, { answer: false });
  const time = clock();
  const calls = [];
  connect(t, newsroom, time, calls);
  newsroom.sockets[0].open();
  time.advance(4999);
  assert.deepEqual(calls, []);
  time.advance(1);
  assert.deepEqual(calls, ["failed: no sync within 5 s"]);
  assert.equal(newsroom.sockets[0].readyState, 3);
  time.advance(60000);
  assert.equal(newsroom.sockets.length, 1);
});

test("after the first sync a lost connection is tried again, at most 2 s apart for the first tries", async (t) => {
  const newsroom = fakeNewsroom({ type: "doc", content: [{ type: "paragraph" }] });
  const time = clock();
  const calls = [];
  const { connection } = connect(t, newsroom, time, calls);
  newsroom.sockets[0].open();
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(calls, ["synced"]);
  time.advance(10000);
  assert.deepEqual(calls, ["synced"], "the 5 s limit is only for the first sync");

  const waits = [];
  for (let i = 0; i < 6; i++) {
    newsroom.sockets.at(-1).drop();
    assert.equal(connection.state, "offline");
    waits.push(...time.delays());
    time.advance(time.delays()[0]);
  }
  assert.deepEqual(waits, [100, 200, 400, 800, 1600, 2000]);
  assert.equal(newsroom.sockets.length, 7);
  assert.ok([...Array(10).keys()].every((n) => reconnectDelay(n) <= 2000));
});

test("the live address: same origin, ws: or wss: as the page", () => {
  assert.equal(liveAddress("/newsroom/articles/12/live", { protocol: "https:", host: "news.example" }), "wss://news.example/newsroom/articles/12/live");
  assert.equal(liveAddress("/newsroom/articles/12/live", { protocol: "http:", host: "localhost:8080" }), "ws://localhost:8080/newsroom/articles/12/live");
  for (const path of ["//evil.example/live", "https://evil.example/live", "live", "/\\evil.example", "", undefined]) {
    assert.equal(liveAddress(path, { protocol: "https:", host: "news.example" }), null, String(path));
  }
});

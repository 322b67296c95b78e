// Sink faults with real parts: a KV binding that throws (the real local KV wrapped by a worker
// that refuses the first N writes) and a queue binding that refuses every batch. A refused
// write answers 503 + Retry-After, never 200, and Huawei's retry of the same push then stores
// each event exactly once by id.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { Miniflare } from "miniflare";
import { signedPushHeaders } from "../scripts/huawei-signer.mjs";
import { JSON_UTF8 } from "../scripts/huawei-samples.mjs";
import { relayWorker, discardOutput, COMPATIBILITY_DATE } from "../scripts/relay-worker.mjs";
import { BODY_RECORDER, recorded } from "../bench/pushes.mjs";

const KEYS = "ak1:fault-secret-0123456789";

// Refuses the first FAILURES calls to put(), then passes through to the real namespace.
const FLAKY_KV = `
let failures;
export default function (env) {
  failures ??= env.FAILURES;
  return {
    async put(key, value, options) {
      if (failures > 0) { failures--; throw new Error("injected KV failure"); }
      return env.INNER.put(key, value, options);
    },
  };
}`;

// A queue whose sendBatch always refuses.
const REFUSING_QUEUE = `
export default function () {
  return {
    async sendBatch() { throw new Error("injected queue refusal"); },
    async send() { throw new Error("injected queue refusal"); },
  };
}`;

async function start(failures, { refusingQueue = false } = {}) {
  const mf = new Miniflare({
    workers: [
      relayWorker({
        queueProducers: refusingQueue ? {} : { EVENTS_QUEUE: "sms-events" },
        wrappedBindings: {
          EVENTS_KV: { scriptName: "flaky-kv", bindings: { FAILURES: failures } },
          ...(refusingQueue ? { EVENTS_QUEUE: { scriptName: "refusing-queue" } } : {}),
        },
        bindings: { HUAWEI_PUSH_KEYS: KEYS, FORWARD: "queue,kv" },
      }),
      { name: "flaky-kv", modules: true, script: FLAKY_KV, kvNamespaces: { INNER: "events-kv" } },
      { name: "refusing-queue", modules: true, script: REFUSING_QUEUE },
      {
        name: "recorder",
        modules: true,
        script: BODY_RECORDER,
        compatibilityDate: COMPATIBILITY_DATE,
        queueConsumers: { "sms-events": { maxBatchSize: 100, maxBatchTimeout: 0.05 } },
      },
    ],
    handleRuntimeStdio: discardOutput,
  });
  const url = await mf.ready;
  return { mf, url, kv: await mf.getKVNamespace("INNER", "flaky-kv"), recorder: await mf.getWorker("recorder") };
}

function push(url, body) {
  const [accessKey, secretKey] = KEYS.split(":");
  const headers = signedPushHeaders({ url: new URL("/huawei/reports", url).href, body, contentType: JSON_UTF8, accessKey, secretKey });
  return new Promise((resolve, reject) => {
    const request = http.request(new URL("/huawei/reports", url), { method: "POST", headers, agent: false }, (response) => {
      let text = "";
      response.on("data", (chunk) => (text += chunk));
      response.on("end", () => resolve({ status: response.statusCode, retryAfter: response.headers["retry-after"], body: text }));
    });
    request.on("error", reject);
    request.end(body);
  });
}

const batch = JSON.stringify({
  statusReportList: Array.from({ length: 20 }, (_, i) => ({ smsMsgId: `fault-${i}`, status: "DELIVRD", total: "1", sequence: "1" })),
});

test("a KV binding that throws: 503 with Retry-After, then the retried push stores every event once", async () => {
  // 20 events × 3 attempts (the first try and two quick in-request retries) all refused.
  const relay = await start(60);
  try {
    const refused = await push(relay.url, batch);
    assert.deepEqual([refused.status, refused.retryAfter, JSON.parse(refused.body).error], [503, "30", "sink_unavailable"]);
    assert.deepEqual((await relay.kv.list()).keys, [], "no 200 for a partial store, and KV has nothing");

    const retried = await push(relay.url, batch);
    assert.equal(retried.status, 200);
    const keys = (await relay.kv.list()).keys.map((key) => key.name.split("/").slice(0, 3).join("/")).sort();
    assert.deepEqual(keys, Array.from({ length: 20 }, (_, i) => `status/huawei/fault-${i}`).sort());
    // The queue took the events on both attempts (it comes first): at-least-once, and the ids
    // say which are the same event.
    const messages = await recorded(relay.recorder, 40);
    assert.equal(messages.length, 40);
    assert.equal(new Set(messages.map((event) => event.id)).size, 20);
  } finally {
    await relay.mf.dispose();
  }
});

test("a transient KV refusal is absorbed by the in-request retry", async () => {
  const relay = await start(5);
  try {
    assert.equal((await push(relay.url, batch)).status, 200);
    assert.equal((await relay.kv.list()).keys.length, 20);
    assert.equal(new Set((await recorded(relay.recorder, 20)).map((event) => event.id)).size, 20);
  } finally {
    await relay.mf.dispose();
  }
});

test("a queue that refuses every sendBatch: 503 with Retry-After, and KV is never reached", async () => {
  const relay = await start(0, { refusingQueue: true });
  try {
    const refused = await push(relay.url, batch);
    assert.deepEqual([refused.status, refused.retryAfter, JSON.parse(refused.body).error], [503, "30", "sink_unavailable"]);
    assert.deepEqual((await relay.kv.list()).keys, [], "a failed queue write stops before KV");
  } finally {
    await relay.mf.dispose();
  }
});

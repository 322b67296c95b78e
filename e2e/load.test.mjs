// Load: 2,000 signed pushes, singles and batches of 50 interleaved, at concurrency 16 against
// the built worker. Every push must be answered 200 (zero 5xx) and every event stored exactly
// once by id in KV and reach the queue.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { startRelay, KEYS } from "./harness.mjs";
import { signedPushHeaders } from "../scripts/huawei-signer.mjs";
import { FORM, JSON_UTF8 } from "../scripts/huawei-samples.mjs";

const PUSHES = 2_000;
const CONCURRENCY = 16;

test("2,000 mixed pushes at concurrency 16: no 5xx, every event stored once", { timeout: 240_000 }, async () => {
  const relay = await startRelay({ bindings: { HUAWEI_PUSH_KEYS: `ak1:${KEYS.ak1}`, FORWARD: "queue,kv" } });
  try {
    const url = new URL("/huawei/reports", relay.url).href;
    let expected = 0;
    const pushes = Array.from({ length: PUSHES }, (_, i) => {
      const batch = i % 10 === 9;
      const body = batch
        ? JSON.stringify({ statusReportList: Array.from({ length: 50 }, (_, j) => ({ smsMsgId: `load-${i}-${j}`, status: "DELIVRD", total: "1", sequence: "1" })) })
        : `smsMsgId=load-${i}&status=DELIVRD&sequence=1&total=1`;
      expected += batch ? 50 : 1;
      const contentType = batch ? JSON_UTF8 : FORM;
      return { body, headers: signedPushHeaders({ url, body, contentType, accessKey: "ak1", secretKey: KEYS.ak1 }) };
    });

    const statuses = {};
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < pushes.length) {
          const { body, headers } = pushes[next++];
          const status = await new Promise((resolve) => {
            const request = http.request(url, { method: "POST", headers, agent: false }, (response) => {
              response.resume();
              response.on("end", () => resolve(response.statusCode));
            });
            request.on("error", (error) => resolve(`error: ${error.code}`));
            request.end(body);
          });
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
      }),
    );
    assert.deepEqual(statuses, { 200: PUSHES });

    let stored = 0;
    let cursor;
    do {
      const page = await relay.kv.list({ cursor });
      stored += page.keys.length;
      cursor = page.list_complete ? undefined : page.cursor;
    } while (cursor);
    assert.equal(stored, expected, "one KV key per event");
    const messages = await relay.waitForMessages(expected, { settleMs: 500, timeoutMs: 60_000 });
    assert.equal(new Set(messages.map((message) => message.body.id)).size, expected, "every event reached the queue");
  } finally {
    await relay.dispose();
  }
});

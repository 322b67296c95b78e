// Telnyx through the built worker in Miniflare, with the real Queue and KV simulations: the
// Ed25519 signature is checked by WebCrypto in the edge (a VerifyEd25519 step the core asks
// for), so this is where it is proven to work in workerd. Every webhook is signed freshly with
// Node's crypto (RFC 8032's test-1 key, scripts/samples/telnyx.mjs), and Telnyx's own SDK
// (telnyx 7.x, TelnyxWebhook.verify) must accept it first; the documented webhooks become the
// recorded events (tests/data/telnyx/). Stale, forged, unsigned and malformed webhooks store
// nothing.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { TelnyxWebhook } from "telnyx/lib/webhooks";
import { startRelay, kvContents, kvKey, assertValidEvent, withoutReceipt as receiptless } from "./harness.mjs";
import { telnyxHeaders, testKey, publicKeyBase64 } from "../scripts/samples/telnyx.mjs";

const read = (name) => readFileSync(new URL(`../tests/data/telnyx/${name}`, import.meta.url), "utf8");
// RFC 8032's test-2 seed: a second account key, as during a change of key.
const OTHER = testKey("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
const KEY = publicKeyBase64();
const OTHER_KEY = publicKeyBase64(OTHER);
const FIXTURES = ["message-finalized", "message-finalized-group", "message-sent", "message-received", "signed-vector"];

let relay;
before(async () => {
  relay = await startRelay({ bindings: { TELNYX_PUBLIC_KEYS: `${KEY},${OTHER_KEY}`, FORWARD: "queue,kv", LOG_REQUESTS: "errors" } });
});
after(() => relay?.dispose());
beforeEach(() => relay.resetSinks());

const post = (headers, body) => relay.request("POST", "/telnyx/webhooks", { headers, body });

/** Signed now (or as `options` say), and accepted by Telnyx's own SDK under `publicKey`. */
async function signed(body, options = {}, publicKey = KEY) {
  const headers = telnyxHeaders(body, options);
  await new TelnyxWebhook(publicKey).verify(body, headers);
  return headers;
}

/** An event without when it was received, or its auth. */
const withoutReceipt = (event) => receiptless(event, { keepAuth: false });

test("the published vector is what Node's Ed25519 signs with the test key", () => {
  const body = read("signed-vector.json");
  assert.equal(KEY, "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
  const headers = telnyxHeaders(body, { timestamp: "1575926000" });
  assert.equal(headers["telnyx-signature-ed25519"], "TCYZGjvZzGYqLe8BLbgzuqn7kQ6EDmy/lSfyjbfQ/nKGwCFE4zKVQQhzMcDTYMCiF4/EKk9AtKjH0b3fKjz+CA==");
});

test("every documented webhook, signed now, is verified by WebCrypto in workerd and becomes the recorded events", async () => {
  for (const name of FIXTURES) {
    await relay.resetSinks();
    const body = read(`${name}.json`);
    const response = await post(await signed(body), body);
    assert.deepEqual([response.status, response.body], [200, ""], name);
    const recorded = JSON.parse(read(`${name}.events.json`));
    const events = (await relay.waitForMessages(recorded.length)).map((message) => message.body);
    assert.deepEqual(events.map(withoutReceipt), recorded.map(withoutReceipt), name);
    const kv = await kvContents(relay.kv);
    assert.deepEqual(Object.keys(kv).sort(), events.map(kvKey).sort(), name);
    for (const event of events) {
      assertValidEvent(event);
      assert.deepEqual(event.data.auth, { scheme: "signature", token_index: 1 });
      assert.deepEqual(kv[kvKey(event)].value, event);
    }
  }
});

test("the second key verifies during a change of key, and a redelivery changes nothing stored", async () => {
  const body = read("message-finalized.json");
  assert.equal((await post(await signed(body, { key: OTHER }, OTHER_KEY), body)).status, 200);
  const [first] = (await relay.waitForMessages(1)).map((message) => message.body);
  assert.deepEqual(first.data.auth, { scheme: "signature", token_index: 2 });
  const stored = await kvContents(relay.kv);
  // Telnyx's next attempt: another `meta.attempt`, signed anew.
  const retried = body.replace('"attempt":1', '"attempt":2');
  assert.equal((await post(await signed(retried), retried)).status, 200);
  const [, again] = (await relay.waitForMessages(2)).map((message) => message.body);
  assert.equal(again.id, first.id);
  assert.deepEqual(await kvContents(relay.kv), stored);
});

test("stale, forged, tampered, unsigned and malformed webhooks are 401 and store nothing", async () => {
  const body = read("message-finalized.json");
  const now = Math.floor(Date.now() / 1000);
  const good = await signed(body);
  const refusals = [
    [{ "Content-Type": "application/json" }, body, "missing_signature"],
    [{ "Content-Type": "application/json", "telnyx-signature-ed25519": good["telnyx-signature-ed25519"] }, body, "signed_header_missing"],
    [telnyxHeaders(body, { timestamp: String(now - 301) }), body, "clock_skew"],
    [telnyxHeaders(body, { timestamp: String(now + 301) }), body, "clock_skew"],
    [{ ...good, "telnyx-timestamp": "soon" }, body, "malformed_timestamp"],
    [{ ...good, "telnyx-signature-ed25519": "AAAA" }, body, "malformed_signature"],
    [telnyxHeaders(body, { key: testKey("00".repeat(32)) }), body, "signature_mismatch"],
    [good, body.replace('"delivered"', '"delivery_failed"'), "signature_mismatch"],
    [{ ...good, "telnyx-timestamp": String(Number(good["telnyx-timestamp"]) - 1) }, body, "signature_mismatch"],
  ];
  for (const [headers, requestBody, code] of refusals) {
    const response = await post(headers, requestBody);
    assert.deepEqual([response.status, JSON.parse(response.body).error], [401, code], code);
  }
  assert.deepEqual(await relay.waitForMessages(0), []);
  assert.deepEqual(await kvContents(relay.kv), {});
  // Each refusal is logged with its code (LOG_REQUESTS=errors).
  const outcomes = relay.requestLogs().filter((line) => line.route === "telnyx/webhooks").map((line) => line.outcome);
  for (const [, , code] of refusals) assert.ok(outcomes.includes(code), `${code} in ${outcomes}`);
});

test("a signed webhook of another event type is stored whole as unparsed and answered 400", async () => {
  const body = '{"data":{"event_type":"call.initiated","id":"e1","payload":{"id":"c1","to":[{"phone_number":"+18665550001"}]}}}';
  const response = await post(await signed(body), body);
  assert.deepEqual([response.status, JSON.parse(response.body)], [400, { error: "invalid_field", field: "event_type" }]);
  const [event] = (await relay.waitForMessages(1)).map((message) => message.body);
  assertValidEvent(event);
  assert.deepEqual([event.type, event.data.body, event.data.endpoint], ["io.github.sms-relay.unparsed", body, "webhooks"]);
});

test("a key WebCrypto refuses to import is verification_failed, 401, logged, nothing stored", async () => {
  // A 32-byte value that is not a point on the curve: import or verify throws in WebCrypto.
  const bad = Buffer.alloc(32, 0xff).toString("base64");
  const broken = await startRelay({ bindings: { TELNYX_PUBLIC_KEYS: bad, FORWARD: "queue,kv" } });
  try {
    const body = read("message-finalized.json");
    const response = await broken.request("POST", "/telnyx/webhooks", { headers: telnyxHeaders(body), body });
    assert.equal(response.status, 401);
    assert.ok(["verification_failed", "signature_mismatch"].includes(JSON.parse(response.body).error), response.body);
    assert.deepEqual(await broken.waitForMessages(0), []);
    assert.deepEqual(await kvContents(broken.kv), {});
    assert.ok(broken.requestLogs().some((line) => line.route === "telnyx/webhooks" && line.status === 401));
  } finally {
    await broken.dispose();
  }
});

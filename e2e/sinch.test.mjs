// Sinch through the built worker in Miniflare, with the real Queue and KV simulations, and
// Sinch's own Node SDK (@sinch/sdk-core's SmsCallbackWebhooks) as the oracle: every callback is
// signed as Sinch signs it (scripts/samples/sinch.mjs), the SDK must accept the signature, and
// the documented bodies must become the recorded events (tests/data/sinch/). Forged, unsigned,
// stale and wrongly-labelled callbacks store nothing.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { SmsCallbackWebhooks } from "@sinch/sdk-core";
import { startRelay, kvContents, kvKey, assertValidEvent } from "./harness.mjs";
import { sinchHeaders } from "../scripts/samples/sinch.mjs";

const SECRET = "sinch-e2e-webhook-secret-new";
const OLD_SECRET = "sinch-e2e-webhook-secret-old";
const read = (name) => readFileSync(new URL(`../tests/data/sinch/${name}`, import.meta.url), "utf8");
const FIXTURES = ["recipient-delivery-report", "delivery-report-summary", "delivery-report-full", "mo-text", "mo-binary", "mo-media"];

let relay;
before(async () => {
  relay = await startRelay({ bindings: { SINCH_WEBHOOK_SECRETS: `${SECRET},${OLD_SECRET}`, FORWARD: "queue,kv" } });
});
after(() => relay?.dispose());
beforeEach(() => relay.resetSinks());

const post = (headers, body) => relay.request("POST", "/sinch/callbacks", { headers, body });
/** Node's headers as the SDK reads them: lower-case names. */
const lower = (headers) => Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));

/** Signed with `secret` now (or at `timestamp`), and accepted by Sinch's SDK under that secret. */
function signed(body, secret = SECRET, options = {}) {
  const headers = sinchHeaders(secret, body, options);
  assert.equal(new SmsCallbackWebhooks(secret).validateAuthenticationHeader(lower(headers), body), true, "the SDK accepts our signature");
  return headers;
}

/** An event without its receive time, to compare with the recorded ones. */
function withoutReceipt(event) {
  const { received_at, auth, ...data } = event.data;
  const relayTime = (time) => (time === received_at ? "(received)" : time);
  return { ...event, time: relayTime(event.time), data };
}

test("the SDK's own vector verifies with the SDK, and our signer makes it", () => {
  const body = read("recipient-delivery-report.json");
  const vector = sinchHeaders("SMSWebhooksSecret", body, { nonce: "01JHFFHWYY7HSS4FWTMDTQEK8V", timestamp: "1736760161" });
  assert.equal(vector["x-sinch-webhook-signature"], "ZoHei66PPN/kZjw7hFVfGhJOnml3iGNCMWoyQVcE5o0=");
  assert.equal(new SmsCallbackWebhooks("SMSWebhooksSecret").validateAuthenticationHeader(lower(vector), body), true);
});

test("every documented callback, signed now, becomes the recorded events, answered 200 empty", async () => {
  for (const name of FIXTURES) {
    await relay.resetSinks();
    const body = read(`${name}.json`);
    const response = await post(signed(body), body);
    assert.deepEqual([response.status, response.body], [200, ""], name);
    const recorded = JSON.parse(read(`${name}.events.json`));
    const events = (await relay.waitForMessages(recorded.length)).map((message) => message.body);
    assert.deepEqual(events.map(withoutReceipt), recorded.map(withoutReceipt), name);
    const kv = await kvContents(relay.kv);
    assert.deepEqual(Object.keys(kv).sort(), events.map(kvKey).sort(), name);
    for (const event of events) {
      assertValidEvent(event);
      assert.deepEqual(event.data.auth, { scheme: "signature", token_index: 1 });
      assert.deepEqual(kv[kvKey(event)].value, event, "KV holds what the queue carries");
    }
  }
});

test("the old secret still verifies during a rotation, and a repeat changes nothing stored", async () => {
  const body = read("recipient-delivery-report.json");
  assert.equal((await post(signed(body, OLD_SECRET), body)).status, 200);
  const [event] = (await relay.waitForMessages(1)).map((message) => message.body);
  assert.deepEqual(event.data.auth, { scheme: "signature", token_index: 2 });
  const before = await kvContents(relay.kv);
  assert.equal((await post(signed(body), body)).status, 200, "Sinch's retry, signed anew");
  // The queue stays at least once: the repeat is queued again, with the same id.
  const [first, again] = (await relay.waitForMessages(2)).map((message) => message.body);
  assert.equal(again.id, first.id);
  assert.deepEqual(Object.keys(await kvContents(relay.kv)), Object.keys(before));
  assert.deepEqual(await kvContents(relay.kv), before, "the stored report is the first one");
});

test("unsigned, forged, tampered, stale and mislabelled callbacks are 401 and store nothing", async () => {
  const body = read("recipient-delivery-report.json");
  const now = Math.floor(Date.now() / 1000);
  const good = signed(body);
  const refusals = [
    [{ "Content-Type": "application/json" }, body, "missing_signature"],
    [sinchHeaders("not-our-secret", body), body, "signature_mismatch"],
    [good, body.replace("Delivered", "Failed"), "signature_mismatch"],
    [signed(body, SECRET, { timestamp: String(now - 86_401) }), body, "clock_skew"],
    [signed(body, SECRET, { timestamp: String(now + 86_401) }), body, "clock_skew"],
    [{ ...good, "x-sinch-webhook-signature-algorithm": "HmacSHA1" }, body, "unsupported_algorithm"],
    [{ ...good, "x-sinch-webhook-signature-timestamp": "soon" }, body, "malformed_timestamp"],
    [{ ...good, "x-sinch-webhook-signature-nonce": "another-nonce" }, body, "signature_mismatch"],
  ];
  for (const [headers, requestBody, code] of refusals) {
    const response = await post(headers, requestBody);
    assert.deepEqual([response.status, JSON.parse(response.body).error], [401, code], code);
  }
  // A signature of the same body for the route, but a token in the path: not a Sinch route.
  assert.equal((await relay.request("POST", "/sinch/callbacks/token", { headers: good, body })).status, 404);
  assert.deepEqual(await relay.waitForMessages(0), []);
  assert.deepEqual(await kvContents(relay.kv), {});
});

test("a signed callback of an unknown type is stored whole as unparsed and answered 400", async () => {
  const body = '{"type":"mt_text","id":"01X","body":"not a callback kind"}';
  const response = await post(signed(body), body);
  assert.deepEqual([response.status, JSON.parse(response.body)], [400, { error: "invalid_field", field: "type" }]);
  const [event] = (await relay.waitForMessages(1)).map((message) => message.body);
  assertValidEvent(event);
  assert.deepEqual([event.type, event.data.reason, event.data.body, event.data.endpoint], ["io.github.sms-relay.unparsed", "invalid_field: type", body, "callbacks"]);
});

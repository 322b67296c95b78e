// What the vendors really send, accepted, and what they never send, refused: through the built
// worker in Miniflare with the real Queue and KV simulations. Huawei's secret-only rotation and
// its signed Content-Type, Alibaba's pushes of 1,000 receipts and its international receipts,
// Alibaba's send_time, Tencent's extend, key ids out of /healthz, and a weak READ_TOKEN that
// turns the lookup off and nothing else.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { startRelay, kvContents, assertValidEvent, READ_TOKEN } from "./harness.mjs";
import { signedPushHeaders, signatureFor, sdkDate } from "../scripts/huawei-signer.mjs";
import { STATUS_REPORT, FORM } from "../scripts/huawei-samples.mjs";

const ALIBABA_TOKEN = "alibaba-e2e-token-0123456789";
const TENCENT_TOKEN = "tencent-e2e-token-0123456789";
const OLD = "huawei-secret-old-1111";
const NEW = "huawei-secret-new-2222";

const relays = [];
after(() => Promise.all(relays.map((relay) => relay.dispose())));
async function relayWith(bindings) {
  const relay = await startRelay({ bindings: { FORWARD: "queue,kv", ...bindings } });
  relays.push(relay);
  return relay;
}

/** A push signed like Huawei's with `secretKey` under access key `ak`. */
function huaweiPush(relay, secretKey, body = STATUS_REPORT) {
  const headers = signedPushHeaders({ url: new URL("/huawei/reports", relay.url).href, body, contentType: FORM, accessKey: "ak", secretKey });
  return relay.request("POST", "/huawei/reports", { headers, body });
}

test("Huawei: one access key with two secrets during a rotation; each verifies and the event says which", async () => {
  const relay = await relayWith({ HUAWEI_PUSH_KEYS: `ak:${OLD},ak:${NEW}` });
  assert.equal((await relay.health()).ready, true);
  for (const [secret, keyIndex, message] of [[OLD, 1, "rot-1"], [NEW, 2, "rot-2"]]) {
    const body = STATUS_REPORT.replace(/smsMsgId=[^&]+/, `smsMsgId=${message}`);
    const response = await huaweiPush(relay, secret, body);
    assert.equal(response.status, 200, response.body);
    const [event] = (await relay.waitForMessages(1, { settleMs: 50 })).map((m) => m.body);
    assertValidEvent(event);
    assert.deepEqual(event.data.auth, { scheme: "aksk", access_key: "ak", key_index: keyIndex });
    await relay.resetSinks();
  }
  const forged = await huaweiPush(relay, "not-either-secret");
  assert.deepEqual([forged.status, JSON.parse(forged.body).error], [401, "signature_mismatch"]);
  assert.deepEqual(await kvContents(relay.kv), {});
});

test("Huawei: a third secret or a repeated entry is a problem that names the entry, never the key id", async () => {
  const relay = await relayWith({ HUAWEI_PUSH_KEYS: `secret-ak-id:${OLD},secret-ak-id:${NEW},secret-ak-id:third-one` });
  const health = await relay.health();
  assert.equal(health.ready, false);
  const text = JSON.stringify(health);
  assert.match(text, /entry 3 gives its access key more than 2 secrets/);
  for (const secret of ["secret-ak-id", OLD, NEW, "third-one"]) assert.ok(!text.includes(secret), secret);
});

test("Huawei: a push whose Content-Type is not signed is refused and stores nothing", async () => {
  const relay = await relayWith({ HUAWEI_PUSH_KEYS: `ak:${OLD}` });
  const url = new URL("/huawei/reports", relay.url);
  for (const signedHeaders of ["host;x-sdk-date", "content-length;host;x-sdk-date"]) {
    const headers = { "Content-Length": String(Buffer.byteLength(STATUS_REPORT)), "Content-Type": FORM, Host: url.host, "X-Sdk-Date": sdkDate() };
    const { signature } = signatureFor({ method: "POST", path: url.pathname, headers, body: STATUS_REPORT, secretKey: OLD, signedHeaders });
    headers.Authorization = `SDK-HMAC-SHA256 Access=ak, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    // As signed, and replayed with another media type: neither is taken.
    for (const contentType of [FORM, "application/json"]) {
      const response = await relay.request("POST", "/huawei/reports", { headers: { ...headers, "Content-Type": contentType }, body: STATUS_REPORT });
      assert.deepEqual([response.status, JSON.parse(response.body).error], [401, "content_type_not_signed"], signedHeaders);
    }
  }
  assert.deepEqual(await relay.waitForMessages(0, { settleMs: 100 }), []);
  assert.deepEqual(await kvContents(relay.kv), {});
});

const receipt = (i) => ({
  phone_number: `1380000${String(i).padStart(4, "0")}`,
  send_time: "2024-03-01 20:00:00",
  report_time: "2024-03-01 20:00:05",
  success: i % 7 !== 0,
  err_code: i % 7 === 0 ? "MOBILE_NOT_ON_SERVICE" : "DELIVERED",
  err_msg: i % 7 === 0 ? "停机" : "用户接收成功",
  sms_size: "1",
  biz_id: `900${Math.floor(i / 3)}^0`,
  out_id: `order-${i}`,
});

test("Alibaba: a push of 1,000 receipts is stored whole, in sendBatch calls within the queue's limits", { timeout: 60_000 }, async () => {
  const relay = await relayWith({ ALIBABA_TOKEN });
  const entries = Array.from({ length: 1000 }, (_, i) => receipt(i));
  const body = JSON.stringify(entries);
  assert.ok(body.length > 128_000, "more than one queue message could hold whole");
  const response = await relay.request("POST", `/alibaba/reports/${ALIBABA_TOKEN}`, { headers: { "Content-Type": "application/json" }, body });
  assert.equal(response.status, 200, response.body);
  assert.equal(response.body, '{"code":0,"msg":"接收成功"}');
  const messages = await relay.waitForMessages(1000, { timeoutMs: 30_000 });
  assert.equal(messages.length, 1000);
  const events = messages.map((m) => m.body);
  assert.equal(new Set(events.map((e) => e.id)).size, 1000, "three recipients per biz_id: 1,000 reports, 1,000 ids");
  for (const event of events) {
    assert.equal(event.type, "io.github.sms-relay.status_report");
    assert.equal(event.data.sent_at, "2024-03-01T12:00:00Z", "send_time is Beijing time, written in UTC");
  }
  assertValidEvent(events[0]);
  const { keys } = await relay.kv.list({ prefix: "status/alibaba/" });
  assert.equal(keys.length, 1000, "every receipt in KV too");
  const log = relay.requestLogs().at(-1);
  assert.ok(!log || log.status === 200);
});

test("Alibaba: international receipts become status reports, their times read with their own offset", async () => {
  const relay = await relayWith({ ALIBABA_TOKEN });
  const body = readFileSync("tests/data/alibaba/sms-report-intl.json", "utf8");
  const response = await relay.request("POST", `/alibaba/reports/${ALIBABA_TOKEN}`, { headers: { "Content-Type": "application/json" }, body });
  assert.equal(response.status, 200, response.body);
  const events = (await relay.waitForMessages(3)).map((m) => m.body);
  const recorded = JSON.parse(readFileSync("tests/data/alibaba/sms-report-intl.events.json", "utf8"));
  const without = ({ data: { received_at, ...data }, ...event }) => ({ ...event, data, time: event.time === received_at ? null : event.time });
  assert.deepEqual(events.map(without), recorded.map(without));
  assert.deepEqual(
    events.map((e) => [e.data.status, e.data.state, e.data.final, e.data.error_code, e.data.updated_at]),
    [
      ["1", "delivered", true, null, "2021-11-25T02:25:33Z"],
      ["2", "failed", true, "UNDELIV", "2024-03-01T12:00:00Z"],
      ["6", "expired", true, "EXPIRED", "2024-03-04T11:00:00Z"],
    ],
  );
  for (const event of events) assert.equal(event.type, "io.github.sms-relay.status_report");
});

test("Tencent: a reply's extend is its extension code, kept as sent, not a recipient", async () => {
  const relay = await relayWith({ TENCENT_TOKEN });
  const reply = { extend: "01", mobile: "13800000000", nationcode: "86", sign: "【腾讯云】", text: "TD", time: 1457336869 };
  const response = await relay.request("POST", `/tencent/replies/${TENCENT_TOKEN}`, { headers: { "Content-Type": "application/json" }, body: JSON.stringify(reply) });
  assert.equal(response.status, 200, response.body);
  const [event] = (await relay.waitForMessages(1)).map((m) => m.body);
  assertValidEvent(event);
  assert.equal(event.data.to, null);
  assert.equal(event.data.extra.extend, "01");
  assert.equal(event.data.from, "+8613800000000");
});

test("a weak or malformed READ_TOKEN turns the lookup and the health details off, never ingestion", async () => {
  for (const weak of ["0000000000000000", "................", "not/a-token-0123456789", "short-Abc123"]) {
    const relay = await relayWith({ HUAWEI_PUSH_KEYS: `ak:${OLD}`, READ_TOKEN: weak });
    const pushed = await huaweiPush(relay, OLD);
    assert.equal(pushed.status, 200, `${weak}: ${pushed.body}`);
    assert.equal((await relay.waitForMessages(1)).length, 1);
    const health = await relay.request("GET", "/healthz", { headers: { Authorization: `Bearer ${weak}` } });
    assert.equal(health.status, 200);
    assert.deepEqual(JSON.parse(health.body), { service: "sms-relay", ready: true, providers: ["huawei"], invalid_settings: [], disabled_settings: ["READ_TOKEN"] });
    const lookup = await relay.request("GET", "/v1/messages/huawei/b9d9b4fe-ad0e-4a2a-a2c7-445505b674ac_6", { headers: { Authorization: `Bearer ${weak}` } });
    assert.deepEqual([lookup.status, JSON.parse(lookup.body).error], [404, "not_enabled"]);
  }
  // A good one opens both, for contrast.
  const relay = await relayWith({ HUAWEI_PUSH_KEYS: `ak:${OLD}` });
  assert.equal((await huaweiPush(relay, OLD)).status, 200);
  assert.equal((await relay.waitForMessages(1)).length, 1);
  const detailed = await relay.health();
  assert.deepEqual([detailed.ready, detailed.sinks, detailed.warnings], [true, ["queue", "kv"], []]);
  const lookup = await relay.request("GET", "/v1/messages/huawei/b9d9b4fe-ad0e-4a2a-a2c7-445505b674ac_6", { headers: { Authorization: `Bearer ${READ_TOKEN}` } });
  assert.equal(lookup.status, 200, lookup.body);
});

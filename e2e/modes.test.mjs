// End-to-end checks of the other configurations: URL-token auth, an unconfigured worker,
// unsigned local development, a missing binding, and a sink that refuses a write.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startRelay, kvContents, assertValidEvent, KEYS, READ_TOKEN } from "./harness.mjs";
import { FORM, STATUS_REPORT, UPLINK } from "../scripts/huawei-samples.mjs";

const TOKEN = "tok_0123456789abcdefghij";

async function withRelay(options, body) {
  const relay = await startRelay(options);
  try {
    await body(relay);
  } finally {
    await relay.dispose();
  }
}

test("token mode: the URL must end in the ingest token; by default only refusals are logged", async () => {
  await withRelay({ bindings: { INGEST_TOKEN: TOKEN, FORWARD: "queue" }, kv: false }, async (relay) => {
    const headers = { "Content-Type": FORM };
    const ok = await relay.request("POST", `/huawei/uplink/${TOKEN}`, { headers, body: UPLINK });
    assert.equal(ok.status, 200);
    const missing = await relay.request("POST", "/huawei/uplink", { headers, body: UPLINK });
    assert.deepEqual([missing.status, JSON.parse(missing.body).error], [401, "missing_token"]);
    const wrong = await relay.request("POST", `/huawei/uplink/${TOKEN}x`, { headers, body: UPLINK });
    assert.deepEqual([wrong.status, JSON.parse(wrong.body).error], [401, "invalid_token"]);
    // Log lines arrive through the runtime's stdout: give the last one a moment.
    for (let i = 0; i < 50 && relay.requestLogs().length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    const logged = relay.requestLogs().map((line) => [line.status, line.outcome]);
    assert.deepEqual(logged, [[401, "missing_token"], [401, "invalid_token"]]);
    const messages = await relay.waitForMessages(1);
    assert.equal(messages.length, 1, "only the request with the token was forwarded");
    assertValidEvent(messages[0].body);
    assert.deepEqual(messages[0].body.data.auth, { scheme: "token" });
    const health = await relay.health();
    assert.deepEqual([health.auth_mode, health.ingest_token], ["token", true]);
    // Without the KV sink there is nothing to look up.
    const lookup = await relay.request("GET", "/v1/messages/huawei/m", { headers: { Authorization: `Bearer ${READ_TOKEN}` } });
    assert.deepEqual([lookup.status, JSON.parse(lookup.body).error], [404, "not_enabled"]);
    assert.ok(!JSON.stringify(health).includes(TOKEN));
  });
});

test("signature and token together: both are required", async () => {
  await withRelay({ bindings: { INGEST_TOKEN: TOKEN, HUAWEI_PUSH_KEYS: `ak1:${KEYS.ak1}` } }, async (relay) => {
    const unsigned = await relay.request("POST", `/huawei/reports/${TOKEN}`, { headers: { "Content-Type": FORM }, body: STATUS_REPORT });
    assert.deepEqual([unsigned.status, JSON.parse(unsigned.body).error], [401, "missing_signature"]);
    const noToken = await relay.push("/huawei/reports", STATUS_REPORT, FORM);
    assert.deepEqual([noToken.status, JSON.parse(noToken.body).error], [401, "missing_token"]);
    const both = await relay.push(`/huawei/reports/${TOKEN}`, STATUS_REPORT, FORM);
    assert.equal(both.status, 200);
    const messages = await relay.waitForMessages(1);
    assert.equal(messages.length, 1);
    assert.deepEqual(messages[0].body.data.auth, { scheme: "aksk", access_key: "ak1", key_index: 1 });
  });
});

test("with no provider configured the worker accepts nothing and says why", async () => {
  // wrangler.toml's shipped [vars] (ALLOW_UNSIGNED = "false") and no secret.
  await withRelay({ bindings: { ALLOW_UNSIGNED: "false" } }, async (relay) => {
    const response = await relay.push("/huawei/reports", STATUS_REPORT, FORM);
    assert.deepEqual([response.status, JSON.parse(response.body).error], [500, "config_invalid"]);
    // In public: not ready, and which setting is wrong, by name only.
    const open = await relay.request("GET", "/healthz");
    assert.equal(open.status, 500);
    assert.deepEqual(JSON.parse(open.body), { service: "sms-relay", ready: false, providers: [], invalid_settings: ["HUAWEI_PUSH_KEYS"] });
    const report = await relay.health();
    assert.equal(report.status, 500);
    assert.equal(report.config_valid, false);
    assert.equal(report.auth_mode, "unconfigured");
    assert.match(report.errors[0].problem, /no provider configured/);
    assert.deepEqual(await relay.waitForMessages(0), []);
  });
});

test("ALLOW_UNSIGNED=true accepts unsigned pushes for local development", async () => {
  await withRelay({ bindings: { ALLOW_UNSIGNED: "true" } }, async (relay) => {
    const response = await relay.request("POST", "/huawei/reports", { headers: { "Content-Type": FORM }, body: STATUS_REPORT });
    assert.equal(response.status, 200);
    const [message] = await relay.waitForMessages(1);
    assert.deepEqual(message.body.data.auth, { scheme: "none" });
  });
});

test("a sink named in FORWARD without its binding is a configuration error", async () => {
  await withRelay({ bindings: { ALLOW_UNSIGNED: "true", FORWARD: "queue,kv" }, kv: false }, async (relay) => {
    const response = await relay.request("POST", "/huawei/reports", { headers: { "Content-Type": FORM }, body: STATUS_REPORT });
    assert.deepEqual([response.status, JSON.parse(response.body).error], [500, "config_invalid"]);
    const report = await relay.health();
    assert.deepEqual(report.errors, [{ setting: "FORWARD", problem: "sink kv needs the EVENTS_KV binding in wrangler.toml" }]);
  });
});

test("ALLOWED_IPS admits Huawei's published ranges only, by CF-Connecting-IP", async () => {
  const ranges = "117.78.29.0/24, 124.70.27.0/24, 124.71.67.0/24, 123.60.96.0/24, 119.8.109.0/24";
  await withRelay({ bindings: { ALLOW_UNSIGNED: "true", ALLOWED_IPS: ranges } }, async (relay) => {
    const send = (ip) =>
      relay.request("POST", "/huawei/reports", { headers: { "Content-Type": FORM, ...(ip ? { "CF-Connecting-IP": ip } : {}) }, body: STATUS_REPORT });
    assert.equal((await send("117.78.29.5")).status, 200);
    const outside = await send("203.0.113.9");
    assert.deepEqual([outside.status, JSON.parse(outside.body).error], [403, "ip_not_allowed"]);
    // Miniflare fills in 127.0.0.1 when the header is absent, which is outside the list too.
    assert.equal((await send(null)).status, 403);
    assert.equal((await relay.waitForMessages(1)).length, 1, "only the admitted push was forwarded");
    const health = await relay.health({ "CF-Connecting-IP": "203.0.113.9" });
    assert.equal(health.allowed_ip_ranges, 5, "/healthz stays reachable for monitoring");
  });
});

// Alibaba Cloud, Tencent Cloud and Twilio through the built worker in Miniflare, with the real
// Queue and KV simulations: every route, the exact answers each vendor expects, Alibaba's
// probe, refusals that store nothing, batches with a bad entry, and one event shape in both
// sinks. Twilio's own helper library signs the requests, and the CloudEvents SDK reads the
// events.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import twilio from "twilio";
import { CloudEvent } from "cloudevents";
import { startRelay, kvContents, kvKey, assertValidEvent, KEYS } from "./harness.mjs";
import {
  providerRequests, twilioSignature, EVENTS, JSON_TYPE, FORM,
  ALIBABA_REPORT, ALIBABA_UPLINK, TENCENT_REPORTS, TENCENT_REPLY, TWILIO_STATUS, TWILIO_INBOUND,
} from "../scripts/provider-samples.mjs";
import { STATUS_REPORT, FORM as HUAWEI_FORM } from "../scripts/huawei-samples.mjs";

const ALIBABA_TOKEN = "alibaba-e2e-token-0123456789";
const TENCENT_TOKEN = "tencent-e2e-token-0123456789";
const TWILIO_TOKEN = "twilio-e2e-auth-token-primary";
const TWILIO_OLD_TOKEN = "twilio-e2e-auth-token-secondary";
const SETTINGS = { ALIBABA_TOKEN, TENCENT_TOKEN, TWILIO_AUTH_TOKENS: `${TWILIO_TOKEN}, ${TWILIO_OLD_TOKEN}` };

let relay;
before(async () => {
  relay = await startRelay({ bindings: { HUAWEI_PUSH_KEYS: `ak1:${KEYS.ak1}`, FORWARD: "queue,kv", ...SETTINGS } });
});
after(() => relay?.dispose());
beforeEach(() => relay.resetSinks());

const json = { "Content-Type": JSON_TYPE };
const post = (path, headers, body) => relay.request("POST", path, { headers, body });

/** Signed by Twilio's own helper library, over the URL the relay is reached at. */
function twilioHeaders(path, body, authToken = TWILIO_TOKEN) {
  const params = Object.fromEntries(new URLSearchParams(body));
  const signature = twilio.getExpectedTwilioSignature(authToken, new URL(path, relay.url).href, params);
  return { "Content-Type": FORM, "X-Twilio-Signature": signature };
}

/** The events now in the queue, checked against the schema, KV and the CloudEvents SDK. */
async function stored(count) {
  const messages = await relay.waitForMessages(count);
  assert.equal(messages.length, count, JSON.stringify(messages).slice(0, 400));
  const events = messages.map((message) => message.body);
  const kv = await kvContents(relay.kv);
  assert.deepEqual(Object.keys(kv).sort(), events.map(kvKey).sort(), "one KV key per event");
  for (const event of events) {
    assertValidEvent(event);
    assert.deepEqual(kv[kvKey(event)].value, event, "KV holds the event the queue carries");
    const parsed = new CloudEvent(event);
    assert.equal(parsed.provider, event.provider, "the provider is a CloudEvents extension attribute");
    assert.equal(parsed.validate(), true);
  }
  return events;
}

/** An event without its receive time, to compare with the recorded ones. */
function withoutReceipt(event) {
  const { received_at, ...data } = event.data;
  const relayTime = (time) => (time === received_at ? "(received)" : time);
  return { ...event, time: relayTime(event.time), data: { ...data, updated_at: relayTime(data.updated_at) } };
}

test("our Twilio signer agrees with Twilio's helper library on its published vector", () => {
  const url = "https://mycompany.com/myapp.php?foo=1&bar=2";
  const body = "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309&To=%2B18005551212";
  assert.equal(twilioSignature("12345", url, body), "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
  assert.ok(twilio.validateRequest("12345", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", url, Object.fromEntries(new URLSearchParams(body))));
});

test("every route stores each documented sample as the recorded event and answers what the vendor expects", async () => {
  const cases = [
    [`/alibaba/reports/${ALIBABA_TOKEN}`, json, ALIBABA_REPORT, EVENTS.alibabaReport, '{"code":0,"msg":"接收成功"}', "application/json"],
    [`/alibaba/uplink/${ALIBABA_TOKEN}`, json, ALIBABA_UPLINK, EVENTS.alibabaUplink, '{"code":0,"msg":"接收成功"}', "application/json"],
    [`/tencent/reports/${TENCENT_TOKEN}`, json, TENCENT_REPORTS, EVENTS.tencentReports, '{"result":0,"errmsg":"OK"}', "application/json"],
    [`/tencent/replies/${TENCENT_TOKEN}`, json, TENCENT_REPLY, EVENTS.tencentReply, '{"result":0,"errmsg":"OK"}', "application/json"],
    ["/twilio/status", twilioHeaders("/twilio/status", TWILIO_STATUS), TWILIO_STATUS, EVENTS.twilioStatus, "", undefined],
    ["/twilio/inbound", twilioHeaders("/twilio/inbound", TWILIO_INBOUND), TWILIO_INBOUND, EVENTS.twilioInbound, "<Response/>", "text/xml"],
  ];
  for (const [path, headers, body, recorded, answer, contentType] of cases) {
    await relay.resetSinks();
    const response = await post(path, headers, body);
    assert.deepEqual([response.status, response.body, response.headers["content-type"]], [200, answer, contentType], path);
    const events = await stored(recorded.length);
    assert.deepEqual(events.map(withoutReceipt), recorded.map(withoutReceipt), path);
  }
});

test("Alibaba's GET probe answers at once, stores nothing, and needs the token", async () => {
  for (const route of ["reports", "uplink"]) {
    const started = performance.now();
    const probe = await relay.request("GET", `/alibaba/${route}/${ALIBABA_TOKEN}`);
    assert.ok(performance.now() - started < 700, "well within Alibaba's 700 ms");
    assert.deepEqual([probe.status, probe.body], [200, '{"code":0,"msg":"成功"}']);
  }
  const wrong = await relay.request("GET", "/alibaba/reports/not-the-alibaba-token-000");
  assert.deepEqual([wrong.status, JSON.parse(wrong.body).error], [401, "invalid_token"]);
  assert.deepEqual(await relay.waitForMessages(0), []);
  assert.deepEqual(await kvContents(relay.kv), {});
});

test("a bad token or a bad signature is 401 and stores nothing", async () => {
  const refusals = [
    [`/alibaba/reports/${TENCENT_TOKEN}`, json, ALIBABA_REPORT, "invalid_token"],
    ["/alibaba/uplink", json, ALIBABA_UPLINK, "missing_token"],
    [`/tencent/reports/${ALIBABA_TOKEN}`, json, TENCENT_REPORTS, "invalid_token"],
    [`/tencent/replies/${TENCENT_TOKEN}x`, json, TENCENT_REPLY, "invalid_token"],
    ["/twilio/status", { "Content-Type": FORM }, TWILIO_STATUS, "missing_signature"],
    ["/twilio/status", twilioHeaders("/twilio/status", TWILIO_STATUS, "not-our-auth-token"), TWILIO_STATUS, "signature_mismatch"],
    // Signed for one route, replayed to the other: the URL is signed.
    ["/twilio/inbound", twilioHeaders("/twilio/status", TWILIO_INBOUND), TWILIO_INBOUND, "signature_mismatch"],
    // A signed body with one parameter changed.
    ["/twilio/status", twilioHeaders("/twilio/status", TWILIO_STATUS), TWILIO_STATUS.replace("delivered", "failed"), "signature_mismatch"],
  ];
  for (const [path, headers, body, code] of refusals) {
    const response = await post(path, headers, body);
    assert.deepEqual([response.status, JSON.parse(response.body).error], [401, code], path);
  }
  assert.deepEqual(await relay.waitForMessages(0), []);
  assert.deepEqual(await kvContents(relay.kv), {});
});

test("Twilio's secondary auth token still verifies during a rotation", async () => {
  const response = await post("/twilio/status", twilioHeaders("/twilio/status", TWILIO_STATUS, TWILIO_OLD_TOKEN), TWILIO_STATUS);
  assert.equal(response.status, 200);
  const [event] = await stored(1);
  assert.deepEqual(event.data.auth, { scheme: "signature", token_index: 2 });
});

test("a batch with one bad entry stores the rest, answers the vendor's success, and keeps that entry whole", async () => {
  const good = JSON.parse(ALIBABA_REPORT)[0];
  const bad = '{"biz_id":"bad-1","success":"maybe","err_code":"DELIVERED"}';
  const alibaba = await post(`/alibaba/reports/${ALIBABA_TOKEN}`, json, `[${JSON.stringify(good)},${bad}]`);
  assert.deepEqual([alibaba.status, alibaba.body], [200, '{"code":0,"msg":"接收成功"}']);
  let events = await stored(2);
  assert.deepEqual(events.map((e) => e.type), ["io.github.sms-relay.status_report", "io.github.sms-relay.unparsed"]);
  assert.deepEqual([events[1].data.reason, events[1].data.body, events[1].data.endpoint], ["invalid_field: success", bad, "reports"]);

  await relay.resetSinks();
  const entries = JSON.parse(TENCENT_REPORTS);
  const body = JSON.stringify([...entries, "junk", { ...entries[0], sid: "second" }]);
  const tencent = await post(`/tencent/reports/${TENCENT_TOKEN}`, json, body);
  assert.deepEqual([tencent.status, tencent.body], [200, '{"result":0,"errmsg":"OK"}']);
  events = await stored(3);
  assert.deepEqual(events.map((e) => e.data.reason ?? e.subject), ["xxxxxxx", "entry_not_an_object", "second"]);
});

test("unreadable input is kept as one unparsed event and answered with the error, not the success body", async () => {
  const response = await post(`/tencent/replies/${TENCENT_TOKEN}`, json, '{"text":"no number"}');
  assert.deepEqual([response.status, JSON.parse(response.body)], [400, { error: "missing_field", field: "mobile" }]);
  const [event] = await stored(1);
  assert.deepEqual([event.provider, event.data.endpoint, event.data.body], ["tencent", "replies", '{"text":"no number"}']);

  await relay.resetSinks();
  const form = await post("/twilio/inbound", twilioHeaders("/twilio/inbound", "Body=hi"), "Body=hi");
  assert.deepEqual([form.status, JSON.parse(form.body).error], [400, "missing_field"]);
  assert.equal((await stored(1))[0].source, "urn:twilio:messaging");
});

test("a status report and an uplink have the same data fields whichever provider sent them", async () => {
  assert.equal((await relay.push("/huawei/reports", STATUS_REPORT, HUAWEI_FORM)).status, 200);
  const samples = await providerRequests(relay.url, SETTINGS);
  for (const { path, headers, body } of samples) {
    assert.equal((await post(path, headers, body)).status, 200, path);
  }
  const events = await stored(1 + samples.reduce((sum, { events }) => sum + events, 0));
  const shapes = {};
  for (const event of events) {
    const kind = event.type.split(".").pop();
    (shapes[kind] ??= new Set()).add(Object.keys(event.data).sort().join(","));
  }
  assert.equal(shapes.status_report.size, 1, [...shapes.status_report].join("\n"));
  assert.equal(shapes.uplink.size, 1, [...shapes.uplink].join("\n"));
  assert.deepEqual(new Set(events.map((e) => e.provider)), new Set(["huawei", "alibaba", "tencent", "twilio"]));
});

test("a provider without its setting answers 404 not_enabled, and /healthz lists the enabled ones", async () => {
  const huaweiOnly = await startRelay({ bindings: { HUAWEI_PUSH_KEYS: `ak1:${KEYS.ak1}` } });
  try {
    for (const [method, path] of [
      ["POST", `/alibaba/reports/${ALIBABA_TOKEN}`],
      ["GET", `/alibaba/uplink/${ALIBABA_TOKEN}`],
      ["POST", `/tencent/replies/${TENCENT_TOKEN}`],
      ["POST", "/twilio/inbound"],
    ]) {
      const response = await huaweiOnly.request(method, path, { headers: json, body: method === "POST" ? "[]" : undefined });
      assert.deepEqual([response.status, JSON.parse(response.body).error], [404, "not_enabled"], path);
    }
    assert.deepEqual(await huaweiOnly.waitForMessages(0), []);
    assert.deepEqual(JSON.parse((await huaweiOnly.request("GET", "/healthz")).body).providers, ["huawei"]);
  } finally {
    await huaweiOnly.dispose();
  }
  assert.deepEqual(JSON.parse((await relay.request("GET", "/healthz")).body).providers, ["huawei", "alibaba", "tencent", "twilio"]);
  const report = await relay.health();
  assert.equal(report.twilio_auth_tokens, 2);
  // Each enabled provider's credential settings, counted: a rotation shows as 2.
  assert.deepEqual(Object.keys(report.credentials).filter((name) => !name.startsWith("HUAWEI_") && name !== "INGEST_TOKEN"), ["ALIBABA_TOKEN", "TENCENT_TOKEN", "TWILIO_AUTH_TOKENS"]);
  assert.deepEqual([report.credentials.ALIBABA_TOKEN, report.credentials.TENCENT_TOKEN, report.credentials.TWILIO_AUTH_TOKENS], [1, 1, 2]);
  for (const secret of [ALIBABA_TOKEN, TENCENT_TOKEN, TWILIO_TOKEN, TWILIO_OLD_TOKEN]) {
    assert.ok(!JSON.stringify(report).includes(secret), "no provider secret in /healthz");
  }
});

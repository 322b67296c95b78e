// Delivery states end to end, through the built worker in Miniflare with the real Queue and KV
// simulations: every vendor status onto `state`, `final` and `error_code`; distinct reports get
// distinct ids and a repeat the same one; a repeat changes nothing stored; the same bytes in KV,
// the queue and HTTP delivery; and the lookup's message state over its parts, across KV pages.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import twilio from "twilio";
import { Miniflare } from "miniflare";
import { startRelay, kvContents, kvKey, assertValidEvent, KEYS, READ_TOKEN } from "./harness.mjs";
import { signedPushHeaders } from "../scripts/huawei-signer.mjs";
import { relayWorker, discardOutput, COMPATIBILITY_DATE } from "../scripts/relay-worker.mjs";
import { FORM, JSON_UTF8 } from "../scripts/huawei-samples.mjs";
import { ALIBABA_REPORT, ALIBABA_UPLINK, TENCENT_REPORTS, TENCENT_REPLY, JSON_TYPE } from "../scripts/provider-samples.mjs";

const ALIBABA_TOKEN = "alibaba-e2e-token-0123456789";
const TENCENT_TOKEN = "tencent-e2e-token-0123456789";
const TWILIO_TOKEN = "twilio-e2e-auth-token-primary";
const SETTINGS = { ALIBABA_TOKEN, TENCENT_TOKEN, TWILIO_AUTH_TOKENS: TWILIO_TOKEN };
const STATES = ["accepted", "sent", "delivered", "failed", "expired", "read", "unknown"];
const T1 = "2018-04-13T06:31:46Z";
const T2 = "2018-04-13T06:31:50Z";

let relay;
before(async () => {
  relay = await startRelay({ bindings: { HUAWEI_PUSH_KEYS: `ak1:${KEYS.ak1}`, FORWARD: "queue,kv", ...SETTINGS } });
});
after(() => relay?.dispose());
beforeEach(() => relay.resetSinks());

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const json = { "Content-Type": JSON_TYPE };
const post = (path, headers, body) => relay.request("POST", path, { headers, body });
const alibabaReports = (entries) => post(`/alibaba/reports/${ALIBABA_TOKEN}`, json, JSON.stringify(entries));
const huaweiBatch = (entries) => relay.push("/huawei/reports", JSON.stringify({ statusReportList: entries }), JSON_UTF8);
const ALIBABA_ENTRY = JSON.parse(ALIBABA_REPORT)[0];
const TENCENT_ENTRY = JSON.parse(TENCENT_REPORTS)[0];

/** A status callback's form body and headers, signed by Twilio's own helper library. */
function twilioStatus(params) {
  const body = new URLSearchParams(params).toString();
  const signature = twilio.getExpectedTwilioSignature(TWILIO_TOKEN, new URL("/twilio/status", relay.url).href, Object.fromEntries(new URLSearchParams(body)));
  return { body, headers: { "Content-Type": FORM, "X-Twilio-Signature": signature } };
}
const twilioParams = (sid, status, extra = {}) => ({
  AccountSid: "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", ApiVersion: "2010-04-01", From: "+15017122661",
  MessageSid: sid, MessageStatus: status, SmsSid: sid, SmsStatus: status, To: "+15558675310", ...extra,
});
async function sendTwilio(signed) {
  const response = await post("/twilio/status", signed.headers, signed.body);
  assert.equal(response.status, 200, response.body);
}

async function lookup(provider, messageId, query = "") {
  const response = await relay.request("GET", `/v1/messages/${provider}/${encodeURIComponent(messageId)}${query}`, {
    headers: { Authorization: `Bearer ${READ_TOKEN}` },
  });
  assert.equal(response.status, 200, `${provider}/${messageId}: ${response.body}`);
  return { text: response.body, body: JSON.parse(response.body) };
}

/** Every key under `prefix` (all KV list pages), raw: name, metadata, expiration, value text. */
async function kvRaw(kv, prefix, { values = true } = {}) {
  const out = [];
  let cursor;
  do {
    const page = await kv.list({ prefix, cursor });
    for (const key of page.keys) {
      out.push({ name: key.name, metadata: key.metadata, expiration: key.expiration, value: values ? await kv.get(key.name) : undefined });
    }
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return out;
}

/** Waits for `count` queued events; each matches the schema, and KV holds exactly them. */
async function landed(count) {
  const messages = await relay.waitForMessages(count);
  assert.equal(messages.length, count, JSON.stringify(messages).slice(0, 600));
  const events = messages.map((message) => message.body);
  const kv = await kvContents(relay.kv);
  assert.deepEqual(Object.keys(kv).sort(), events.map(kvKey).sort(), "one KV key per event");
  for (const event of events) {
    assertValidEvent(event);
    assert.deepEqual(kv[kvKey(event)].value, event, "KV holds the event the queue carries");
  }
  return events;
}

/** Asserts state, final and error_code (`undefined`: any string or null) of a status report. */
function assertState(event, [state, final, errorCode], label) {
  assert.equal(event.type, "io.github.sms-relay.status_report", `${label}: ${JSON.stringify(event.data)}`);
  const { data } = event;
  assert.deepEqual(
    { state: data.state, final: data.final, ...(errorCode === undefined ? {} : { error_code: data.error_code }) },
    { state, final, ...(errorCode === undefined ? {} : { error_code: errorCode }) },
    label,
  );
  assert.ok(STATES.includes(data.state), label);
  assert.ok(data.error_code === null || typeof data.error_code === "string", `${label}: error_code ${data.error_code}`);
  assert.equal(data.delivered, state === "delivered" || state === "read", `${label}: delivered`);
}

const reportId = (report) => (typeof report === "string" ? report : report?.id);

// --- A. Every documented status onto state, final and error_code ---------------------------

test("Huawei: every documented status maps to its state, final and error_code in queue and KV", async () => {
  const cases = [
    ["DELIVRD", "delivered", true, null],
    ...["UNDELIV", "REJECTD", "DELETED", "MILIMIT", "KEYWORD", "BLACK", "E000628", "E200051", "MA:0001", "0042"].map((s) => [s, "failed", true, s]),
    ["EXPIRED", "expired", true, "EXPIRED"],
    ["MC:0001", "expired", true, "MC:0001"],
    ["ACCEPTD", "unknown", true, "ACCEPTD"],
    ["UNKNOWN", "unknown", true, "UNKNOWN"],
    ["NEWCODE", "unknown", false, "NEWCODE"],
  ];
  const entries = cases.map(([status], i) => ({ smsMsgId: `hw-state-${i}`, total: "1", sequence: "1", status, updateTime: T1 }));
  assert.equal((await huaweiBatch(entries)).status, 200);
  // One status the form way too, where `:` arrives percent-encoded.
  const form = new URLSearchParams({ smsMsgId: "hw-state-form", status: "MA:0001", total: "1", sequence: "1" }).toString();
  assert.equal((await relay.push("/huawei/reports", form, FORM)).status, 200);
  const events = await landed(cases.length + 1);
  const bySubject = Object.fromEntries(events.map((e) => [e.subject, e]));
  cases.forEach(([status, state, final, errorCode], i) => {
    const event = bySubject[`hw-state-${i}`];
    assert.ok(event, `an event for ${status}`);
    assert.equal(event.data.status, status, "status stays verbatim");
    assertState(event, [state, final, errorCode], `huawei ${status}`);
  });
  assert.equal(bySubject["hw-state-form"].data.status, "MA:0001");
  assertState(bySubject["hw-state-form"], ["failed", true, "MA:0001"], "huawei MA:0001 (form)");
});

test("Alibaba: success true is delivered, success false failed with err_code", async () => {
  const entries = [
    { ...ALIBABA_ENTRY, biz_id: "ali-ok" },
    { ...ALIBABA_ENTRY, biz_id: "ali-fail", success: false, err_code: "IS_CLOSE", err_msg: "用户关机" },
    { ...ALIBABA_ENTRY, biz_id: "ali-fail-2", success: false, err_code: "MOBILE_NOT_ON_SERVICE", err_msg: "停机" },
  ];
  assert.equal((await alibabaReports(entries)).status, 200);
  const bySubject = Object.fromEntries((await landed(3)).map((e) => [e.subject, e]));
  assertState(bySubject["ali-ok"], ["delivered", true, null], "alibaba success");
  assertState(bySubject["ali-fail"], ["failed", true, "IS_CLOSE"], "alibaba IS_CLOSE");
  assertState(bySubject["ali-fail-2"], ["failed", true, "MOBILE_NOT_ON_SERVICE"], "alibaba MOBILE_NOT_ON_SERVICE");
  assert.equal(bySubject["ali-fail"].data.status, "IS_CLOSE");
});

test("Tencent: SUCCESS is delivered, FAIL failed with errmsg", async () => {
  const entries = [
    { ...TENCENT_ENTRY, sid: "tc-ok" },
    { ...TENCENT_ENTRY, sid: "tc-fail", report_status: "FAIL", errmsg: "MT_DELIV_FAIL", description: "用户短信送达失败" },
  ];
  const response = await post(`/tencent/reports/${TENCENT_TOKEN}`, json, JSON.stringify(entries));
  assert.equal(response.status, 200, response.body);
  const bySubject = Object.fromEntries((await landed(2)).map((e) => [e.subject, e]));
  assertState(bySubject["tc-ok"], ["delivered", true, null], "tencent SUCCESS");
  assertState(bySubject["tc-fail"], ["failed", true, "MT_DELIV_FAIL"], "tencent FAIL");
});

test("Twilio: every MessageStatus maps to its state; ErrorCode is error_code, not extra; updated_at is null", async () => {
  const cases = [
    ["queued", "accepted", false], ["accepted", "accepted", false], ["scheduled", "accepted", false], ["sending", "accepted", false],
    ["sent", "sent", false], ["delivered", "delivered", true],
    ["undelivered", "failed", true, "30003"], ["failed", "failed", true, "30007"], ["canceled", "failed", true],
    ["read", "read", true], ["partially_delivered", "unknown", false],
  ];
  for (const [status, , , errorCode] of cases) {
    await sendTwilio(twilioStatus(twilioParams(`SMstate${status}`, status, errorCode ? { ErrorCode: errorCode } : {})));
  }
  const bySubject = Object.fromEntries((await landed(cases.length)).map((e) => [e.subject, e]));
  for (const [status, state, final, errorCode = null] of cases) {
    const event = bySubject[`SMstate${status}`];
    assert.ok(event, `an event for ${status}`);
    assert.equal(event.data.status, status);
    assertState(event, [state, final, errorCode], `twilio ${status}`);
    assert.ok(!("ErrorCode" in event.data.extra), `twilio ${status}: ErrorCode left extra`);
    assert.equal(event.data.updated_at, null, `twilio ${status}: updated_at`);
    assert.equal(event.time, event.data.received_at, `twilio ${status}: time is the receive time`);
  }
});

// --- B. Distinct reports, distinct ids -----------------------------------------------------

test("Alibaba: three recipients of one biz_id are three reports, across pushes too; a repeat keeps its id", async () => {
  const [a, b, c, d] = ["13800000001", "13800000002", "13800000003", "13800000004"].map((phone_number) => ({ ...ALIBABA_ENTRY, biz_id: "ali-multi", phone_number }));
  assert.equal((await alibabaReports([a, b, c])).status, 200);
  const first = await landed(3);
  assert.equal(new Set(first.map((e) => e.id)).size, 3, "three reports, three ids");
  assert.equal((await relay.kv.list({ prefix: "status/alibaba/ali-multi/" })).keys.length, 3);
  let found = (await lookup("alibaba", "ali-multi")).body;
  assert.deepEqual(found.reports.map((r) => r.id).sort(), first.map((e) => e.id).sort());

  assert.equal((await alibabaReports([b, d])).status, 200);
  const messages = (await relay.waitForMessages(5)).map((m) => m.body);
  assert.ok(messages.length >= 5, `the repeat is queued again: ${messages.length} messages`);
  const idOf = (events, phone) => events.find((e) => e.data.recipient === phone)?.id;
  assert.equal(idOf(messages.slice(3), b.phone_number), idOf(first, b.phone_number), "the same report again, the same id");
  assert.equal(new Set(messages.map((e) => e.id)).size, 4, "four recipients, four ids");
  const keys = (await relay.kv.list({ prefix: "status/alibaba/ali-multi/" })).keys.map((k) => k.name);
  assert.equal(keys.length, 4, JSON.stringify(keys));
  found = (await lookup("alibaba", "ali-multi")).body;
  assert.equal(found.reports.length, 4);
  assert.equal(new Set(found.reports.map((r) => r.id)).size, 4);
  assert.deepEqual(found.parts.map((p) => p.recipient).sort(), [a, b, c, d].map((e) => e.phone_number).sort(), "one part per recipient");
});

test("Tencent replies that differ only in sign are two uplinks; the same reply again keeps its id", async () => {
  const reply = JSON.parse(TENCENT_REPLY);
  const other = JSON.stringify({ ...reply, sign: "【另一个签名】" });
  for (const body of [TENCENT_REPLY, other]) {
    const response = await post(`/tencent/replies/${TENCENT_TOKEN}`, json, body);
    assert.equal(response.status, 200, response.body);
  }
  const events = await landed(2);
  assert.notEqual(events[0].id, events[1].id);
  assert.equal((await relay.kv.list({ prefix: "uplink/tencent/" })).keys.length, 2);

  assert.equal((await post(`/tencent/replies/${TENCENT_TOKEN}`, json, TENCENT_REPLY)).status, 200);
  const messages = await relay.waitForMessages(3);
  assert.ok(messages.length >= 3, `the repeat is queued again: ${messages.length} messages`);
  assert.equal(messages[2].body.id, events[0].id);
  assert.equal((await relay.kv.list({ prefix: "uplink/tencent/" })).keys.length, 2);
});

test("Alibaba uplinks without sequence_id that differ only in sign_name are two uplinks", async () => {
  const { sequence_id, ...uplink } = JSON.parse(ALIBABA_UPLINK)[0];
  assert.equal(sequence_id, 1234);
  for (const sign_name of ["【阿里云】", "【别的签名】", "【阿里云】"]) {
    const response = await post(`/alibaba/uplink/${ALIBABA_TOKEN}`, json, JSON.stringify([{ ...uplink, sign_name }]));
    assert.equal(response.status, 200, response.body);
  }
  const events = (await relay.waitForMessages(3)).map((m) => m.body);
  assert.ok(events.length >= 3, `${events.length} messages`);
  events.forEach(assertValidEvent);
  assert.deepEqual(events.map((e) => e.type), Array(3).fill("io.github.sms-relay.uplink"));
  assert.notEqual(events[0].id, events[1].id, "sign_name tells them apart");
  assert.equal(events[2].id, events[0].id, "the same uplink again, the same id");
  assert.equal((await relay.kv.list({ prefix: "uplink/alibaba/" })).keys.length, 2);
});

// --- C. A repeat changes nothing stored ----------------------------------------------------

test("the same signed Huawei push twice: KV value, metadata and lookup unchanged; queued again with the same id", async () => {
  const body = `smsMsgId=hw-repeat&status=DELIVRD&total=1&sequence=1&updateTime=${encodeURIComponent(T1)}`;
  const headers = signedPushHeaders({ url: new URL("/huawei/reports", relay.url).href, body, contentType: FORM, accessKey: "ak1", secretKey: KEYS.ak1 });
  const sentAt = Date.now();
  assert.equal((await relay.request("POST", "/huawei/reports", { headers, body })).status, 200);
  const [first] = await landed(1);
  const stored = await kvRaw(relay.kv, "status/huawei/hw-repeat/");
  assert.equal(stored.length, 1);
  assert.equal(stored[0].value, JSON.stringify(first), "KV holds the queued event");
  const answer = (await lookup("huawei", "hw-repeat")).text;

  await sleep(Math.max(0, sentAt + 1_100 - Date.now()));
  const again = await relay.request("POST", "/huawei/reports", { headers, body });
  assert.equal(again.status, 200, again.body);
  const messages = await relay.waitForMessages(2);
  assert.ok(messages.length >= 2, "the repeat is queued again");
  assert.deepEqual(new Set(messages.map((m) => m.body.id)), new Set([first.id]), "with the same id");
  assert.deepEqual(await kvRaw(relay.kv, "status/huawei/hw-repeat/"), stored, "KV value and metadata byte for byte");
  assert.equal((await lookup("huawei", "hw-repeat")).text, answer, "the lookup answers the same");
});

test("a Huawei report without updateTime pushed twice: KV value and lookup unchanged", async () => {
  const body = "smsMsgId=hw-repeat-no-time&status=EXPIRED&source=3";
  const sentAt = Date.now();
  assert.equal((await relay.push("/huawei/reports", body, FORM)).status, 200);
  const [first] = await landed(1);
  assertState(first, ["expired", true, "EXPIRED"], "EXPIRED without updateTime");
  assert.equal(first.time, first.data.received_at);
  const stored = await kvRaw(relay.kv, "status/huawei/hw-repeat-no-time/");
  const answer = (await lookup("huawei", "hw-repeat-no-time")).text;

  await sleep(Math.max(0, sentAt + 1_100 - Date.now()));
  assert.equal((await relay.push("/huawei/reports", body, FORM)).status, 200);
  const messages = await relay.waitForMessages(2);
  assert.ok(messages.length >= 2, "the repeat is queued again");
  assert.deepEqual(new Set(messages.map((m) => m.body.id)), new Set([first.id]), "with the same id");
  assert.deepEqual(await kvRaw(relay.kv, "status/huawei/hw-repeat-no-time/"), stored, "KV unchanged, received_at and time included");
  assert.equal((await lookup("huawei", "hw-repeat-no-time")).text, answer);
});

test("Twilio sent, delivered, then the same sent again: KV keeps the first two values; the message is delivered", async () => {
  const sid = "SMrepeatsentdelivered";
  const sent = twilioStatus(twilioParams(sid, "sent"));
  await sendTwilio(sent);
  await sleep(30);
  await sendTwilio(twilioStatus(twilioParams(sid, "delivered")));
  const [sentEvent, deliveredEvent] = await landed(2);
  assert.deepEqual([sentEvent.data.status, deliveredEvent.data.status], ["sent", "delivered"]);
  const stored = await kvRaw(relay.kv, `status/twilio/${sid}/`);
  assert.equal(stored.length, 2);

  await sleep(30);
  await sendTwilio(sent);
  const messages = await relay.waitForMessages(3);
  assert.ok(messages.length >= 3);
  assert.equal(messages[2].body.id, sentEvent.id, "the repeated callback has the first one's id");
  assert.deepEqual(await kvRaw(relay.kv, `status/twilio/${sid}/`), stored, "exactly the two values as first written");
  const found = (await lookup("twilio", sid)).body;
  assert.deepEqual([found.state, found.final], ["delivered", true], JSON.stringify(found));
  assert.equal(found.reports.length, 2);
  assert.equal(found.parts.length, 1);
  assert.equal(reportId(found.parts[0].report), deliveredEvent.id, "the part's report is the final one");
});

// --- D. The same bytes in every sink -------------------------------------------------------

/** A loopback backend that records every request's body and answers 204. */
async function startBackend() {
  const requests = [];
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      requests.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      response.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}/hooks/sms`, requests, close: () => new Promise((resolve) => server.close(resolve)) };
}

// Sits on the events queue between the relay's producer and its HTTP-delivery consumer: keeps
// each message body as the queue handed it over, and passes it on unchanged.
const TAP = `
const seen = [];
export default {
  async queue(batch, env) {
    for (const message of batch.messages) {
      seen.push({ type: typeof message.body, text: JSON.stringify(message.body) });
      await env.ONWARD.send(message.body, { contentType: "json" });
    }
    batch.ackAll();
  },
  async fetch() { return Response.json(seen); },
};`;

test("KV, the queue and HTTP delivery carry the same bytes: integer keys first, a huge number as its text", { timeout: 30_000 }, async () => {
  const backend = await startBackend();
  const mf = new Miniflare({
    handleRuntimeStdio: discardOutput,
    workers: [
      relayWorker({
        kvNamespaces: ["EVENTS_KV"],
        queueProducers: { EVENTS_QUEUE: "sms-events", DEAD_LETTER_QUEUE: "sms-events-dlq" },
        queueConsumers: { "sms-events-tapped": { maxBatchSize: 10, maxBatchTimeout: 0.05, maxRetries: 20 } },
        bindings: {
          READ_TOKEN, ALIBABA_TOKEN, FORWARD: "queue,kv,http", FORWARD_URL: backend.url,
          FORWARD_SECRET: "whsec_" + Buffer.from("states-test-secret-0123456789").toString("base64"),
          FORWARD_MAX_ATTEMPTS: "3", FORWARD_RETRY_BASE_SECS: "1", FORWARD_TIMEOUT_MS: "2000",
        },
      }),
      {
        name: "tap", modules: true, script: TAP, compatibilityDate: COMPATIBILITY_DATE,
        queueProducers: { ONWARD: "sms-events-tapped" },
        queueConsumers: { "sms-events": { maxBatchSize: 10, maxBatchTimeout: 0.05 } },
      },
    ],
  });
  try {
    const url = await mf.ready;
    const required = JSON.stringify({ ...ALIBABA_ENTRY, biz_id: "same-bytes" }).slice(0, -1);
    const body = `[${required},"10":"a","9":"b","x":{"2":1,"1":2,"b":3,"a":4},"big":1e99999999999999999999, "n":[{"20":0,"3":0}]}]`;
    const response = await mf.dispatchFetch(new URL(`/alibaba/reports/${ALIBABA_TOKEN}`, url), { method: "POST", headers: json, body });
    assert.equal(response.status, 200, await response.text());

    const deadline = Date.now() + 15_000;
    while (backend.requests.length === 0 && Date.now() < deadline) await sleep(50);
    assert.equal(backend.requests.length, 1, "one HTTP delivery");
    const kv = await mf.getKVNamespace("EVENTS_KV");
    const { keys } = await kv.list();
    assert.equal(keys.length, 1, JSON.stringify(keys));
    const kvText = await kv.get(keys[0].name);
    const tapped = await (await (await mf.getWorker("tap")).fetch("http://tap/")).json();
    assert.equal(tapped.length, 1);
    assert.equal(tapped[0].type, "object", "the queue carries a JSON object");

    const event = JSON.parse(kvText);
    assertValidEvent(event);
    assert.equal(event.type, "io.github.sms-relay.status_report", kvText);
    assert.equal(keys[0].name, kvKey(event));
    assert.equal(tapped[0].text, kvText, "the queue message is the KV value's bytes");
    assert.equal(backend.requests[0].body, kvText, "the HTTP body is the KV value's bytes");
    assert.equal(kvText, JSON.stringify(JSON.parse(kvText)), "KV holds what JavaScript prints");
    for (const part of ['"extra":{"9":"b","10":"a",', '"x":{"1":2,"2":1,', '"n":[{"3":0,"20":0}]']) {
      assert.ok(kvText.includes(part), `${part} in ${kvText}`);
    }
    assert.deepEqual(Object.keys(event.data.extra.x).slice(0, 2), ["1", "2"]);
    assert.equal(event.data.extra.big, "1e99999999999999999999", "the number kept as its text");
    assert.deepEqual([event.data.extra["9"], event.data.extra["10"]], ["b", "a"]);
  } finally {
    await mf.dispose();
    await backend.close();
  }
});

// --- E. The lookup: parts and the message's state -----------------------------------------

test("the lookup answers the message state, its parts and its reports", async () => {
  const part = (id, sequence, status, updateTime = T1, total = "2") => ({ smsMsgId: id, total, sequence: String(sequence), status, updateTime });
  // Part 1 only of 2: the missing part counts as sent.
  assert.equal((await huaweiBatch([part("agg-two", 1, "DELIVRD")])).status, 200);
  const [firstPart] = await landed(1);
  let found = (await lookup("huawei", "agg-two")).body;
  assert.deepEqual([found.provider, found.message_id, found.state, found.final, found.complete], ["huawei", "agg-two", "sent", false, true], JSON.stringify(found));
  for (const field of ["provider", "message_id", "state", "final", "updated_at", "parts", "reports", "complete"]) {
    assert.ok(field in found, `${field} in ${JSON.stringify(found)}`);
  }
  assert.deepEqual(found.reports, [{
    id: firstPart.id, segment: 1, recipient: null, status: "DELIVRD", state: "delivered", final: true, delivered: true,
    updated_at: T1, received_at: firstPart.data.received_at,
  }]);
  const reported = found.parts.find((p) => p.segment === 1);
  assert.ok(reported, JSON.stringify(found.parts));
  assert.deepEqual(
    { ...reported, report: reportId(reported.report) },
    { recipient: null, segment: 1, segments: 2, state: "delivered", final: true, updated_at: T1, report: firstPart.id },
  );
  assert.equal(found.cursor, undefined);

  assert.equal((await huaweiBatch([part("agg-two", 2, "DELIVRD", T2)])).status, 200);
  found = (await lookup("huawei", "agg-two")).body;
  assert.deepEqual([found.state, found.final, found.complete], ["delivered", true, true], JSON.stringify(found));
  assert.deepEqual(found.parts.map((p) => [p.segment, p.state, p.final]).sort(), [[1, "delivered", true], [2, "delivered", true]]);
  assert.equal(found.reports.length, 2);

  // One batch of messages whose parts combine in each of the ways the contract names.
  const cases = {
    "agg-failed": [[part("agg-failed", 1, "DELIVRD"), part("agg-failed", 2, "UNDELIV")], "failed", true],
    "agg-failed-open": [[part("agg-failed-open", 1, "UNDELIV")], "failed", false],
    "agg-expired": [[part("agg-expired", 1, "EXPIRED"), part("agg-expired", 2, "DELIVRD")], "expired", true],
    "agg-failed-over-expired": [[part("agg-failed-over-expired", 1, "EXPIRED"), part("agg-failed-over-expired", 2, "REJECTD")], "failed", true],
    "agg-unknown": [[part("agg-unknown", 1, "DELIVRD"), part("agg-unknown", 2, "UNKNOWN")], "unknown", true],
    "agg-open-unknown": [[part("agg-open-unknown", 1, "NEWCODE", T1, "1")], "unknown", false],
    // Final first: a later non-final report does not undo a delivered part.
    "agg-final-first": [[part("agg-final-first", 1, "DELIVRD", T1, "1"), part("agg-final-first", 1, "NEWCODE", T2, "1")], "delivered", true],
    // Then time: of two final reports, the later one.
    "agg-later": [[part("agg-later", 1, "DELIVRD", T2, "1"), part("agg-later", 1, "UNDELIV", T1, "1")], "delivered", true],
  };
  assert.equal((await huaweiBatch(Object.values(cases).flatMap(([entries]) => entries))).status, 200);
  for (const [id, [entries, state, final]] of Object.entries(cases)) {
    found = (await lookup("huawei", id)).body;
    assert.deepEqual([found.state, found.final], [state, final], `${id}: ${JSON.stringify(found)}`);
    assert.equal(found.reports.length, entries.length, id);
  }
  found = (await lookup("huawei", "agg-final-first")).body;
  assert.equal(found.parts.length, 1);
  assert.deepEqual([found.parts[0].state, found.parts[0].final], ["delivered", true]);
  assert.equal(reportId(found.parts[0].report), found.reports.find((r) => r.status === "DELIVRD").id);
  // Everything above reached both sinks, each event valid (and nothing is left in flight).
  await landed(2 + Object.values(cases).reduce((n, [entries]) => n + entries.length, 0));
});

test("the lookup answers exactly the documented fields", async () => {
  assert.equal((await huaweiBatch([{ smsMsgId: "shape", total: "2", sequence: "1", status: "DELIVRD", updateTime: T1 }])).status, 200);
  await landed(1);
  const found = (await lookup("huawei", "shape")).body;
  assert.deepEqual(Object.keys(found).sort(), ["complete", "final", "message_id", "missing_parts", "parts", "provider", "reports", "state", "updated_at"]);
  // Part 2 of 2 is announced but not reported yet: the message is still in flight.
  assert.deepEqual([found.state, found.final, found.missing_parts], ["sent", false, 1]);
});

test("the lookup's part report: final first, then time, whatever the arrival order; Twilio parts", async () => {
  // The later final report arrives first; the earlier one after it.
  const entry = (status, updateTime) => ({ smsMsgId: "agg-arrival", total: "1", sequence: "1", status, updateTime });
  assert.equal((await huaweiBatch([entry("DELIVRD", T2)])).status, 200);
  assert.equal((await huaweiBatch([entry("UNDELIV", T1)])).status, 200);
  let found = (await lookup("huawei", "agg-arrival")).body;
  assert.deepEqual([found.state, found.final, found.parts[0]?.state], ["delivered", true, "delivered"], JSON.stringify(found));

  // Twilio: delivered, then a late `sent`: still delivered. Delivered, then read: read.
  await sendTwilio(twilioStatus(twilioParams("SMlatesent", "delivered")));
  await sendTwilio(twilioStatus(twilioParams("SMlatesent", "sent")));
  await sendTwilio(twilioStatus(twilioParams("SMread", "delivered")));
  await sleep(5);
  await sendTwilio(twilioStatus(twilioParams("SMread", "read")));
  // Two recipients of one sid: accepted and sent; the lowest non-final state wins.
  await sendTwilio(twilioStatus(twilioParams("SMtwoparts", "queued", { To: "+15558675311" })));
  await sendTwilio(twilioStatus(twilioParams("SMtwoparts", "sent", { To: "+15558675312" })));
  await landed(8);
  found = (await lookup("twilio", "SMlatesent")).body;
  assert.deepEqual([found.state, found.final], ["delivered", true], JSON.stringify(found));
  found = (await lookup("twilio", "SMread")).body;
  assert.deepEqual([found.state, found.final], ["read", true], JSON.stringify(found));
  found = (await lookup("twilio", "SMtwoparts")).body;
  assert.deepEqual([found.state, found.final], ["accepted", false], JSON.stringify(found));
  assert.deepEqual(found.parts.map((p) => [p.recipient, p.state, p.final]).sort(), [["+15558675311", "accepted", false], ["+15558675312", "sent", false]]);
});

test("1,101 reports of one message: the lookup lists them all across KV pages", { timeout: 45_000 }, async () => {
  const big = await startRelay({ queue: false, bindings: { HUAWEI_PUSH_KEYS: `ak1:${KEYS.ak1}`, FORWARD: "kv" } });
  try {
    const total = 1101;
    const entries = Array.from({ length: total }, (_, i) => ({ smsMsgId: "agg-1101", total: String(total), sequence: String(i + 1), status: "DELIVRD", updateTime: T1 }));
    for (let start = 0; start < total; start += 100) {
      const response = await big.push("/huawei/reports", JSON.stringify({ statusReportList: entries.slice(start, start + 100) }), JSON_UTF8);
      assert.equal(response.status, 200, response.body);
    }
    assert.equal((await kvRaw(big.kv, "status/huawei/agg-1101/", { values: false })).length, total, "every report stored (more than one KV list page)");
    const response = await big.request("GET", "/v1/messages/huawei/agg-1101", { headers: { Authorization: `Bearer ${READ_TOKEN}` } });
    assert.equal(response.status, 200, response.body.slice(0, 300));
    const found = JSON.parse(response.body);
    assert.equal(found.reports.length, total);
    assert.equal(found.complete, true);
    assert.equal(found.cursor, undefined);
    assert.equal(new Set(found.reports.map((r) => r.id)).size, total, "distinct ids");
    assert.deepEqual(new Set(found.reports.map((r) => r.segment)).size, total);
    assert.deepEqual([found.state, found.final], ["delivered", true]);
    assert.equal(found.parts.length, total);
    assert.ok(found.parts.every((p) => p.state === "delivered" && p.final === true));
  } finally {
    await big.dispose();
  }
});

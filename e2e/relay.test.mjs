// End-to-end: the built worker in Miniflare with real KV and Queue simulations. Each test
// asserts the HTTP answer and exactly what reached the queue consumer and KV.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { startRelay, kvContents, kvKey, assertValidEvent, KEYS, READ_TOKEN } from "./harness.mjs";
import { FORM, JSON_UTF8, STATUS_REPORT, BATCH, UPLINK, STATUS_REPORT_EVENT } from "../scripts/huawei-samples.mjs";

const REPORTS = "/huawei/reports";
const UPLINK_PATH = "/huawei/uplink";
let relay;

before(async () => {
  relay = await startRelay({
    bindings: {
      HUAWEI_PUSH_KEYS: `ak1:${KEYS.ak1}\nak2:${KEYS.ak2}`,
      FORWARD: "queue,kv",
      KV_TTL_SECS: "3600",
      MAX_BODY_BYTES: "65536",
      LOG_REQUESTS: "all",
    },
  });
});
after(() => relay?.dispose());
beforeEach(async () => {
  await relay.resetSinks();
});

/** Asserts that nothing reached either sink. */
async function assertNothingForwarded() {
  assert.deepEqual(await relay.waitForMessages(0, { settleMs: 400 }), []);
  assert.deepEqual((await relay.kv.list()).keys, []);
}

function assertRecentTimestamp(text) {
  assert.match(text, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  assert.ok(Math.abs(Date.parse(text) - Date.now()) < 60_000, text);
}

test("a signed single status report lands once in the queue and in KV", async () => {
  const response = await relay.push(REPORTS, STATUS_REPORT, FORM);
  assert.equal(response.status, 200);
  assert.equal(response.body, "");

  const messages = await relay.waitForMessages(1);
  assert.equal(messages.length, 1);
  assert.equal(messages[0].type, "object", "consumers receive a JSON object, not a string");
  const event = messages[0].body;
  assertValidEvent(event);
  const { received_at, ...data } = event.data;
  assertRecentTimestamp(received_at);
  assert.match(event.id, /^[0-9a-f]{32}$/);
  // The golden event (tests/data/huawei/), as received now and signed by this test's key.
  const { received_at: _, ...golden } = STATUS_REPORT_EVENT.data;
  assert.deepEqual({ ...event, data }, {
    ...STATUS_REPORT_EVENT,
    data: { ...golden, auth: { scheme: "aksk", access_key: "ak1", key_index: 1 } },
  });

  const kv = await kvContents(relay.kv);
  const key = `status/huawei/b9d9b4fe-ad0e-4a2a-a2c7-445505b674ac_6/${event.id}`;
  assert.deepEqual(Object.keys(kv), [key]);
  const entry = kv[key];
  assert.deepEqual(entry.value, event);
  assert.deepEqual(entry.metadata, {
    type: "io.github.sms-relay.status_report",
    status: "DELIVRD",
    state: "delivered",
    final: true,
    delivered: true,
    segment: 1,
    segments: 1,
    time: "2018-04-13T06:31:46Z",
    received_at: event.data.received_at,
  });
  const ttl = entry.expiration - Date.now() / 1000;
  assert.ok(ttl > 3500 && ttl <= 3601, `KV_TTL_SECS applied, got ${ttl}`);
});

test("a signed batch yields one event per entry, mapped fields and extras intact", async () => {
  const response = await relay.push(REPORTS, BATCH, JSON_UTF8, { accessKey: "ak2" });
  assert.equal(response.status, 200);
  const messages = await relay.waitForMessages(3);
  assert.equal(messages.length, 3);
  const events = messages.map((message) => message.body);
  events.forEach(assertValidEvent);
  assert.deepEqual(events.map((e) => [e.subject, e.data.status, e.data.delivered, e.data.auth.access_key]), [
    ["b9d9b4fe-ad0e-4a2a-a2c7-445505b674ac_7", "DELIVRD", true, "ak2"],
    ["b9d9b4fe-ad0e-4a2a-a2c7-445505b674ac_8", "UNDELIV", false, "ak2"],
    ["b9d9b4fe-ad0e-4a2a-a2c7-445505b674ac_9", "EXPIRED", false, "ak2"],
  ]);
  const [, split, expired] = events;
  assert.equal(split.data.updated_at, "2018-04-13T06:31:47Z", "%3A-encoded updateTime decoded");
  assert.deepEqual([split.data.segment, split.data.segments, split.data.status_description], [2, 2, "user is busy"]);
  assert.deepEqual([split.data.extend, split.data.recipient], ["order-42", "+8615500000000"]);
  assert.equal(expired.data.updated_at, null);
  assert.equal(expired.data.report_source, "sms_platform");
  assert.deepEqual(expired.data.extra, { newField: "kept" });
  assert.equal(expired.time, expired.data.received_at, "without updateTime, time is the receive time");

  const kv = await kvContents(relay.kv);
  assert.deepEqual(Object.keys(kv).sort(), events.map(kvKey).sort());
  assert.deepEqual(kv[kvKey(split)].value, split);
  assert.equal(kv[kvKey(split)].metadata.segment, 2);
});

test("a signed uplink becomes an uplink event", async () => {
  const response = await relay.push(UPLINK_PATH, UPLINK, FORM);
  assert.equal(response.status, 200);
  const messages = await relay.waitForMessages(1);
  assert.equal(messages.length, 1);
  const event = messages[0].body;
  assertValidEvent(event);
  assert.equal(event.type, "io.github.sms-relay.uplink");
  assert.equal(event.subject, "9692b5be-c427-4525-8e73-cf4a6ac5b3f7");
  const { received_at, ...data } = event.data;
  assertRecentTimestamp(received_at);
  assert.deepEqual(data, {
    message_id: "9692b5be-c427-4525-8e73-cf4a6ac5b3f7",
    from: "+8615500000000",
    to: "201804131431201234",
    body: "你好 TD",
    created_at: null,
    auth: { scheme: "aksk", access_key: "ak1", key_index: 1 },
    extra: {},
  });
  const kv = await kvContents(relay.kv);
  assert.deepEqual(Object.keys(kv), [`uplink/huawei/${event.id}`]);
  assert.deepEqual(kv[`uplink/huawei/${event.id}`].metadata, {
    type: "io.github.sms-relay.uplink",
    time: event.time,
    received_at: event.data.received_at,
  });
});

test("a batch with unreadable entries forwards the good ones and each bad one as unparsed", async () => {
  const body = JSON.stringify({ statusReportList: [{ smsMsgId: "good-1", status: "DELIVRD" }, { status: "DELIVRD" }, "junk"] });
  const response = await relay.push(REPORTS, body, "application/json");
  assert.equal(response.status, 200);
  const events = (await relay.waitForMessages(3)).map((message) => message.body);
  events.forEach(assertValidEvent);
  assert.deepEqual(events.map((e) => e.type), [
    "io.github.sms-relay.status_report",
    "io.github.sms-relay.unparsed",
    "io.github.sms-relay.unparsed",
  ]);
  assert.deepEqual(events.slice(1).map((e) => [e.data.reason, e.data.body]), [
    ["missing_field: smsMsgId", '{"status":"DELIVRD"}'],
    ["entry_not_an_object", '"junk"'],
  ]);
  const keys = Object.keys(await kvContents(relay.kv)).sort();
  assert.deepEqual(keys, [`status/huawei/good-1/${events[0].id}`, `unparsed/huawei/${events[1].id}`, `unparsed/huawei/${events[2].id}`].sort());
});

test("authentic but unreadable input is answered 400 and still forwarded whole", async () => {
  const body = "smsMsgId=abc&status=DELIVRD&status=UNDELIV";
  const response = await relay.push(REPORTS, body, FORM);
  assert.equal(response.status, 400);
  assert.deepEqual(JSON.parse(response.body), { error: "duplicate_field", field: "status" });
  const messages = await relay.waitForMessages(1);
  assert.equal(messages.length, 1);
  const event = messages[0].body;
  assertValidEvent(event);
  assert.equal(event.type, "io.github.sms-relay.unparsed");
  assert.deepEqual(
    { ...event.data, received_at: undefined },
    { reason: "duplicate_field: status", endpoint: "reports", content_type: FORM, body, body_encoding: "utf8", received_at: undefined, auth: { scheme: "aksk", access_key: "ak1", key_index: 1 } },
  );
  assert.deepEqual(Object.keys(await kvContents(relay.kv)), [kvKey(event)]);
});

test("a non-UTF-8 body is forwarded as base64; an unknown media type answers 415", async () => {
  const body = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
  const response = await relay.push(UPLINK_PATH, body, "application/octet-stream");
  assert.equal(response.status, 415);
  assert.deepEqual(JSON.parse(response.body), { error: "unsupported_media_type" });
  const [message] = await relay.waitForMessages(1);
  assertValidEvent(message.body);
  assert.deepEqual([message.body.data.body, message.body.data.body_encoding, message.body.data.endpoint], [body.toString("base64"), "base64", "uplink"]);
});

test("a duplicate push yields the same event id and the same KV key", async () => {
  assert.equal((await relay.push(REPORTS, STATUS_REPORT, FORM)).status, 200);
  assert.equal((await relay.push(REPORTS, STATUS_REPORT, FORM, { accessKey: "ak2" })).status, 200);
  const messages = await relay.waitForMessages(2);
  assert.equal(messages.length, 2);
  assert.equal(messages[0].body.id, messages[1].body.id);
  assert.equal((await relay.kv.list()).keys.length, 1);
});

test("what an edge does to Connection and Content-Length does not break the signature", async () => {
  const { signedPushHeaders } = await import("../scripts/huawei-signer.mjs");
  const headers = signedPushHeaders({ url: new URL(REPORTS, relay.url).href, body: STATUS_REPORT, contentType: FORM, accessKey: "ak1", secretKey: KEYS.ak1 });
  // Signed with `close`, delivered with `Keep-Alive` as Cloudflare rewrites it, and chunked
  // (no Content-Length at all).
  delete headers["Content-Length"];
  const response = await relay.request("POST", REPORTS, { headers: { ...headers, Connection: "Keep-Alive", "Transfer-Encoding": "chunked" }, body: STATUS_REPORT });
  assert.equal(response.status, 200, response.body);
  assert.equal((await relay.waitForMessages(1)).length, 1);
});

test("unauthenticated pushes are refused with 401 and a short code, and nothing is forwarded", async () => {
  const cases = [
    [{}, "missing_signature"],
    [{ Authorization: "Bearer abc" }, "unsupported_algorithm"],
    [{ Authorization: "garbage" }, "malformed_authorization"],
    [{ Authorization: "SDK-HMAC-SHA256 Access=ak1" }, "malformed_authorization"],
  ];
  for (const [headers, code] of cases) {
    const response = await relay.request("POST", REPORTS, { headers: { "Content-Type": FORM, ...headers }, body: STATUS_REPORT });
    assert.equal(response.status, 401, code);
    assert.deepEqual(JSON.parse(response.body), { error: code });
  }
  const wrongKey = await relay.push(REPORTS, STATUS_REPORT, FORM, { accessKey: "ak1", secretKey: "not-the-secret" });
  assert.deepEqual([wrongKey.status, JSON.parse(wrongKey.body).error], [401, "signature_mismatch"]);
  const unknown = await relay.push(REPORTS, STATUS_REPORT, FORM, { accessKey: "ak9", secretKey: "x" });
  assert.deepEqual([unknown.status, JSON.parse(unknown.body).error], [401, "unknown_access_key"]);
  const stale = await relay.push(REPORTS, STATUS_REPORT, FORM, { date: new Date(Date.now() - 16 * 60_000) });
  assert.deepEqual([stale.status, JSON.parse(stale.body).error], [401, "clock_skew"]);
  const tampered = await relay.push(REPORTS, STATUS_REPORT, FORM, { extraHeaders: { "Content-Type": "application/json" } });
  assert.deepEqual([tampered.status, JSON.parse(tampered.body).error], [401, "signature_mismatch"]);
  await assertNothingForwarded();
});

test("routing, method, size and media type rejections", async () => {
  const notFound = await relay.request("POST", "/huawei/other", { body: "x" });
  assert.deepEqual([notFound.status, JSON.parse(notFound.body).error], [404, "not_found"]);
  const wrongMethod = await relay.request("GET", REPORTS);
  assert.deepEqual([wrongMethod.status, wrongMethod.headers.allow, JSON.parse(wrongMethod.body).error], [405, "POST", "method_not_allowed"]);
  const healthPost = await relay.request("POST", "/healthz", { body: "" });
  assert.deepEqual([healthPost.status, healthPost.headers.allow], [405, "GET, HEAD"]);

  // Over MAX_BODY_BYTES (64 KiB here): refused from Content-Length before the body is read…
  const big = "x".repeat(70_000);
  const declared = await relay.request("POST", REPORTS, { headers: { "Content-Type": FORM, "Content-Length": String(big.length) }, body: big });
  assert.deepEqual([declared.status, JSON.parse(declared.body).error], [413, "body_too_large"]);
  // …and while streaming when there is no Content-Length.
  const chunked = await relay.request("POST", REPORTS, { headers: { "Content-Type": FORM, "Transfer-Encoding": "chunked" }, body: big });
  assert.deepEqual([chunked.status, JSON.parse(chunked.body).error], [413, "body_too_large"]);
  await assertNothingForwarded();
});

test("a trailing slash on the callback path is accepted", async () => {
  const response = await relay.push(`${REPORTS}/`, STATUS_REPORT, FORM);
  assert.equal(response.status, 200);
  assert.equal((await relay.waitForMessages(1)).length, 1);
});

test("/healthz says only 'ready' in public, and the configuration with the read token, never a secret", async () => {
  const open = await relay.request("GET", "/healthz");
  assert.equal(open.status, 200);
  assert.equal(open.headers["content-type"], "application/json");
  assert.deepEqual(JSON.parse(open.body), { service: "sms-relay", ready: true, providers: ["huawei"], invalid_settings: [] });
  const wrong = await relay.request("GET", "/healthz", { headers: { Authorization: "Bearer not-the-read-token-000" } });
  assert.deepEqual(JSON.parse(wrong.body), JSON.parse(open.body));
  const response = await relay.request("GET", "/healthz", { headers: { Authorization: `Bearer ${READ_TOKEN}` } });
  assert.equal(response.status, 200);
  const health = JSON.parse(response.body);
  assert.deepEqual(health, {
    service: "sms-relay",
    version: health.version,
    ready: true,
    config_valid: true,
    providers: ["huawei"],
    auth_mode: "aksk",
    access_keys: 2,
    ingest_token: false,
    twilio_auth_tokens: 0,
    credentials: { HUAWEI_PUSH_KEYS: 2, INGEST_TOKEN: 0 },
    allowed_ip_ranges: null,
    sinks: ["queue", "kv"],
    max_clock_skew_secs: 900,
    max_body_bytes: 65536,
    http_delivery: null,
    errors: [],
    warnings: [],
  });
  assert.match(health.version, /^\d+\.\d+\.\d+/);
  for (const secret of [...Object.values(KEYS), READ_TOKEN]) assert.ok(!response.body.includes(secret));
});

test("with LOG_REQUESTS=all each request logs one JSON line without secrets, bodies or phone numbers", async () => {
  const before = relay.requestLogs().length;
  assert.equal((await relay.push(UPLINK_PATH, UPLINK, FORM, { accessKey: "ak2" })).status, 200);
  assert.equal((await relay.request("POST", REPORTS, { headers: { "Content-Type": FORM }, body: STATUS_REPORT })).status, 401);
  await relay.waitForMessages(1);
  const lines = relay.requestLogs().slice(before);
  assert.equal(lines.length, 2, JSON.stringify(lines));
  const [stored, refused] = lines;
  const [uplink] = await relay.waitForMessages(1);
  assert.deepEqual({ ...stored, duration_ms: 0 }, { route: "huawei/uplink", method: "POST", status: 200, outcome: "ok", events: 1, access_key: "ak2", duration_ms: 0, event_ids: [uplink.body.id], message_ids: [uplink.body.data.message_id] });
  assert.ok(Number.isInteger(stored.duration_ms) && stored.duration_ms >= 0);
  assert.deepEqual([refused.route, refused.status, refused.outcome, refused.events], ["huawei/reports", 401, "missing_signature", 0]);
  const text = JSON.stringify(lines);
  for (const secret of [...Object.values(KEYS), "+8615500000000", "8615500000000", "你好"]) assert.ok(!text.includes(secret), secret);
});

test("GET /v1/messages/<provider>/<id> lists a message's status reports from KV, oldest first, with the read token", async () => {
  const segments = [
    { smsMsgId: "lookup-1", sequence: "1", total: "2", status: "DELIVRD", updateTime: "2018-04-13T06:31:46Z" },
    { smsMsgId: "lookup-1", sequence: "2", total: "2", status: "UNDELIV", updateTime: "2018-04-13T06:31:47Z" },
  ];
  assert.equal((await relay.push(REPORTS, JSON.stringify({ statusReportList: segments }), JSON_UTF8)).status, 200);
  const bearer = { Authorization: `Bearer ${READ_TOKEN}` };
  const [first, second] = (await relay.waitForMessages(2)).map((message) => message.body);
  const found = await relay.request("GET", "/v1/messages/huawei/lookup-1", { headers: bearer });
  assert.equal(found.status, 200, found.body);
  const report = (event, segment, status, state, delivered, updated_at) => ({
    id: event.id, segment, recipient: null, status, state, final: true, delivered, updated_at, received_at: event.data.received_at,
  });
  assert.deepEqual(JSON.parse(found.body), {
    provider: "huawei",
    message_id: "lookup-1",
    // One part failed: so has the message.
    state: "failed",
    final: true,
    updated_at: "2018-04-13T06:31:47Z",
    parts: [
      { recipient: null, segment: 1, segments: 2, state: "delivered", final: true, updated_at: "2018-04-13T06:31:46Z", report: first.id },
      { recipient: null, segment: 2, segments: 2, state: "failed", final: true, updated_at: "2018-04-13T06:31:47Z", report: second.id },
    ],
    missing_parts: 0,
    reports: [
      report(first, 1, "DELIVRD", "delivered", true, "2018-04-13T06:31:46Z"),
      report(second, 2, "UNDELIV", "failed", false, "2018-04-13T06:31:47Z"),
    ],
    complete: true,
  });
  // A later report of the same segment is listed beside the earlier one, never lost to it,
  // whatever order the two arrive in.
  const later = { ...segments[1], status: "DELIVRD", updateTime: "2018-04-13T07:00:00Z" };
  assert.equal((await relay.push(REPORTS, JSON.stringify({ statusReportList: [later] }), JSON_UTF8)).status, 200);
  const again = JSON.parse((await relay.request("GET", "/v1/messages/huawei/lookup-1", { headers: bearer })).body);
  assert.equal(again.reports.length, 3);
  assert.deepEqual(
    { ...again.reports[2], id: undefined, received_at: undefined },
    { id: undefined, segment: 2, recipient: null, status: "DELIVRD", state: "delivered", final: true, delivered: true, updated_at: "2018-04-13T07:00:00Z", received_at: undefined },
  );
  // Both finals: the vendor's later time decides, so the message is now delivered.
  assert.deepEqual([again.state, again.final, again.parts[1].report], ["delivered", true, again.reports[2].id]);

  const answer = async (path, headers = bearer) => {
    const response = await relay.request("GET", path, { headers });
    return [response.status, JSON.parse(response.body).error];
  };
  assert.deepEqual(await answer("/v1/messages/huawei/nothing-stored"), [404, "not_found"]);
  assert.deepEqual(await answer("/v1/messages/alibaba/lookup-1"), [404, "not_found"], "another provider's key space");
  assert.deepEqual(await answer("/v1/messages/huawei/lookup-1", {}), [401, "missing_token"]);
  assert.deepEqual(await answer("/v1/messages/huawei/lookup-1", { Authorization: "Bearer wrong-wrong-wrong-wrong" }), [401, "invalid_token"]);
  const logged = JSON.stringify(relay.structuredLogs());
  assert.ok(!logged.includes(READ_TOKEN), "the read token is never logged");
});

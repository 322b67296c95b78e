// Hostile input against the built worker: every case asserts the status, the JSON error code
// and exactly what was forwarded — nothing for a rejected request, one `unparsed` event for a
// signed but malformed payload. No case may answer 5xx or take the isolate down.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { startRelay, kvContents, kvKey, assertValidEvent, KEYS } from "./harness.mjs";
import { signedPushHeaders, sdkDate } from "../scripts/huawei-signer.mjs";
import { FORM, STATUS_REPORT } from "../scripts/huawei-samples.mjs";

const REPORTS = "/huawei/reports";
const LIMIT = 92_928;
let relay;

before(async () => {
  relay = await startRelay({
    bindings: { HUAWEI_PUSH_KEYS: `ak1:${KEYS.ak1}`, FORWARD: "queue,kv", MAX_BODY_BYTES: String(LIMIT) },
  });
});
after(() => relay?.dispose());
beforeEach(async () => {
  await relay.resetSinks();
});

async function forwarded() {
  const messages = await relay.waitForMessages(0, { settleMs: 400 });
  return { messages: messages.map((m) => m.body), kv: await kvContents(relay.kv) };
}

async function assertNothingForwarded() {
  const { messages, kv } = await forwarded();
  assert.deepEqual(messages, []);
  assert.deepEqual(kv, {});
}

/** Exactly one unparsed event with this reason, in the queue and in KV. */
async function assertOneUnparsed(reason, body) {
  const messages = await relay.waitForMessages(1, { settleMs: 400 });
  assert.equal(messages.length, 1, JSON.stringify(messages).slice(0, 300));
  const event = messages[0].body;
  assertValidEvent(event);
  assert.equal(event.type, "io.github.sms-relay.unparsed");
  assert.equal(event.data.reason, reason);
  if (body !== undefined) assert.equal(event.data.body, body);
  assert.deepEqual(Object.keys(await kvContents(relay.kv)), [kvKey(event)]);
}

function assertError(response, status, code) {
  assert.equal(response.status, status, response.body);
  assert.deepEqual(JSON.parse(response.body), { error: code });
}

/** Writes raw bytes to the relay and returns the first response's status line code. */
function raw(bytes) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(relay.url.port), "127.0.0.1");
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      const match = received.match(/^HTTP\/1\.1 (\d{3})/);
      if (match && received.includes("\r\n\r\n")) {
        socket.destroy();
        resolve(Number(match[1]));
      }
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(received.match(/^HTTP\/1\.1 (\d{3})/)?.[1] ? Number(received.slice(9, 12)) : "closed"));
    socket.end(bytes);
  });
}

test("a body far over the limit is refused with and without Content-Length", async () => {
  const big = "x".repeat(LIMIT * 4);
  assertError(await relay.request("POST", REPORTS, { headers: { "Content-Type": FORM, "Content-Length": String(big.length) }, body: big }), 413, "body_too_large");
  assertError(await relay.request("POST", REPORTS, { headers: { "Content-Type": FORM, "Transfer-Encoding": "chunked" }, body: big }), 413, "body_too_large");
  await assertNothingForwarded();
});

test("a lying Content-Length never gets a forged body through", async () => {
  const headers = signedPushHeaders({ url: new URL(REPORTS, relay.url).href, body: STATUS_REPORT, contentType: FORM, accessKey: "ak1", secretKey: KEYS.ak1 });
  const lines = (length) =>
    Object.entries({ ...headers, "Content-Length": String(length), Connection: "close" }).map(([k, v]) => `${k}: ${v}`).join("\r\n");
  // Shorter than the body: only a prefix is read, and it does not match the signature.
  const short = await raw(`POST ${REPORTS} HTTP/1.1\r\n${lines(40)}\r\n\r\n${STATUS_REPORT}`);
  assert.equal(short, 401);
  // Longer than the body, then the connection ends: the body never completes.
  const long = await raw(`POST ${REPORTS} HTTP/1.1\r\n${lines(STATUS_REPORT.length + 500)}\r\n\r\n${STATUS_REPORT}`);
  assert.ok(long === "closed" || (long >= 400 && long < 500), `got ${long}`);
  await assertNothingForwarded();
});

test("invalid UTF-8 and overlong percent-escapes are kept as unparsed events", async () => {
  for (const body of ["smsMsgId=a&status=%FF%FE", "smsMsgId=%C0%AFetc&status=DELIVRD"]) {
    await relay.resetSinks();
    assertError(await relay.push(REPORTS, body, FORM), 400, "invalid_utf8");
    await assertOneUnparsed("invalid_utf8", body);
  }
});

test("duplicate fields: neither wins, the body is kept unparsed", async () => {
  const body = "smsMsgId=a&status=DELIVRD&status=UNDELIV";
  const answer = await relay.push(REPORTS, body, FORM);
  assert.equal(answer.status, 400);
  assert.deepEqual(JSON.parse(answer.body), { error: "duplicate_field", field: "status" });
  await assertOneUnparsed("duplicate_field: status", body);
});

test("10,000 fields are refused as one unparsed event, not 10,000 comparisons each", async () => {
  const body = Array.from({ length: 10_000 }, (_, i) => `f${i}=1`).join("&");
  assertError(await relay.push(REPORTS, body, FORM), 400, "too_many_fields");
  await assertOneUnparsed("too_many_fields", body);
});

test("a batch of 10,000 entries is kept whole as one unparsed event", async () => {
  const body = JSON.stringify({ statusReportList: Array.from({ length: 10_000 }, () => ({})) });
  assertError(await relay.push(REPORTS, body, "application/json"), 400, "batch_too_large");
  await assertOneUnparsed("batch_too_large", body);
});

test("deeply nested JSON is skipped over, not recursed into", async () => {
  // 5,000 levels inside one entry: the entry is kept verbatim as unparsed, the push answered 200.
  const entry = `${"[".repeat(5_000)}${"]".repeat(5_000)}`;
  const body = `{"statusReportList":[${entry}]}`;
  assert.equal((await relay.push(REPORTS, body, "application/json")).status, 200);
  await assertOneUnparsed("entry_not_an_object", entry);
  // Unbalanced nesting is not JSON at all.
  await relay.resetSinks();
  const broken = `{"statusReportList":[${"[".repeat(5_000)}]}`;
  assertError(await relay.push(REPORTS, broken, "application/json"), 400, "malformed_json");
  await assertOneUnparsed("malformed_json", broken);
});

test("JSON that is an array, a string, null, or has no list is not a batch", async () => {
  for (const body of ["[]", '"statusReportList"', "null", '{"statusReportList":{"smsMsgId":"a"}}', '{"statusReportList":"x"}']) {
    await relay.resetSinks();
    assertError(await relay.push(REPORTS, body, "application/json"), 400, "not_a_batch");
    await assertOneUnparsed("not_a_batch", body);
  }
});

test("a message id long enough to overflow a KV key is kept unparsed, not a sink failure", async () => {
  // KV keys are limited to 512 bytes; ids are capped at 256 so `status/<provider>/<id>/<event id>` fits.
  const body = `smsMsgId=${"m".repeat(600)}&status=DELIVRD`;
  const answer = await relay.push(REPORTS, body, FORM);
  assert.equal(answer.status, 400);
  assert.deepEqual(JSON.parse(answer.body), { error: "invalid_field", field: "smsMsgId" }, "the answer names the field");
  await assertOneUnparsed("invalid_field: smsMsgId", body);
});

test("numbers where strings belong are read as their text", async () => {
  const body = JSON.stringify({ statusReportList: [{ smsMsgId: 12345, status: "DELIVRD", total: 2, sequence: 1 }] });
  assert.equal((await relay.push(REPORTS, body, "application/json")).status, 200);
  const [message] = await relay.waitForMessages(1);
  assertValidEvent(message.body);
  assert.deepEqual([message.body.data.message_id, message.body.data.segments], ["12345", 2]);
});

test("header values with control characters never reach the relay's logic", async () => {
  const status = await raw(`POST ${REPORTS} HTTP/1.1\r\nHost: x\r\nX-Sdk-Date: 2024\x01\x02\r\nContent-Type: ${FORM}\r\nContent-Length: ${STATUS_REPORT.length}\r\nConnection: close\r\n\r\n${STATUS_REPORT}`);
  assert.ok(status === "closed" || (status >= 400 && status < 500), `got ${status}`);
  await assertNothingForwarded();
});

test("a 100 KB Authorization header and repeated Authorization headers are refused", async () => {
  const huge = await relay.request("POST", REPORTS, { headers: { "Content-Type": FORM, Authorization: `SDK-HMAC-SHA256 Access=${"a".repeat(100_000)}` }, body: STATUS_REPORT });
  assert.ok(huge.status >= 400 && huge.status < 500, `got ${huge.status}`);
  const signed = signedPushHeaders({ url: new URL(REPORTS, relay.url).href, body: STATUS_REPORT, contentType: FORM, accessKey: "ak1", secretKey: KEYS.ak1 });
  const twice = await relay.request("POST", REPORTS, { headers: { ...signed, Authorization: [signed.Authorization, signed.Authorization] }, body: STATUS_REPORT });
  assertError(twice, 401, "malformed_authorization");
  await assertNothingForwarded();
});

test("X-Sdk-Date in other formats is refused even when signed", async () => {
  for (const date of ["2024-12-12T07:06:53Z", String(Math.floor(Date.now() / 1000)), new Date().toUTCString(), sdkDate().toLowerCase()]) {
    const url = new URL(REPORTS, relay.url).href;
    const headers = signedPushHeaders({ url, body: STATUS_REPORT, contentType: FORM, accessKey: "ak1", secretKey: KEYS.ak1 });
    headers["X-Sdk-Date"] = date;
    const { signatureFor } = await import("../scripts/huawei-signer.mjs");
    const signedHeaders = "connection;content-length;content-type;host;x-sdk-date";
    const { signature } = signatureFor({ method: "POST", path: REPORTS, headers, body: STATUS_REPORT, secretKey: KEYS.ak1, signedHeaders });
    headers.Authorization = `SDK-HMAC-SHA256 Access=ak1, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    assertError(await relay.request("POST", REPORTS, { headers, body: STATUS_REPORT }), 401, "malformed_sdk_date");
  }
  await assertNothingForwarded();
});

test("a replayed signature with a different body is refused", async () => {
  const headers = signedPushHeaders({ url: new URL(REPORTS, relay.url).href, body: STATUS_REPORT, contentType: FORM, accessKey: "ak1", secretKey: KEYS.ak1 });
  const forged = STATUS_REPORT.replace("DELIVRD", "UNDELIV");
  assertError(await relay.request("POST", REPORTS, { headers, body: forged }), 401, "signature_mismatch");
  await assertNothingForwarded();
});

test("paths with .., %2F and double slashes do not reach a callback", async () => {
  for (const path of ["/huawei/reports/../../huawei/x", "/huawei%2Freports", "/huawei/reports%2F..%2Fx", "//huawei/reports", "/huawei//reports", "/huawei/reports/a/b", "/huawei/./reports/.."]) {
    const status = await raw(`POST ${path} HTTP/1.1\r\nHost: relay.test\r\nContent-Type: ${FORM}\r\nContent-Length: ${STATUS_REPORT.length}\r\nConnection: close\r\n\r\n${STATUS_REPORT}`);
    assert.ok([400, 401, 404].includes(status), `${path}: ${status}`);
  }
  await assertNothingForwarded();
});

test("after all of that the isolate is healthy and never panicked", async () => {
  assert.equal((await relay.push(REPORTS, STATUS_REPORT, FORM)).status, 200);
  assert.equal((await relay.waitForMessages(1)).length, 1);
  const logs = relay.structuredLogs();
  assert.ok(logs.length > 20);
  assert.ok(logs.every((line) => line.status === undefined || line.status < 500), JSON.stringify(logs.filter((l) => l.status >= 500)));
});

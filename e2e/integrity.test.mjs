// Nothing lost, nothing altered: every reproduction from the integrity issue, through the built
// worker with real Queue and KV. Each case checks the answer and exactly what landed in both
// sinks; every event must satisfy the published schema.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { startRelay, kvContents, kvReports, assertValidEvent, KEYS } from "./harness.mjs";
import { signatureFor, sdkDate } from "../scripts/huawei-signer.mjs";
import { FORM, JSON_UTF8, STATUS_REPORT } from "../scripts/huawei-samples.mjs";

const REPORTS = "/huawei/reports";
// The largest body the queue can hold whole (see the README's limits).
/** Input bytes one unparsed event in one queue message holds. */
const QUEUE_CEILING = 92_928;
/** The largest MAX_BODY_BYTES with the queue: 16 pieces of QUEUE_CEILING. */
const QUEUE_BODY_CEILING = 16 * QUEUE_CEILING;
let relay;

before(async () => {
  relay = await startRelay({
    bindings: { HUAWEI_PUSH_KEYS: `ak1:${KEYS.ak1}`, FORWARD: "queue,kv", MAX_BODY_BYTES: String(QUEUE_CEILING) },
  });
});
after(() => relay?.dispose());
beforeEach(async () => {
  await relay.resetSinks();
});

/** Every event the queue got, and every KV entry; asserts both hold the same events. */
async function landed(count) {
  const messages = (await relay.waitForMessages(count)).map((m) => m.body);
  for (const event of messages) assertValidEvent(event);
  const kv = await kvContents(relay.kv);
  const kvEvents = Object.values(kv).map((entry) => entry.value);
  const byId = (events) => Object.fromEntries(events.map((e) => [e.id, e]));
  assert.deepEqual(byId(kvEvents), byId(messages), "the queue and KV hold the same events");
  return { messages, kv };
}

test("one entry's 2,000-character status does not fail the batch: both entries stored", async () => {
  const body = JSON.stringify({
    statusReportList: [
      { smsMsgId: "long-status", status: "S".repeat(2000) },
      { smsMsgId: "fine", status: "DELIVRD" },
    ],
  });
  assert.equal((await relay.push(REPORTS, body, JSON_UTF8)).status, 200);
  const { messages, kv } = await landed(2);
  assert.equal(messages.length, 2);
  const [long] = await kvReports(relay.kv, "long-status");
  assert.equal(long.value.data.status, "S".repeat(2000), "the value keeps it whole");
  assert.equal(long.metadata.status, undefined, "metadata leaves it out");
  assert.equal((await kvReports(relay.kv, "fine"))[0].metadata.status, "DELIVRD");
  assert.equal(Object.keys(kv).length, 2);
});

test("a valid report whose field escapes past 128 KB is kept whole as its bytes", async () => {
  const body = `smsMsgId=big&status=DELIVRD&extend=${"%01".repeat(30_000)}`;
  assert.equal((await relay.push(REPORTS, body, FORM)).status, 200);
  const { messages } = await landed(1);
  assert.equal(messages.length, 1);
  const [event] = messages;
  assert.equal(event.type, "io.github.sms-relay.unparsed");
  assert.equal(event.data.reason, "event_too_large");
  assert.equal(Buffer.from(event.data.body, event.data.body_encoding === "base64" ? "base64" : "utf8").toString(), body);
});

test("the largest body, non-UTF-8, is stored whole; one byte more is refused before any write", async () => {
  const bytes = Buffer.alloc(QUEUE_CEILING, 0xff);
  assert.equal((await relay.push(REPORTS, bytes, FORM)).status, 400);
  const { messages } = await landed(1);
  assert.equal(messages[0].data.body_encoding, "base64");
  assert.ok(Buffer.from(messages[0].data.body, "base64").equals(bytes));

  await relay.resetSinks();
  const over = await relay.push(REPORTS, Buffer.alloc(QUEUE_CEILING + 1, 0xff), FORM);
  assert.deepEqual([over.status, JSON.parse(over.body).error], [413, "body_too_large"]);
  assert.deepEqual(await relay.waitForMessages(0), []);
  assert.deepEqual(await kvContents(relay.kv), {});
});

test("a body too large for one event is kept in pieces that join to it, in both sinks", async () => {
  const big = await startRelay({ bindings: { HUAWEI_PUSH_KEYS: `ak1:${KEYS.ak1}`, FORWARD: "queue,kv", MAX_BODY_BYTES: String(QUEUE_BODY_CEILING) } });
  try {
    const bytes = Buffer.alloc(3 * QUEUE_CEILING + 11);
    for (let i = 0; i < bytes.length; i++) bytes[i] = 0x80 + (i % 127);
    const answered = await big.push(REPORTS, bytes, FORM);
    assert.deepEqual([answered.status, JSON.parse(answered.body).error], [400, "invalid_utf8"]);
    const messages = (await big.waitForMessages(4)).map((m) => m.body);
    assert.equal(messages.length, 4);
    const pieces = messages.sort((a, b) => a.data.part - b.data.part);
    const whole = createHash("sha256").update(bytes).digest("hex");
    for (const [n, piece] of pieces.entries()) {
      assertValidEvent(piece);
      assert.deepEqual([piece.data.part, piece.data.parts, piece.data.whole_sha256, piece.data.reason], [n + 1, 4, whole, "invalid_utf8"]);
    }
    const joined = Buffer.concat(pieces.map((p) => Buffer.from(p.data.body, p.data.body_encoding === "base64" ? "base64" : "utf8")));
    assert.ok(joined.equals(bytes), "the pieces join to the body");
    const kv = await kvContents(big.kv);
    assert.deepEqual(Object.keys(kv).sort(), pieces.map((p) => `unparsed/huawei/${p.id}`).sort());
    const over = await big.push(REPORTS, Buffer.alloc(QUEUE_BODY_CEILING + 1, 0xff), FORM);
    assert.deepEqual([over.status, JSON.parse(over.body).error], [413, "body_too_large"]);
  } finally {
    await big.dispose();
  }
});

test("inputs that collided before get distinct ids in both sinks", async () => {
  for (const body of ["smsMsgId=A&status=1%00X", "smsMsgId=A%001&status=X"]) {
    assert.equal((await relay.push(REPORTS, body, FORM)).status, 200);
  }
  for (const body of [Buffer.from([0xff, 0xff, 0xff]), "////"]) {
    assert.equal((await relay.push(REPORTS, body, "application/json")).status, 400);
  }
  const { messages, kv } = await landed(4);
  assert.equal(messages.length, 4);
  assert.equal(new Set(messages.map((e) => e.id)).size, 4, "four inputs, four ids");
  assert.equal(Object.keys(kv).length, 4);
});

test("numbers a JS number cannot hold reach queue, KV and every consumer as their literal text", async () => {
  const body = `{"statusReportList":[{"smsMsgId":"n","status":"DELIVRD","big":12345678901234567891,"huge":1e999,"tiny":1e-400,"exact":1E20,"nested":{"x":[0.10, -0]}}]}`;
  assert.equal((await relay.push(REPORTS, body, JSON_UTF8)).status, 200);
  const { messages } = await landed(1);
  assert.deepEqual(messages[0].data.extra, {
    big: "12345678901234567891",
    huge: "1e999",
    tiny: "1e-400",
    exact: 100000000000000000000,
    nested: { x: [0.1, 0] },
  });
  // Byte for byte: what KV stores is what the queue's JSON round trip prints.
  const stored = await relay.kv.get((await kvReports(relay.kv, "n"))[0].key);
  assert.equal(stored, JSON.stringify(JSON.parse(stored)));
  assert.equal(stored, JSON.stringify(messages[0]));
});

test("updateTime keeps its fraction; impossible offsets and leap seconds are kept unparsed", async () => {
  const at = (updateTime) => `smsMsgId=t&status=DELIVRD&updateTime=${encodeURIComponent(updateTime)}`;
  assert.equal((await relay.push(REPORTS, at("2018-04-13T06:31:46.250Z"), FORM)).status, 200);
  let { messages } = await landed(1);
  assert.equal(messages[0].data.updated_at, "2018-04-13T06:31:46.250Z");
  assert.equal(messages[0].time, "2018-04-13T06:31:46.250Z");
  for (const bad of ["2018-04-13T06:31:46+99:99", "2018-04-13T06:31:60Z"]) {
    await relay.resetSinks();
    assert.equal((await relay.push(REPORTS, at(bad), FORM)).status, 400);
    ({ messages } = await landed(1));
    assert.equal(messages[0].data.reason, "invalid_field: updateTime");
  }
});

test("field names the schema cannot hold leave the reason, not the event", async () => {
  for (const body of ["=1&=2", "a%0Ab=1&a%0Ab=2"]) {
    await relay.resetSinks();
    assert.equal((await relay.push(REPORTS, body, FORM)).status, 400);
    const { messages } = await landed(1);
    assert.equal(messages[0].data.reason, "duplicate_field");
    assert.equal(messages[0].data.body, body);
  }
});

/** A push signed over exactly `signedHeaders`, dated `date`. */
function signedOver(signedHeaders, { host = new URL(relay.url).host, date = new Date() } = {}) {
  const body = STATUS_REPORT;
  const headers = { Connection: "close", "Content-Length": String(body.length), "Content-Type": FORM, Host: host, "X-Sdk-Date": sdkDate(date) };
  const { signature } = signatureFor({ method: "POST", path: REPORTS, headers, body, secretKey: KEYS.ak1, signedHeaders });
  headers.Authorization = `SDK-HMAC-SHA256 Access=ak1, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return relay.request("POST", REPORTS, { headers, body });
}

test("a signature must cover host, or any Host would verify", async () => {
  const response = await signedOver("content-type;x-sdk-date", { host: "elsewhere.example" });
  assert.deepEqual([response.status, JSON.parse(response.body).error], [401, "host_not_signed"]);
  assert.deepEqual(await relay.waitForMessages(0), []);
  assert.deepEqual(await kvContents(relay.kv), {});
});

test("the clock-skew window is kept to the millisecond", async () => {
  // X-Sdk-Date has whole seconds: 900 s before the current second is 900.x s ago.
  while (Date.now() % 1000 < 50 || Date.now() % 1000 > 900) await new Promise((r) => setTimeout(r, 20));
  const date = new Date(Math.floor(Date.now() / 1000) * 1000 - 900_000);
  const response = await signedOver("connection;content-length;content-type;host;x-sdk-date", { date });
  assert.deepEqual([response.status, JSON.parse(response.body).error], [401, "clock_skew"]);
});

/** /healthz of a relay started with `bindings`. */
async function healthOf(bindings) {
  const other = await startRelay({ bindings, delivery: bindings.FORWARD === "http" });
  try {
    return await other.health();
  } finally {
    await other.dispose();
  }
}

test("settings that looked valid but were not are configuration errors", async () => {
  const cases = [
    [{ HUAWEI_PUSH_KEYS: ",", ALLOW_UNSIGNED: "true" }, "HUAWEI_PUSH_KEYS"],
    [{ ALLOW_UNSIGNED: "true", FORWARD: "http", FORWARD_URL: "http://evil.example\\@localhost/hook", FORWARD_SECRET: "whsec_c2VjcmV0LW9uZQ==" }, "FORWARD_URL"],
    [{ ALLOW_UNSIGNED: "true", ALLOWED_IPS: "10.0.0.0/08" }, "ALLOWED_IPS"],
    [{ ALLOW_UNSIGNED: "true", ALLOWED_IPS: "10.0.0.0/+8" }, "ALLOWED_IPS"],
    [{ ALLOW_UNSIGNED: "true", FORWARD: "queue", MAX_BODY_BYTES: String(QUEUE_BODY_CEILING + 1) }, "MAX_BODY_BYTES"],
  ];
  for (const [bindings, setting] of cases) {
    const health = await healthOf(bindings);
    assert.equal(health.config_valid, false, JSON.stringify(bindings));
    assert.deepEqual(health.errors.map((e) => e.setting), [setting], JSON.stringify(health.errors));
  }
  // The forged push that got 200 when "," meant "signing off" is refused now.
  const keyless = await startRelay({ bindings: { HUAWEI_PUSH_KEYS: ",", ALLOW_UNSIGNED: "true" } });
  try {
    const forged = await keyless.request("POST", REPORTS, { headers: { "Content-Type": FORM }, body: STATUS_REPORT });
    assert.deepEqual([forged.status, JSON.parse(forged.body).error], [500, "config_invalid"]);
    assert.deepEqual(await keyless.waitForMessages(0), []);
  } finally {
    await keyless.dispose();
  }
  const fine = await healthOf({ ALLOW_UNSIGNED: "true", ALLOWED_IPS: "::ffff:124.70.27.0/120\r\n117.78.29.0/24" });
  assert.equal(fine.config_valid, true, JSON.stringify(fine.errors));
  assert.equal(fine.allowed_ip_ranges, 2);
});

test("an IPv4-mapped range admits the IPv4 client it maps", async () => {
  const other = await startRelay({ bindings: { ALLOW_UNSIGNED: "true", ALLOWED_IPS: "::ffff:124.70.27.0/120" } });
  try {
    const send = (ip) => other.request("POST", REPORTS, { headers: { "Content-Type": FORM, "CF-Connecting-IP": ip }, body: STATUS_REPORT });
    assert.equal((await send("124.70.27.9")).status, 200);
    assert.equal((await send("124.70.28.9")).status, 403);
  } finally {
    await other.dispose();
  }
});

test("any number literal: KV holds exactly what JavaScript prints, and the value or its text", async () => {
  // Literals in every spelling: integers, fractions, exponents, 1 to 20 digits, tiny and huge.
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const digits = (n) => Array.from({ length: n }, (_, i) => String(Math.floor(random() * 10) || (i === 0 ? 1 : 0))).join("");
  const literals = Array.from({ length: 300 }, () => {
    const whole = digits(1 + Math.floor(random() * 20));
    const fraction = random() < 0.5 ? `.${digits(1 + Math.floor(random() * 6))}` : "";
    const exponent = random() < 0.5 ? `e${random() < 0.5 ? "-" : ""}${Math.floor(random() * 330)}` : "";
    return `${random() < 0.3 ? "-" : ""}${whole}${fraction}${exponent}`;
  });
  // Four entries of 75 (an entry holds at most 100 fields).
  const entries = [0, 1, 2, 3].map((e) => {
    const members = literals.slice(e * 75, e * 75 + 75).map((literal, i) => `"n${e * 75 + i}":${literal}`);
    return `{"smsMsgId":"many-${e}","status":"DELIVRD",${members.join(",")}}`;
  });
  const body = `{"statusReportList":[${entries.join(",")}]}`;
  assert.equal((await relay.push(REPORTS, body, JSON_UTF8)).status, 200);
  await landed(4);
  let strings = 0;
  for (const e of [0, 1, 2, 3]) {
    const stored = await relay.kv.get((await kvReports(relay.kv, `many-${e}`))[0].key);
    assert.equal(stored, JSON.stringify(JSON.parse(stored)), "the queue's round trip changes nothing");
    const extra = JSON.parse(stored).data.extra;
    literals.slice(e * 75, e * 75 + 75).forEach((literal, i) => {
      const kept = extra[`n${e * 75 + i}`];
      if (typeof kept === "string") {
        strings += 1;
        assert.equal(kept, literal);
      } else assert.equal(kept, Number(literal), `${literal} became ${kept}`);
    });
  }
  assert.ok(strings > 0 && strings < literals.length, `${strings} of ${literals.length} kept as text`);
});

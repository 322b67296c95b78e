// Yunpian through the built worker in Miniflare, with the real Queue and KV simulations: its
// documented status report push (a URL-encoded JSON array in `sms_status`, also encoded
// twice) and reply push (`sms_reply`, signed with `_sign` as Yunpian signs it, by
// scripts/samples/yunpian.mjs: MD5 over the values by key name and the apikey; Yunpian
// publishes no npm library for its pushes) become the recorded events in both sinks,
// answered `SUCCESS`; a big `sid` stays digit for digit through the queue and KV; forged,
// unsigned or wrongly tokened pushes store nothing; a sink outage is a 503 Yunpian retries.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Miniflare } from "miniflare";
import { startRelay, kvContents, kvKey, rawRequest, storedEvents, withoutReceipt as receiptless } from "./harness.mjs";
import { relayWorker, discardOutput } from "../scripts/relay-worker.mjs";
import { REPORTS, REPORTS_TWICE, REPLY, REPLY_OBJECT, FORM_UTF8, sign, signedReply } from "../scripts/samples/yunpian.mjs";

const TOKEN = "yunpian-e2e-token-0123456789";
const OLD_TOKEN = "yunpian-e2e-old-token-0123";
// Yunpian's apikeys are 32 hex digits.
const APIKEY = "9b11127a9701975c734b8aee81ee3526";
const OLD_APIKEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const form = { "Content-Type": FORM_UTF8, Accept: "application/json;charset=utf-8" };
const golden = (name) => JSON.parse(readFileSync(new URL(`../tests/data/yunpian/${name}`, import.meta.url), "utf8"));

let relay;
before(async () => {
  relay = await startRelay({
    bindings: { YUNPIAN_TOKEN: `${OLD_TOKEN},${TOKEN}`, YUNPIAN_APIKEYS: `${OLD_APIKEY},${APIKEY}`, FORWARD: "queue,kv" },
  });
});
after(() => relay?.dispose());
beforeEach(() => relay.resetSinks());

const post = (path, body, headers = form) => relay.request("POST", path, { headers, body });

/** The events now in the queue, checked against the schema and KV. */
const stored = (count) => storedEvents(relay, count);

/** An event without when it was received, or its auth. */
const withoutReceipt = (event) => receiptless(event, { keepAuth: false });

test("our signer agrees with Yunpian's published _sign example", () => {
  const { _sign, ...unsigned } = REPLY_OBJECT;
  assert.equal(sign(unsigned, "0000"), "393d079e0a00912335adfe46f4a2e10f");
  assert.equal(_sign, "393d079e0a00912335adfe46f4a2e10f");
  // With ASCII punctuation instead of the full-width 「，」「！」 it is another hash.
  assert.notEqual(sign({ ...unsigned, text: "收到了,谢谢!" }, "0000"), _sign);
});

test("the documented status reports, encoded once or twice, become the recorded events, answered SUCCESS", async () => {
  for (const [body, token] of [[REPORTS, TOKEN], [REPORTS_TWICE, OLD_TOKEN]]) {
    await relay.resetSinks();
    const response = await post(`/yunpian/reports/${token}`, body);
    assert.deepEqual([response.status, response.body, response.headers["content-type"]], [200, "SUCCESS", "text/plain"]);
    const recorded = golden("status-reports.events.json");
    const events = await stored(recorded.length);
    assert.deepEqual(events.map(withoutReceipt), recorded.map(withoutReceipt));
    assert.deepEqual(events.map((event) => event.data.auth), [{ scheme: "token" }, { scheme: "token" }]);
  }
});

test("a sid beyond 2^53 reaches the queue and KV digit for digit", async () => {
  const body = REPORTS.replace("9527", "12345678901234567891");
  assert.equal((await post(`/yunpian/reports/${TOKEN}`, body)).status, 200);
  const events = await stored(2);
  const big = events.find((event) => event.data.delivered);
  assert.deepEqual([big.subject, big.data.message_id], ["12345678901234567891", "12345678901234567891"]);
  assert.ok((await relay.kv.get(kvKey(big))).includes('"message_id":"12345678901234567891"'));
});

test("a reply signed with either apikey becomes the recorded event; its auth names the apikey", async () => {
  for (const [apikey, index] of [[APIKEY, 2], [OLD_APIKEY, 1]]) {
    await relay.resetSinks();
    const body = signedReply(REPLY_OBJECT, apikey);
    const response = await post(`/yunpian/replies/${TOKEN}`, body);
    assert.deepEqual([response.status, response.body], [200, "SUCCESS"]);
    const [event] = await stored(1);
    assert.deepEqual(event.data.auth, { scheme: "signature", token_index: index });
    const [recorded] = golden("reply.events.json");
    const { _sign, ...extra } = event.data.extra;
    assert.equal(_sign, sign((({ _sign: _, ...rest }) => rest)(REPLY_OBJECT), apikey));
    assert.deepEqual({ ...withoutReceipt(event), id: "", data: { ...withoutReceipt(event).data, extra } }, {
      ...withoutReceipt(recorded),
      id: "",
      data: { ...withoutReceipt(recorded).data, extra: (({ _sign: _, ...rest }) => rest)(recorded.data.extra) },
    });
  }
});

test("forged, unsigned, tampered or wrongly tokened replies are 401 and store nothing", async () => {
  const tampered = signedReply(REPLY_OBJECT, APIKEY).replace(encodeURIComponent("谢谢"), encodeURIComponent("不谢"));
  const { _sign, ...unsigned } = REPLY_OBJECT;
  for (const [path, body, code] of [
    // The documented reply, signed with the documented apikey `0000`: not ours.
    [`/yunpian/replies/${TOKEN}`, REPLY, "signature_mismatch"],
    [`/yunpian/replies/${TOKEN}`, signedReply(REPLY_OBJECT, "ffffffffffffffffffffffffffffffff"), "signature_mismatch"],
    [`/yunpian/replies/${TOKEN}`, tampered, "signature_mismatch"],
    [`/yunpian/replies/${TOKEN}`, `sms_reply=${encodeURIComponent(JSON.stringify(unsigned))}`, "missing_signature"],
    [`/yunpian/replies/${TOKEN}`, "sms_reply=not-json", "missing_signature"],
    [`/yunpian/replies/${TOKEN}x`, signedReply(REPLY_OBJECT, APIKEY), "invalid_token"],
    ["/yunpian/replies", signedReply(REPLY_OBJECT, APIKEY), "missing_token"],
    [`/yunpian/reports/${APIKEY}`, REPORTS, "invalid_token"],
  ]) {
    const response = await post(path, body);
    assert.deepEqual([response.status, JSON.parse(response.body).error], [401, code], `${path} ${body.slice(0, 40)}`);
  }
  assert.deepEqual(await relay.waitForMessages(0), []);
  assert.deepEqual(await kvContents(relay.kv), {});
});

test("unreadable input is kept as unparsed and answered 400 or 415, never SUCCESS", async () => {
  for (const [body, headers, status, code] of [
    ["sms_status=%5B%7B", form, 400, "malformed_json"],
    ["other=1", form, 400, "missing_field"],
    ["[]", { "Content-Type": "application/json" }, 415, "unsupported_media_type"],
  ]) {
    await relay.resetSinks();
    const response = await post(`/yunpian/reports/${TOKEN}`, body, headers);
    assert.deepEqual([response.status, JSON.parse(response.body).error], [status, code], body);
    const [event] = await stored(1);
    assert.deepEqual([event.type, event.data.body, event.data.endpoint], ["io.github.sms-relay.unparsed", body, "reports"]);
  }
});

test("a sink outage is a 503 with Retry-After, never SUCCESS", async () => {
  const mf = new Miniflare({
    workers: [
      relayWorker({ wrappedBindings: { EVENTS_QUEUE: { scriptName: "refusing-queue" } }, bindings: { YUNPIAN_TOKEN: TOKEN, FORWARD: "queue" } }),
      {
        name: "refusing-queue",
        modules: true,
        script: 'export default function () { return { async sendBatch() { throw new Error("refused"); }, async send() { throw new Error("refused"); } }; }',
      },
    ],
    handleRuntimeStdio: discardOutput,
  });
  try {
    const url = await mf.ready;
    const response = await rawRequest(url, "POST", `/yunpian/replies/${TOKEN}`, { headers: form, body: REPLY });
    assert.deepEqual([response.status, response.headers["retry-after"], JSON.parse(response.body).error], [503, "30", "sink_unavailable"]);
  } finally {
    await mf.dispose();
  }
});

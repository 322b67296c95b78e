// Vonage through the built worker in Miniflare, with the real Queue and KV simulations, and
// Vonage's own Node libraries as the oracles: `@vonage/sms` 1.21.0's `verifySignature` must
// accept every SMS API `sig` the relay accepts (all five methods, GET, POST and POST-JSON), and
// `@vonage/jwt` 1.14.0's `verifySignature` every Messages API JWT; a changed parameter,
// secret, API key, body or token fails and stores nothing, and an unsigned Messages API
// callback is answered 503 so Vonage retries it.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { SMS } from "@vonage/sms";
import { AlgorithmTypes } from "@vonage/auth";
import { verifySignature as verifyJwt } from "@vonage/jwt";
import { startRelay, kvContents, kvKey, assertValidEvent } from "./harness.mjs";
import { STATUS, STATUS_FORM, INBOUND, MESSAGES_STATUS, MESSAGES_INBOUND, sig, signed, jwt } from "../scripts/samples/vonage.mjs";

const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";
const SECRET = "vonage-e2e-signature-secret";
const TOKEN = "vonage-e2e-token-0123456789";
const ALGORITHMS = { md5hash: AlgorithmTypes.md5hash, md5: AlgorithmTypes.md5hmac, sha1: AlgorithmTypes.sha1hmac, sha256: AlgorithmTypes.sha256hmac, sha512: AlgorithmTypes.sha512hmac };
// `abcd1234` (the fixtures' key) signs the Messages API; one API key per SMS API method.
const ENTRIES = [`abcd1234:sha256:${SECRET}`, ...Object.keys(ALGORITHMS).map((name) => `key-${name}:${name}:${SECRET}-${name}`)];
const sdk = new SMS({ apiKey: "abcd1234", apiSecret: "not-used-to-verify" });
const read = (name) => JSON.parse(readFileSync(new URL(`../tests/data/vonage/${name}`, import.meta.url), "utf8"));

let relay;
before(async () => {
  relay = await startRelay({ bindings: { VONAGE_SIGNATURE_SECRETS: ENTRIES.join("\n"), FORWARD: "queue,kv" } });
});
after(() => relay?.dispose());
beforeEach(() => relay.resetSinks());

/** The events now in the queue, checked against the schema and KV. */
async function stored(target, count) {
  const messages = await target.waitForMessages(count);
  assert.equal(messages.length, count, JSON.stringify(messages).slice(0, 400));
  const events = messages.map((message) => message.body);
  const kv = await kvContents(target.kv);
  assert.deepEqual(Object.keys(kv).sort(), [...new Set(events.map(kvKey))].sort(), "one KV key per distinct event");
  for (const event of events) {
    assertValidEvent(event);
    // A repeat is queued again, and KV keeps the first.
    assert.deepEqual(kv[kvKey(event)].value, events.find((e) => kvKey(e) === kvKey(event)), "KV holds the event the queue carries");
  }
  return events;
}

/** An event without its receive time (and, with `auth`, with that auth), to compare with the recorded ones. */
function withoutReceipt(event, auth = event.data.auth) {
  const { received_at, ...data } = event.data;
  return { ...event, time: event.time === received_at ? "(received)" : event.time, data: { ...data, auth } };
}

const messagesHeaders = (body, secret = SECRET, apiKey = "abcd1234") => ({ "Content-Type": JSON_TYPE, Authorization: `Bearer ${jwt(apiKey, secret, body)}` });

test("our sig and JWT signers agree with Vonage's libraries, on the SDK's vectors too", () => {
  const params = { "message-timestamp": "2013-11-21 15:27:30", messageId: "020000001B0FE827", msisdn: "14843472194", text: "Test again", timestamp: "1385047698", to: "13239877404", type: "text" };
  const vectors = {
    md5hash: "d2e7b1dc968737c5998ad624e02f90b7",
    md5: "DDEBD46008C2D4E93CCE578A332A52D5",
    sha1: "27D0D05C2876C7CB1720DBCDBA4D492E1E55C09A",
    sha256: "DDB8397C2B90AAC7F3882D306475C9A5058C92322EEF43C92B298B6E0FC0D330",
    sha512: "E0D3C650F8C9D1A5C174D10DDDBFB003E561F59B265616208B0487C5D819481CD3C311D59CF6165ECD1139622D5BA3A256C0D763AC4A9AD9144B5A426B94FE82",
  };
  for (const [name, expected] of Object.entries(vectors)) {
    assert.equal(sig(params, name, "my_secret_key_for_testing").toUpperCase(), expected.toUpperCase(), name);
    assert.ok(sdk.verifySignature(expected, params, "my_secret_key_for_testing", ALGORITHMS[name]), name);
  }
  const token = jwt("abcd1234", SECRET, MESSAGES_STATUS);
  assert.ok(verifyJwt(token, SECRET));
  assert.ok(!verifyJwt(token, "another-secret"));
});

test("the documented callbacks become the recorded events: Messages API signed, SMS API through the URL token", async () => {
  for (const [path, body, recorded] of [
    ["/vonage/status", MESSAGES_STATUS, read("messages-status.events.json")],
    ["/vonage/inbound", MESSAGES_INBOUND, read("messages-inbound.events.json")],
  ]) {
    await relay.resetSinks();
    const response = await relay.request("POST", path, { headers: messagesHeaders(body), body });
    assert.deepEqual([response.status, response.body], [200, ""], path);
    assert.deepEqual((await stored(relay, 1)).map((e) => withoutReceipt(e)), recorded.map((e) => withoutReceipt(e)), path);
  }
  // API keys without signed webhooks: the token in the path, in every webhook format.
  const tokened = await startRelay({ bindings: { VONAGE_TOKEN: TOKEN, FORWARD: "queue,kv" } });
  try {
    const receipt = read("status.events.json");
    for (const [method, path, headers, body, recorded] of [
      ["POST", `/vonage/status/${TOKEN}`, { "Content-Type": JSON_TYPE }, STATUS, receipt],
      ["POST", `/vonage/status/${TOKEN}`, { "Content-Type": FORM }, STATUS_FORM, receipt],
      ["GET", `/vonage/status/${TOKEN}?${STATUS_FORM}`, {}, undefined, receipt],
      ["POST", `/vonage/inbound/${TOKEN}`, { "Content-Type": FORM }, INBOUND, read("inbound.events.json")],
      ["GET", `/vonage/inbound/${TOKEN}?${INBOUND}`, {}, undefined, read("inbound.events.json")],
    ]) {
      await tokened.resetSinks();
      const response = await tokened.request(method, path, { headers, body });
      assert.deepEqual([response.status, response.body], [200, ""], `${method} ${path}`);
      const events = await stored(tokened, 1);
      assert.deepEqual(events.map((e) => withoutReceipt(e)), recorded.map((e) => withoutReceipt(e, { scheme: "token" })), `${method} ${path}`);
    }
    await tokened.resetSinks();
    for (const [path, code] of [["/vonage/status", "missing_token"], ["/vonage/status/vonage-e2e-token-0123456788", "invalid_token"]]) {
      const response = await tokened.request("POST", path, { headers: { "Content-Type": JSON_TYPE }, body: STATUS });
      assert.deepEqual([response.status, JSON.parse(response.body).error], [401, code], path);
    }
    assert.deepEqual(await tokened.waitForMessages(0, { settleMs: 200 }), []);
    assert.deepEqual(await kvContents(tokened.kv), {});
  } finally {
    await tokened.dispose();
  }
});

test("the relay accepts exactly the sig @vonage/sms accepts, by every method and in every format, and nothing changed", async () => {
  let accepted = 0;
  for (const [index, name] of Object.keys(ALGORITHMS).entries()) {
    const signer = { apiKey: `key-${name}`, algorithm: name, secret: `${SECRET}-${name}` };
    const receipt = signed(JSON.parse(STATUS), signer, { nonce: `nonce-${name}` });
    // The fixture's own `api-key` is the Messages API key's: this one's API key sent it.
    const inbound = signed({ ...Object.fromEntries(new URLSearchParams(INBOUND)), "api-key": signer.apiKey }, signer, { nonce: `nonce-in-${name}` });
    // The SDK says yes to what the relay is about to take.
    assert.ok(sdk.verifySignature(receipt.sig, receipt, signer.secret, ALGORITHMS[name]), name);
    assert.ok(sdk.verifySignature(inbound.sig, inbound, signer.secret, ALGORITHMS[name]), name);
    const form = new URLSearchParams(receipt).toString();
    for (const [method, path, headers, body] of [
      ["POST", "/vonage/status", { "Content-Type": JSON_TYPE }, JSON.stringify(receipt)],
      ["POST", "/vonage/status", { "Content-Type": FORM }, form],
      ["GET", `/vonage/status?${form}`, {}, undefined],
      ["POST", "/vonage/inbound", { "Content-Type": FORM }, new URLSearchParams(inbound).toString()],
    ]) {
      const response = await relay.request(method, path, { headers, body });
      assert.deepEqual([response.status, response.body], [200, ""], `${name} ${method} ${path}: ${response.body}`);
      accepted++;
    }
    const events = await stored(relay, 4);
    for (const event of events) {
      assert.deepEqual(event.data.auth, { scheme: "aksk", access_key: signer.apiKey, key_index: index + 2 }, name);
      for (const gone of ["sig", "nonce", "timestamp"]) assert.equal(event.data.extra[gone], undefined, gone);
    }
    // JSON, form and GET of one receipt: one event, one id.
    assert.equal(new Set(events.slice(0, 3).map((e) => e.id)).size, 1, name);
    await relay.resetSinks();

    // One change at a time: the SDK refuses it, and so does the relay.
    const changed = { ...receipt, status: "expired" };
    assert.ok(!sdk.verifySignature(receipt.sig, changed, signer.secret, ALGORITHMS[name]));
    const otherSecret = signed(JSON.parse(STATUS), { ...signer, secret: "not-the-secret" });
    assert.ok(!sdk.verifySignature(otherSecret.sig, otherSecret, signer.secret, ALGORITHMS[name]));
    for (const [what, params, code] of [
      ["a changed parameter", changed, "signature_mismatch"],
      ["another secret", otherSecret, "signature_mismatch"],
      ["an API key without an entry", { ...receipt, "api-key": "not-configured" }, "unknown_access_key"],
      ["no sig", Object.fromEntries(Object.entries(receipt).filter(([key]) => key !== "sig")), "missing_signature"],
    ]) {
      const response = await relay.request("POST", "/vonage/status", { headers: { "Content-Type": JSON_TYPE }, body: JSON.stringify(params) });
      assert.deepEqual([response.status, JSON.parse(response.body).error], [401, code], `${name}: ${what}`);
    }
    assert.deepEqual(await relay.waitForMessages(0, { settleMs: 100 }), [], name);
    assert.deepEqual(await kvContents(relay.kv), {}, name);
  }
  assert.equal(accepted, 20);
});

test("a Messages API callback needs a JWT @vonage/jwt accepts, vouching for its body; without one it is 503 and stored nowhere", async () => {
  const other = jwt("abcd1234", "not-the-secret", MESSAGES_STATUS);
  assert.ok(!verifyJwt(other, SECRET));
  const changed = MESSAGES_STATUS.replace("delivered", "rejected");
  const refusals = [
    ["unsigned", { "Content-Type": JSON_TYPE }, MESSAGES_STATUS, 503, "unsigned_callback"],
    ["another secret", { "Content-Type": JSON_TYPE, Authorization: `Bearer ${other}` }, MESSAGES_STATUS, 401, "signature_mismatch"],
    ["another body", messagesHeaders(MESSAGES_STATUS), changed, 401, "body_not_signed"],
    ["an API key without an entry", messagesHeaders(MESSAGES_STATUS, SECRET, "zzzz"), MESSAGES_STATUS, 401, "unknown_access_key"],
    ["not a Bearer JWT", { "Content-Type": JSON_TYPE, Authorization: "Basic YWJjOmRlZg==" }, MESSAGES_STATUS, 401, "malformed_authorization"],
  ];
  for (const [what, headers, body, status, code] of refusals) {
    const response = await relay.request("POST", "/vonage/status", { headers, body });
    assert.deepEqual([response.status, JSON.parse(response.body).error], [status, code], what);
  }
  const inbound = await relay.request("POST", "/vonage/inbound", { headers: { "Content-Type": JSON_TYPE }, body: MESSAGES_INBOUND });
  assert.deepEqual([inbound.status, JSON.parse(inbound.body).error], [503, "unsigned_callback"]);
  assert.deepEqual(await relay.waitForMessages(0, { settleMs: 200 }), []);
  assert.deepEqual(await kvContents(relay.kv), {});
  // The same callback signed, as Vonage retries it: stored once.
  const token = jwt("abcd1234", SECRET, MESSAGES_STATUS);
  assert.ok(verifyJwt(token, SECRET));
  for (let attempt = 0; attempt < 2; attempt++) {
    const response = await relay.request("POST", "/vonage/status", { headers: { "Content-Type": JSON_TYPE, Authorization: `Bearer ${token}` }, body: MESSAGES_STATUS });
    assert.equal(response.status, 200);
  }
  const messages = await relay.waitForMessages(2);
  assert.equal(new Set(messages.map((m) => m.body.id)).size, 1, "a retry repeats its id");
  assert.equal(Object.keys(await kvContents(relay.kv)).length, 1);
});

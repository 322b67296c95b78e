// Twilio through the built worker in Miniflare, with the real Queue and KV simulations, and
// Twilio's own Node library (twilio 6.2.0) as the oracle: every request is signed by
// `twilio.getExpectedTwilioSignature` over the URL Twilio was configured with, sent raw (the
// runtime normalizes the URL as `new URL()` does), and the relay must accept exactly what
// `twilio.validateRequest` accepts for the URL the worker sees. Then Event Streams deliveries
// (a JSON array of CloudEvents signed through `bodySHA256`) on both routes.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import querystring from "node:querystring";
import vm from "node:vm";
import twilio from "twilio";
import { startRelay, kvContents, kvKey, assertValidEvent } from "./harness.mjs";

const TOKEN = "twilio-e2e-auth-token-primary";
const OLD_TOKEN = "twilio-e2e-auth-token-secondary";
const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";
const read = (name) => readFileSync(new URL(`../tests/data/twilio/${name}`, import.meta.url), "utf8");

let relay;
before(async () => {
  relay = await startRelay({ bindings: { TWILIO_AUTH_TOKENS: `${TOKEN},${OLD_TOKEN}`, FORWARD: "queue,kv" } });
});
after(() => relay?.dispose());
beforeEach(() => relay.resetSinks());

/** A POST with `target` as the request line's path, byte for byte (the harness's request normalizes it). */
function rawPost(target, headers, body) {
  const base = new URL(relay.url);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: base.hostname, port: base.port, path: target, method: "POST", headers, agent: false }, (response) => {
      const chunks = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    request.on("error", reject);
    request.end(body);
  });
}

/** What an HTTP client must send for a URL's path and query: spaces and non-ASCII escaped, the rest as written. */
function requestTarget(url) {
  const rest = url.slice(url.indexOf("/", url.indexOf("//") + 2));
  return [...rest].map((c) => (c === " " || c.codePointAt(0) > 0x7e ? encodeURIComponent(c) : c)).join("");
}

/** The URL the worker sees for a request target: the runtime's, which is `new URL()`'s. */
const receivedUrl = (target) => new URL(target, relay.url).href;

async function kvKeyCount() {
  return (await relay.kv.list()).keys.length;
}

/** Form parameters as Twilio's helper takes them: a repeated name's values as an array, in order. */
function paramsOf(entries) {
  const params = {};
  for (const [name, value] of entries) params[name] = name in params ? [].concat(params[name], value) : value;
  return params;
}

/** Mulberry32: a tiny seeded PRNG, so every run draws the same cases. */
function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The internal URL helpers of twilio's webhooks.js (not exported), for the vectors file.
function twilioUrlHelpers() {
  const require = createRequire(import.meta.url);
  const file = require.resolve("twilio/lib/webhooks/webhooks.js");
  const source = `${readFileSync(file, "utf8")}\n;module.exports.__helpers = { addPort, removePort, withLegacyQuerystring };`;
  const module = { exports: {} };
  vm.runInThisContext(`(function (exports, require, module) {${source}\n})`)(module.exports, require, module);
  return module.exports.__helpers;
}

test("the URL candidates the native tests use are those twilio's own helper computes", () => {
  const { addPort, removePort, withLegacyQuerystring } = twilioUrlHelpers();
  const vectors = JSON.parse(read("url-candidates.json"));
  assert.ok(vectors.length > 100);
  for (const { url, candidates } of vectors) {
    const node = [removePort(url), addPort(url), withLegacyQuerystring(removePort(url)), withLegacyQuerystring(addPort(url))];
    assert.deepEqual(candidates, node, url);
    // For a URL as the runtime hands it over (already `new URL()`'s), the helper accepts a
    // signature over each of them.
    let normalized;
    try {
      normalized = new URL(url).href === url;
    } catch {
      normalized = false;
    }
    if (!normalized) continue;
    for (const candidate of new Set(candidates)) {
      const signature = twilio.getExpectedTwilioSignature("12345", candidate, { To: "+1" });
      assert.ok(twilio.validateRequest("12345", signature, url, { To: "+1" }), `${candidate} for ${url}`);
    }
  }
});

test("the relay accepts exactly what twilio.validateRequest accepts, and no single-byte change of URL, parameter or token", async () => {
  const rng = prng(0x7c1d2b3);
  const pick = (items) => items[Math.floor(rng() * items.length)];
  const ATOMS = ["a", "b", "Z", "0", "10", "2", "=", "&", "+", "%", "%27", "%20", "%2C", "%3A", "%2B", "%C3%A9", "%zz",
    ",", ":", "'", "~", "*", "(", ")", "!", " ", "é", "-", "_", ".", '"', "<", ">", "[", "]", "@", "$", ";", "|", "^", "{", "}", "/", "?"];
  const text = (max) => Array.from({ length: Math.floor(rng() * (max + 1)) }, () => pick(ATOMS)).join("");
  const KEYS = ["to", "at", "name", "tag", "a b", "é", "10", "2", "x,y", "it's"];
  const VALUES = ["O'Brien", "1,2", "12:30", "a b", "é", "~*()!", "%", "100%", "+1", "", "it's"];
  const origin = new URL(relay.url).origin;
  const originWithoutPort = `${new URL(relay.url).protocol}//${new URL(relay.url).hostname}`;

  function draw(i) {
    const endpoint = pick(["status", "inbound"]);
    const path = pick([`/twilio/${endpoint}`, `/twilio/${endpoint}`, `/twilio/${endpoint}/`, `/twilio/./${endpoint}`, `/twilio/%2e/${endpoint}`, `/twilio/x/../${endpoint}`]);
    let query;
    const mode = rng();
    if (mode < 0.4) {
      // As a back end writes it with Node's querystring: repeated keys, `'` raw, `,` `:` escaped.
      const pairs = Array.from({ length: 1 + Math.floor(rng() * 4) }, () => [pick(KEYS), rng() < 0.5 ? pick(VALUES) : text(4)]);
      query = querystring.stringify(paramsOf(pairs));
    } else if (mode < 0.85) {
      query = text(10);
    } else if (mode < 0.95) {
      query = null;
    } else {
      query = "";
    }
    const url = `${rng() < 0.2 ? originWithoutPort : origin}${path}${query === null ? "" : `?${query}`}`;
    const sid = `SMprop${i}`;
    const entries = endpoint === "status"
      ? [["MessageSid", sid], ["MessageStatus", pick(["queued", "sent", "delivered", "undelivered", "read"])], ["To", "+15558675310"]]
      : [["MessageSid", sid], ["From", "+15017122661"], ["To", "+15558675310"], ["Body", text(6)]];
    for (let n = Math.floor(rng() * 3); n > 0; n--) entries.push([pick(["Tag", "ApiVersion", "a b", "é", "x'y"]), text(5)]);
    const repeat = rng();
    if (repeat < 0.15) {
      const [name, value] = pick(entries.slice(1));
      entries.push([name, value]); // the same value again
    } else if (repeat < 0.3) {
      const [name, value] = pick(entries.slice(1));
      entries.push([name, `${value}${pick(["x", "'", " ", "é"])}`]); // another value
    }
    const token = rng() < 0.8 ? TOKEN : OLD_TOKEN;
    const names = new Set(entries.map(([name]) => name));
    const pairs = new Set(entries.map((entry) => JSON.stringify(entry)));
    // A name twice with the same value is the same field; with two values it is a conflict.
    return { endpoint, url, entries, token, repeated: names.size < entries.length, conflicting: pairs.size > names.size };
  }

  let accepted = 0;
  const tally = { valid: 0, invalid: 0, legacy: 0, repeatedSame: 0, repeatedOther: 0, mutations: 0, mutationsAccepted: 0 };
  async function send(target, headers, body, expectValid, { conflicting, endpoint, newKey = true }, what) {
    const before = await kvKeyCount();
    const response = await rawPost(target, headers, body);
    const after = await kvKeyCount();
    if (!expectValid) {
      assert.deepEqual([response.status, JSON.parse(response.body).error], [401, "signature_mismatch"], what);
      assert.equal(after, before, `${what}: a refused request stored nothing`);
      return;
    }
    accepted++;
    if (conflicting) {
      assert.deepEqual([response.status, JSON.parse(response.body).error], [400, "duplicate_field"], what);
    } else {
      assert.equal(response.status, 200, `${what}: ${response.body}`);
      assert.equal(response.body, endpoint === "inbound" ? "<Response/>" : "", what);
    }
    if (newKey) assert.equal(after, before + 1, `${what}: stored`);
  }

  const CASES = 220;
  for (let i = 0; i < CASES; i++) {
    const { endpoint, url, entries, token, repeated, conflicting } = draw(i);
    const params = paramsOf(entries);
    const body = new URLSearchParams(entries).toString();
    const signature = twilio.getExpectedTwilioSignature(token, url, params);
    const headers = { "Content-Type": FORM, "X-Twilio-Signature": signature };
    const target = requestTarget(url);
    const seen = receivedUrl(target);
    const valid = twilio.validateRequest(token, signature, seen, params);
    const shape = { conflicting, endpoint };
    await send(target, headers, body, valid, shape, `case ${i}: ${url} as ${seen}`);
    if (!valid) {
      tally.invalid++;
      continue;
    }
    tally.valid++;
    if (seen !== url && new URL(url).port !== "" && new URL(seen).pathname === new URL(url).pathname) tally.legacy++;
    if (repeated) {
      const names = entries.map(([name]) => name);
      const sameValueTwice = entries.some(([n, v], k) => entries.findIndex(([m, w]) => m === n && w === v) !== k);
      tally[sameValueTwice ? "repeatedSame" : "repeatedOther"]++;
      assert.ok(names.length > new Set(names).size);
    }

    // One character of the query changed: refused unless Twilio's helper accepts it too.
    const queryStart = url.indexOf("?");
    if (queryStart !== -1 && queryStart < url.length - 1) {
      const chars = [...url];
      const at = [...url.slice(0, queryStart + 1)].length + Math.floor(rng() * [...url.slice(queryStart + 1)].length);
      const replacement = pick("abcZ019=&+%',:~*()!-_.\"<>[]@$;|^{}/?".split("").filter((c) => c !== chars[at]));
      chars[at] = replacement;
      const changed = chars.join("");
      const changedTarget = requestTarget(changed);
      const stillValid = twilio.validateRequest(token, signature, receivedUrl(changedTarget), params);
      tally.mutations++;
      if (stillValid) tally.mutationsAccepted++;
      await send(changedTarget, headers, body, stillValid, { ...shape, newKey: false }, `case ${i}: URL ${changed}`);
    }

    // One character of one parameter value changed, the signature kept.
    const changedEntries = entries.map(([name, value]) => [name, value]);
    const index = Math.floor(rng() * changedEntries.length);
    const value = [...changedEntries[index][1]];
    if (value.length === 0) value.push("x");
    else {
      const at = Math.floor(rng() * value.length);
      value[at] = value[at] === "x" ? "y" : "x";
    }
    changedEntries[index][1] = value.join("");
    const changedParams = paramsOf(changedEntries);
    const stillValid = twilio.validateRequest(token, signature, seen, changedParams);
    tally.mutations++;
    if (stillValid) tally.mutationsAccepted++;
    await send(target, headers, new URLSearchParams(changedEntries).toString(), stillValid, shape, `case ${i}: parameter ${changedEntries[index][0]}`);

    // The token changed in one byte.
    const wrongToken = token.slice(0, -1) + (token.endsWith("y") ? "z" : "y");
    const forged = twilio.getExpectedTwilioSignature(wrongToken, url, params);
    assert.equal(twilio.validateRequest(token, forged, seen, params), false);
    await send(target, { ...headers, "X-Twilio-Signature": forged }, body, false, shape, `case ${i}: token`);
  }

  // The cases cover what they are meant to, and the mutations are refused (but for the rare
  // change Twilio's helper itself cannot tell apart).
  assert.ok(tally.valid >= CASES * 0.3 && tally.invalid >= CASES * 0.1, JSON.stringify(tally));
  assert.ok(tally.legacy >= 5, `signatures recovered through the legacy re-encoding: ${JSON.stringify(tally)}`);
  assert.ok(tally.repeatedSame >= 3 && tally.repeatedOther >= 3, JSON.stringify(tally));
  assert.ok(tally.mutationsAccepted <= tally.mutations * 0.05, JSON.stringify(tally));

  // Every accepted request is one event in the queue and KV, valid against the schema.
  const messages = await relay.waitForMessages(accepted, { timeoutMs: 30_000 });
  assert.equal(messages.length, accepted);
  const kv = await kvContents(relay.kv);
  for (const { body: event } of messages) {
    assertValidEvent(event);
    assert.equal(event.provider, "twilio");
    assert.ok(kv[kvKey(event)], "in KV too");
  }
});

test("the two cases of the issue: a query holding , : ' and repeated identical form names", async () => {
  const origin = new URL(relay.url).origin;
  const body = "MessageSid=SMissue1&MessageStatus=delivered&To=%2B15558675310";
  const params = Object.fromEntries(new URLSearchParams(body));
  // Written by Node's querystring ({to: "a,b", at: "12:30", name: "O'Brien"}): Twilio signs
  // the `'`; the worker sees `%27`.
  const configured = `${origin}/twilio/status?${querystring.stringify({ to: "a,b", at: "12:30", name: "O'Brien" })}`;
  assert.equal(configured, `${origin}/twilio/status?to=a%2Cb&at=12%3A30&name=O'Brien`);
  const signed = { "Content-Type": FORM, "X-Twilio-Signature": twilio.getExpectedTwilioSignature(TOKEN, configured, params) };
  const target = requestTarget(configured);
  assert.ok(receivedUrl(target).endsWith("name=O%27Brien"));
  assert.ok(twilio.validateRequest(TOKEN, signed["X-Twilio-Signature"], receivedUrl(target), params));
  assert.equal((await rawPost(target, signed, body)).status, 200);

  // `,` and `:` raw, `'` escaped: the URL as received is the one signed.
  const raw = `${origin}/twilio/status?to=a,b&at=12:30&name=O%27Brien`;
  const other = "MessageSid=SMissue2&MessageStatus=sent&To=%2B15558675310";
  const rawSignature = twilio.getExpectedTwilioSignature(TOKEN, raw, Object.fromEntries(new URLSearchParams(other)));
  assert.equal((await rawPost(requestTarget(raw), { "Content-Type": FORM, "X-Twilio-Signature": rawSignature }, other)).status, 200);

  // Repeated identical names: Twilio's helper signs `Tag` + `a` once, and the relay reads the
  // one field it is.
  const repeated = "MessageSid=SMissue3&MessageStatus=sent&Tag=a&Tag=a";
  const repeatedParams = { MessageSid: "SMissue3", MessageStatus: "sent", Tag: ["a", "a"] };
  const repeatedSignature = twilio.getExpectedTwilioSignature(TOKEN, configured, repeatedParams);
  assert.equal(repeatedSignature, twilio.getExpectedTwilioSignature(TOKEN, configured, { ...repeatedParams, Tag: "a" }));
  const response = await rawPost(target, { "Content-Type": FORM, "X-Twilio-Signature": repeatedSignature }, repeated);
  assert.deepEqual([response.status, response.body], [200, ""]);

  const messages = await relay.waitForMessages(3);
  assert.equal(messages.length, 3);
  const [first, second, third] = messages.map((message) => message.body);
  assert.deepEqual([first.data.message_id, first.data.state], ["SMissue1", "delivered"]);
  assert.deepEqual([second.data.message_id, second.data.state], ["SMissue2", "sent"]);
  assert.deepEqual([third.type, third.data.message_id, third.data.extra.Tag], ["io.github.sms-relay.status_report", "SMissue3", "a"]);
  assert.equal(Object.keys(await kvContents(relay.kv)).length, 3);
});

/** An Event Streams delivery of `body` to `path`, signed as Twilio signs it: over the URL with `bodySHA256`. */
function streams(path, body, token = TOKEN) {
  const target = `${path}?bodySHA256=${twilio.getExpectedBodyHash(body)}`;
  const url = receivedUrl(target);
  const signature = twilio.getExpectedTwilioSignature(token, url, {});
  assert.ok(twilio.validateRequestWithBody(token, signature, url, body));
  return { target, headers: { "Content-Type": JSON_TYPE, "X-Twilio-Signature": signature } };
}

const withoutReceipt = (event) => ({ ...event, data: { ...event.data, received_at: "(received)" } });

test("an Event Streams delivery becomes the recorded events on either route, with the route's answer", async () => {
  const body = read("event-streams.json");
  const recorded = JSON.parse(read("event-streams.events.json"));
  for (const [path, answer, contentType] of [["/twilio/status", "", undefined], ["/twilio/inbound", "<Response/>", "text/xml"]]) {
    await relay.resetSinks();
    const { target, headers } = streams(path, body);
    const response = await rawPost(target, headers, body);
    assert.deepEqual([response.status, response.body, response.headers["content-type"]], [200, answer, contentType], path);
    const messages = await relay.waitForMessages(recorded.length);
    const events = messages.map((message) => message.body);
    assert.deepEqual(events.map(withoutReceipt), recorded.map(withoutReceipt), path);
    const kv = await kvContents(relay.kv);
    assert.deepEqual(Object.keys(kv).sort(), events.map(kvKey).sort());
    for (const event of events) {
      assertValidEvent(event);
      assert.deepEqual(kv[kvKey(event)].value, event, "KV holds what the queue carries");
    }
  }
});

test("an element of another type or unreadable is kept whole; the rest of the array is stored", async () => {
  const [status, inbound] = JSON.parse(read("event-streams.json"));
  const voice = { ...status, type: "com.twilio.voice.insights.call-summary.complete", data: { callSid: "CA1" } };
  const noSid = { ...status, data: { messageStatus: "SENT" } };
  const parts = [JSON.stringify(status), JSON.stringify(voice), '"junk"', JSON.stringify(noSid), JSON.stringify(inbound)];
  const body = `[${parts.join(",")}]`;
  const { target, headers } = streams("/twilio/status", body, OLD_TOKEN);
  const response = await rawPost(target, headers, body);
  assert.deepEqual([response.status, response.body], [200, ""]);
  const events = (await relay.waitForMessages(5)).map((message) => message.body);
  assert.deepEqual(events.map((e) => e.type.split(".").pop()), ["status_report", "unparsed", "unparsed", "unparsed", "uplink"]);
  assert.deepEqual(events.slice(1, 4).map((e) => [e.data.reason, e.data.body, e.data.endpoint]), [
    ["invalid_field: type", parts[1], "status"],
    ["entry_not_an_object", parts[2], "status"],
    ["missing_field: messageSid", parts[3], "status"],
  ]);
  for (const event of events) {
    assertValidEvent(event);
    assert.deepEqual(event.data.auth, { scheme: "signature", token_index: 2 });
  }
  assert.equal(Object.keys(await kvContents(relay.kv)).length, 5);
});

test("an Event Streams body changed after signing, or signed by another token, is 401 and stores nothing", async () => {
  const body = read("event-streams.json");
  const { target, headers } = streams("/twilio/status", body);
  const changed = body.replace("DELIVERED", "FAILED");
  const noHash = target.slice(0, target.indexOf("?"));
  const refusals = [
    [target, headers, changed, "body_not_signed"],
    [noHash, { ...headers, "X-Twilio-Signature": twilio.getExpectedTwilioSignature(TOKEN, receivedUrl(noHash), {}) }, body, "body_not_signed"],
    [target, streams("/twilio/status", body, "not-our-auth-token").headers, body, "signature_mismatch"],
    [target.replace("/status", "/inbound"), headers, body, "signature_mismatch"],
    [target, { "Content-Type": JSON_TYPE }, body, "missing_signature"],
  ];
  for (const [path, requestHeaders, requestBody, code] of refusals) {
    const response = await rawPost(path, requestHeaders, requestBody);
    assert.deepEqual([response.status, JSON.parse(response.body).error], [401, code], `${path} ${code}`);
  }
  assert.deepEqual(await relay.waitForMessages(0), []);
  assert.deepEqual(await kvContents(relay.kv), {});
});

test("an Event Streams event and a form callback that say the same are one event id, one KV key", async () => {
  const element = {
    specversion: "1.0",
    type: "com.twilio.messaging.message.delivered",
    source: "AB00000000000000000000000001",
    id: "NO00000000000000000000000009",
    data: { messageSid: "SMsame", messageStatus: "delivered", to: "+15558675310", errorCode: 30003, From: "+15017122661" },
  };
  const form = new URLSearchParams([
    ["MessageSid", "SMsame"], ["MessageStatus", "delivered"], ["To", "+15558675310"], ["ErrorCode", "30003"], ["From", "+15017122661"],
    ["ce_specversion", "1.0"], ["ce_type", element.type], ["ce_source", element.source], ["ce_id", element.id],
  ]).toString();
  const formUrl = receivedUrl("/twilio/status");
  const formSignature = twilio.getExpectedTwilioSignature(TOKEN, formUrl, Object.fromEntries(new URLSearchParams(form)));
  assert.equal((await rawPost("/twilio/status", { "Content-Type": FORM, "X-Twilio-Signature": formSignature }, form)).status, 200);
  const body = JSON.stringify([element]);
  const { target, headers } = streams("/twilio/status", body);
  assert.equal((await rawPost(target, headers, body)).status, 200);
  // The same element with a time: it says more, so it is another event.
  const timed = JSON.stringify([{ ...element, data: { ...element.data, timestamp: "2025-01-01T00:00:00.123456789Z" } }]);
  const signedTimed = streams("/twilio/status", timed);
  assert.equal((await rawPost(signedTimed.target, signedTimed.headers, timed)).status, 200);

  const [fromForm, fromStream, withTime] = (await relay.waitForMessages(3)).map((message) => message.body);
  assert.equal(fromForm.id, fromStream.id);
  assert.notEqual(withTime.id, fromForm.id);
  assert.equal(withTime.data.updated_at, "2025-01-01T00:00:00.123456789Z");
  assert.equal(withTime.time, withTime.data.updated_at);
  assert.deepEqual(Object.keys(await kvContents(relay.kv)).sort(), [kvKey(fromForm), kvKey(withTime)].sort());
});

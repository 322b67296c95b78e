// Plivo through the built worker in Miniflare, with the real Queue and KV simulations, and
// Plivo's own Node library (plivo 4.79.0) as the oracle: every request is signed the way Plivo
// signs it over the URL the worker sees, `plivo.validateV3Signature` (and, for V2,
// `plivo.validateSignature`) must accept it, and the relay must store exactly what the
// library accepts; a changed parameter, URL, nonce or token fails for both, and stores nothing.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import plivo from "plivo";
import { startRelay, kvContents, storedEvents, withoutReceipt } from "./harness.mjs";
import { STATUS, INBOUND, signatureV3, signatureV2 } from "../scripts/samples/plivo.mjs";

const TOKEN = "plivo-e2e-subaccount-token";
const MAIN_TOKEN = "plivo-e2e-main-account-token";
const FORM = "application/x-www-form-urlencoded";
const NONCE = "05429567804466091622";
const read = (name) => JSON.parse(readFileSync(new URL(`../tests/data/plivo/${name}`, import.meta.url), "utf8"));

let relay;
before(async () => {
  relay = await startRelay({ bindings: { PLIVO_AUTH_TOKENS: `${TOKEN},${MAIN_TOKEN}`, FORWARD: "queue,kv" } });
});
after(() => relay?.dispose());
beforeEach(() => relay.resetSinks());

const href = (path) => new URL(path, relay.url).href;

/** A POST of `body` to `path`, signed with V3 by `token` (the main account's header for `MAIN_TOKEN`). */
function postV3(path, body, { token = TOKEN, nonce = NONCE, signedBody = body } = {}) {
  const name = token === MAIN_TOKEN ? "X-Plivo-Signature-Ma-V3" : "X-Plivo-Signature-V3";
  const headers = { "Content-Type": FORM, [name]: signatureV3(token, href(path), signedBody, nonce), "X-Plivo-Signature-V3-Nonce": nonce };
  return relay.request("POST", path, { headers, body });
}

/** The events now in the queue, checked against the schema and KV. */
const stored = (count) => storedEvents(relay, count);

async function storedNothing(what) {
  assert.deepEqual(await relay.waitForMessages(0, { settleMs: 200 }), [], what);
  assert.deepEqual(await kvContents(relay.kv), {}, what);
}


const paramsOf = (body) => Object.fromEntries(new URLSearchParams(body));

test("our V3 and V2 signers agree with plivo's own validators, on its vectors too", () => {
  const params = "MessageUUID=0936ec98-7c4c-11e4-9bd8-22000afa12b9&Status=delivered&To=14155551212&From=14155550000";
  for (const [method, url, body, expected] of [
    ["POST", "https://example.com/plivo/status?b=2&a=1", params, "Qkmtsc/n79JcTHugbPNifW9dug3qesdOM6/IfGAXHno="],
    ["POST", "https://example.com/plivo/status", params, "GHLYpqrJHG80DhSyRhnWHV0W6tkUZ8q/1TRi5w4jqnQ="],
    ["GET", `https://example.com/plivo/status?${params}`, "", "UHEOj0+cuPXsm7PdsSw2McNFQIkVxOzozj8adVNJgMg="],
  ]) {
    assert.equal(signatureV3("my_auth_token", url, body, "12345"), expected, url);
    assert.ok(plivo.validateV3Signature(method, url, "12345", "my_auth_token", expected, paramsOf(body)), url);
    assert.ok(!plivo.validateV3Signature(method, url, "12345", "my_auth_tokens", expected, paramsOf(body)), url);
  }
  const v2 = signatureV2("my_auth_token", "https://answer.url", "12345");
  assert.equal(v2, "ehV3IKhLysWBxC1sy8INm0qGoQYdYsHwuoKjsX7FsXc=");
  assert.ok(plivo.validateSignature("https://answer.url", "12345", v2, "my_auth_token"));
});

test("the documented callbacks, posted and signed by Plivo's rules, become the recorded events, answered 200 empty", async () => {
  for (const [path, body, recorded] of [
    ["/plivo/status", STATUS, read("status.events.json")],
    ["/plivo/inbound", INBOUND, read("inbound.events.json")],
  ]) {
    await relay.resetSinks();
    const signature = signatureV3(TOKEN, href(path), body, NONCE);
    assert.ok(plivo.validateV3Signature("POST", href(path), NONCE, TOKEN, signature, paramsOf(body)), path);
    const response = await postV3(path, body);
    assert.deepEqual([response.status, response.body], [200, ""], path);
    const events = await stored(1);
    assert.deepEqual(events.map(withoutReceipt), recorded.map(withoutReceipt), path);
  }
});

test("a GET callback, its parameters in the query, is the same event as the same callback posted", async () => {
  for (const [route, body, recorded] of [
    ["status", STATUS, read("status.events.json")],
    ["inbound", INBOUND, read("inbound.events.json")],
  ]) {
    await relay.resetSinks();
    const path = `/plivo/${route}?${body}`;
    const signature = signatureV3(MAIN_TOKEN, href(path), "", NONCE);
    assert.ok(plivo.validateV3Signature("GET", href(path), NONCE, MAIN_TOKEN, signature, {}), route);
    const headers = { "X-Plivo-Signature-Ma-V3": signature, "X-Plivo-Signature-V3-Nonce": NONCE };
    const response = await relay.request("GET", path, { headers });
    assert.deepEqual([response.status, response.body], [200, ""], route);
    const [event] = await stored(1);
    assert.deepEqual(event.data.auth, { scheme: "signature", token_index: 2 }, "the main account's token");
    const expected = { ...recorded[0], data: { ...recorded[0].data, auth: event.data.auth } };
    assert.deepEqual(withoutReceipt(event), withoutReceipt(expected), route);
    assert.equal(event.id, recorded[0].id, "the same id as posted");
  }
  // Without a signature, a GET is refused and stores nothing.
  await relay.resetSinks();
  const unsigned = await relay.request("GET", `/plivo/status?${STATUS}`);
  assert.deepEqual([unsigned.status, JSON.parse(unsigned.body).error], [401, "missing_signature"]);
  await storedNothing("unsigned GET");
  const put = await relay.request("PUT", "/plivo/status", { body: STATUS });
  assert.deepEqual([put.status, put.headers.allow], [405, "GET, POST"]);
});

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

test("the relay accepts exactly what plivo.validateV3Signature accepts, and no changed parameter, URL, nonce or token", async () => {
  const rng = prng(0x91a7c0);
  const pick = (items) => items[Math.floor(rng() * items.length)];
  const VALUES = ["a b", "é", "+1", "1,2", "12:30", "x=y", "it's", "", "100%", "~*()!", "Z"];
  const KEYS = ["tag", "a b", "é", "Zed", "10", "x,y"];
  let accepted = 0;
  for (let i = 0; i < 40; i++) {
    const route = pick(["status", "inbound"]);
    const uuid = `e2e-${i}-${Math.floor(rng() * 1e9)}`;
    const entries = route === "status"
      ? [["MessageUUID", uuid], ["Status", pick(["queued", "sent", "delivered", "undelivered"])], ["To", "14155551212"], ["Sequence", String(i)]]
      : [["MessageUUID", uuid], ["From", "14155551212"], ["To", "14155550000"], ["Text", pick(VALUES)]];
    const extra = Math.floor(rng() * 3);
    for (let n = 0; n < extra; n++) entries.push([`${pick(KEYS)}${n}`, pick(VALUES)]);
    const query = rng() < 0.4 ? `?${new URLSearchParams([[pick(KEYS), pick(VALUES)], ["b", "2"]]).toString()}` : "";
    const method = rng() < 0.3 ? "GET" : "POST";
    const body = new URLSearchParams(entries).toString();
    const path = method === "GET" ? `/plivo/${route}?${body}` : `/plivo/${route}${query}`;
    const url = href(path);
    const token = rng() < 0.5 ? TOKEN : MAIN_TOKEN;
    const signature = signatureV3(token, url, method === "GET" ? "" : body, NONCE);
    const params = method === "GET" ? {} : paramsOf(body);
    assert.ok(plivo.validateV3Signature(method, url, NONCE, token, signature, params), `case ${i}: ${url}`);
    const headers = { "X-Plivo-Signature-V3": signature, "X-Plivo-Signature-V3-Nonce": NONCE, ...(method === "POST" ? { "Content-Type": FORM } : {}) };
    const response = await relay.request(method, path, { headers, body: method === "POST" ? body : undefined });
    assert.deepEqual([response.status, response.body], [200, ""], `case ${i}: ${url}`);
    accepted++;

    // One change at a time: the library refuses it, and so does the relay, storing nothing new.
    const before = (await relay.kv.list()).keys.length;
    const changedBody = body.replace(uuid, `${uuid}x`);
    const changes = [
      ["another nonce", method, path, { ...headers, "X-Plivo-Signature-V3-Nonce": `${NONCE}1` }, body,
        () => plivo.validateV3Signature(method, url, `${NONCE}1`, token, signature, params)],
      ["another token", method, path, { ...headers, "X-Plivo-Signature-V3": signatureV3("not-a-configured-token", url, method === "GET" ? "" : body, NONCE) }, body,
        () => plivo.validateV3Signature(method, url, NONCE, token, signatureV3("not-a-configured-token", url, method === "GET" ? "" : body, NONCE), params)],
      method === "GET"
        ? ["another query", method, path.replace(uuid, `${uuid}x`), headers, body,
            () => plivo.validateV3Signature(method, href(path.replace(uuid, `${uuid}x`)), NONCE, token, signature, {})]
        : ["another parameter", method, path, headers, changedBody,
            () => plivo.validateV3Signature(method, url, NONCE, token, signature, paramsOf(changedBody))],
      ["another route", method, path.replace(`/plivo/${route}`, `/plivo/${route === "status" ? "inbound" : "status"}`), headers, body,
        () => plivo.validateV3Signature(method, href(path.replace(`/plivo/${route}`, `/plivo/${route === "status" ? "inbound" : "status"}`)), NONCE, token, signature, params)],
    ];
    for (const [what, changedMethod, changedPath, changedHeaders, changedRequestBody, library] of changes) {
      assert.equal(library(), false, `case ${i}, ${what}: the library refuses it`);
      const refused = await relay.request(changedMethod, changedPath, { headers: changedHeaders, body: changedMethod === "POST" ? changedRequestBody : undefined });
      assert.deepEqual([refused.status, JSON.parse(refused.body).error], [401, "signature_mismatch"], `case ${i}, ${what}`);
    }
    assert.equal((await relay.kv.list()).keys.length, before, `case ${i}: refusals stored nothing`);
  }
  assert.equal(accepted, 40);
  assert.equal((await relay.waitForMessages(40)).length, 40);
});

test("V2 signs the URL with its port and the nonce; forged, unsigned and other bodies store nothing", async () => {
  const url = href("/plivo/status");
  const v2 = signatureV2(MAIN_TOKEN, url, NONCE);
  // plivo-node's V2 validator drops the port: check our signer against it on the port-less URL.
  const portless = url.replace(/:\d+\//, "/");
  assert.ok(plivo.validateSignature(portless, NONCE, signatureV2(MAIN_TOKEN, portless, NONCE), MAIN_TOKEN));
  const ok = await relay.request("POST", "/plivo/status", {
    headers: { "Content-Type": FORM, "X-Plivo-Signature-Ma-V2": v2, "X-Plivo-Signature-V2-Nonce": NONCE },
    body: STATUS,
  });
  assert.equal(ok.status, 200);
  const [event] = await stored(1);
  assert.deepEqual(event.data.auth, { scheme: "signature", token_index: 2 });
  await relay.resetSinks();

  const json = '{"MessageUUID":"x"}';
  const refusals = [
    ["unsigned", { "Content-Type": FORM }, STATUS, "missing_signature"],
    ["no nonce", { "Content-Type": FORM, "X-Plivo-Signature-V3": signatureV3(TOKEN, url, STATUS, NONCE) }, STATUS, "missing_signature"],
    ["V2 without its port", { "Content-Type": FORM, "X-Plivo-Signature-V2": signatureV2(TOKEN, portless, NONCE), "X-Plivo-Signature-V2-Nonce": NONCE }, STATUS, "signature_mismatch"],
    ["V3 over another body", { "Content-Type": FORM, "X-Plivo-Signature-V3": signatureV3(TOKEN, url, INBOUND, NONCE), "X-Plivo-Signature-V3-Nonce": NONCE }, STATUS, "signature_mismatch"],
    ["a failing V3 beside a valid V2", {
      "Content-Type": FORM, "X-Plivo-Signature-V3": "bm90IGEgc2lnbmF0dXJl", "X-Plivo-Signature-V3-Nonce": NONCE,
      "X-Plivo-Signature-V2": signatureV2(TOKEN, url, NONCE), "X-Plivo-Signature-V2-Nonce": NONCE,
    }, STATUS, "signature_mismatch"],
    ["V3 over a JSON body", { "Content-Type": "application/json", "X-Plivo-Signature-V3": signatureV3(TOKEN, url, "", NONCE), "X-Plivo-Signature-V3-Nonce": NONCE }, json, "body_not_signed"],
  ];
  for (const [what, headers, body, code] of refusals) {
    const response = await relay.request("POST", "/plivo/status", { headers, body });
    assert.deepEqual([response.status, JSON.parse(response.body).error], [401, code], what);
  }
  await storedNothing("refusals");
  // Signed, but unreadable: kept whole as an unparsed event, answered 400.
  const duplicate = "MessageUUID=m&Status=sent&Status=queued";
  const unreadable = await postV3("/plivo/status", duplicate);
  assert.deepEqual([unreadable.status, JSON.parse(unreadable.body).error], [400, "duplicate_field"]);
  const [kept] = await stored(1);
  assert.deepEqual([kept.type, kept.data.body, kept.data.endpoint], ["io.github.sms-relay.unparsed", duplicate, "status"]);
});

#!/usr/bin/env node
// Writes the seed corpora (fuzz/seeds/<target>/) of every fuzz target (fuzz/fuzz_targets/)
// from the committed fixtures: Huawei's signing vectors (tests/data/huawei-signing.json) and
// every provider's documented callbacks, which tests/data/<provider>/callbacks.json lists by
// endpoint. A normalize or oracle input starts with the byte that sends the rest to the
// callback's endpoint as its content type, read from fuzz/selectors.json (which
// tests/registry.rs writes from the registry and checks). Rerun after the fixtures or the
// registry change; e2e/fuzz-seeds.test.mjs fails until then.
//
// It never deletes a seed: the ones it does not write (vendors' published vectors, added by
// hand) are kept, and a seed whose fixture is gone is removed by hand.
//   node fuzz/seed.mjs          write the seeds
//   node fuzz/seed.mjs --check  write nothing; list the seeds that are missing or differ (exit 1)
import { createPrivateKey, sign } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";

const here = (path) => new URL(path, import.meta.url);
const data = (path) => readFileSync(here(`../tests/data/${path}`));
const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";

/** Whether the body is JSON (it opens an array or object), as tests/common/callbacks.rs reads it. */
const isJson = (text) => /^\s*[[{]/.test(text);
/** A form's pairs, decoded as the relay decodes them (`+` a space). */
const formPairs = (text) => [...new URLSearchParams(text)];
/** The JSON a form's one field holds (Yunpian's `sms_status=urlencode(json)`), if it does. */
function formJson(text) {
  const pairs = formPairs(text);
  if (pairs.length !== 1) return undefined;
  try {
    const json = JSON.parse(pairs[0][1]);
    return typeof json === "object" && json !== null ? pairs[0][1] : undefined;
  } catch {
    return undefined;
  }
}

/** Every documented callback: `{ provider, endpoint, route, file, name, body, text, contentType }`. */
function callbacks() {
  const providers = readdirSync(here("../tests/data/"), { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  return providers.flatMap((provider) => {
    const manifest = JSON.parse(data(`${provider}/callbacks.json`).toString("utf8"));
    const files = [...new Set(Object.values(manifest).flat())];
    const stem = (file) => file.replace(/\.[^.]*$/, "");
    // A file's seed name: its stem, with its extension where two files share the stem.
    const name = (file) => (files.filter((other) => stem(other) === stem(file)).length > 1 ? file.replace(/\./g, "-") : stem(file));
    return Object.entries(manifest).flatMap(([endpoint, listed]) =>
      listed.map((file) => {
        const body = data(`${provider}/${file}`);
        const text = body.toString("utf8");
        return { provider, endpoint, route: `${provider}/${endpoint}`, file, name: name(file), body, text, contentType: isJson(text) ? JSON_TYPE : FORM };
      }),
    );
  });
}

/** Each file once, under the first endpoint that lists it. */
const distinct = (list) => list.filter((callback, index) => list.findIndex((other) => other.provider === callback.provider && other.file === callback.file) === index);
const bytes = (...parts) => Buffer.concat(parts.map((part) => (typeof part === "number" ? Buffer.from([part]) : Buffer.from(part))));

const { selectors } = JSON.parse(readFileSync(here("./selectors.json"), "utf8"));
function selector(route, contentType) {
  const byte = selectors[route]?.[contentType];
  if (byte === undefined) throw new Error(`fuzz/selectors.json has no selector for ${route} as ${contentType}: rewrite it with SMS_RELAY_WRITE_FUZZ_SELECTORS=1 cargo test --test registry`);
  return byte;
}

const all = callbacks();
const ofProvider = (provider) => distinct(all.filter((callback) => callback.provider === provider));
const forms = distinct(all.filter((callback) => callback.contentType === FORM));
const jsons = distinct(all.filter((callback) => callback.contentType === JSON_TYPE));
const once = (list) => [...new Set(list)];

// Bodies no vendor documents, for the parsers' edges: a repeated name and broken escapes in a
// form; an empty batch and one of mixed entries.
const EDGE_FORMS = { duplicate: "status=DELIVRD&status=UNDELIV", escapes: "a=%FF&b=%C0%AF&c=+%2B%" };
const EDGE_JSON = { empty: '{"statusReportList":[]}', mixed: '{"statusReportList":[{"smsMsgId":1,"status":"X","x\\u0041":[{}]},"junk",null],"k":1}' };
// A leap second, which zone-less times may carry.
const EDGE_TIMES = { leap: "2016-12-31 07:59:60" };

/** The `normalize` and `oracle` input: every callback to its endpoint, and the edge bodies to every endpoint taking their kind. */
function routed() {
  const seeds = {};
  for (const callback of all) {
    const listedTwice = all.filter((other) => other.provider === callback.provider && other.file === callback.file).length > 1;
    const name = listedTwice ? `${callback.provider}-${callback.endpoint}-${callback.name}` : `${callback.provider}-${callback.name}`;
    seeds[name] = bytes(selector(callback.route, callback.contentType), callback.body);
  }
  for (const [edges, contentType] of [[EDGE_FORMS, FORM], [EDGE_JSON, JSON_TYPE]]) {
    for (const route of once(all.filter((callback) => callback.contentType === contentType).map((callback) => callback.route))) {
      for (const [name, body] of Object.entries(edges)) seeds[`${route.replace("/", "-")}-${name}`] = bytes(selector(route, contentType), body);
    }
  }
  return seeds;
}

/** Every string value of a callback: a form's values, and the strings of its JSON at any depth. */
function strings(callback) {
  const out = [];
  const walk = (value) => {
    if (typeof value === "string") out.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object") Object.values(value).forEach(walk);
  };
  if (callback.contentType === JSON_TYPE) walk(JSON.parse(callback.text));
  else {
    for (const [, value] of formPairs(callback.text)) {
      out.push(value);
      const json = formJson(callback.text);
      if (json) walk(JSON.parse(json));
    }
  }
  return out;
}

const { vectors } = JSON.parse(data("huawei-signing.json").toString("utf8"));
// RFC 8032's test-1 key, which tests/data/telnyx/ signs with, and the vector's time.
const TELNYX_KEY = createPrivateKey({ key: Buffer.from("302e020100300506032b6570042204209d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "hex"), format: "der", type: "pkcs8" });
const TELNYX_TIMESTAMP = "1575926000";
// The nonce of Sinch's signature vector (tests/data/sinch/README.md).
const SINCH_NONCE = "01JHFFHWYY7HSS4FWTMDTQEK8V";
// The token the volcengine_token target configures.
const VOLCENGINE_TOKEN = "volcengine-token-0123456789";

/** Each target's seeds, `{ name: bytes }`, in the input layout its fuzz_targets/<target>.rs reads. */
const TARGETS = {
  // Huawei's Authorization header, and the full verifier: path, query, headers, a blank line, the body.
  authorization: () => Object.fromEntries(vectors.flatMap(({ name, request }) => {
    const authorization = request.headers.find(([header]) => header === "Authorization")?.[1];
    return authorization ? [[name, Buffer.from(authorization)]] : [];
  })),
  verify: () => Object.fromEntries(vectors.map(({ name, request }) => {
    const headers = request.headers.map(([header, value]) => `${header}: ${value}`).join("\n");
    return [name, bytes(`${request.path}\n${request.query}\n${headers}\n\n`, Buffer.from(request.body_base64, "base64"))];
  })),
  // The form parser and the JSON readers: the bodies themselves.
  form: () => ({ ...Object.fromEntries(forms.map((c) => [`${c.provider}-${c.name}`, c.body])), ...EDGE_FORMS }),
  batch: () => ({ ...Object.fromEntries(jsons.map((c) => [`${c.provider}-${c.name}`, c.body])), ...EDGE_JSON }),
  json_body: () => ({
    ...Object.fromEntries(jsons.map((c) => [`${c.provider}-${c.name}`, c.body])),
    // The JSON a form field holds, once decoded.
    ...Object.fromEntries(forms.flatMap((c) => {
      const json = formJson(c.text);
      return json ? [[`${c.provider}-${c.name}-json`, Buffer.from(json)]] : [];
    })),
  }),
  // The selector byte, then the body.
  normalize: routed,
  oracle: routed,
  // Zone-less times: every one the callbacks carry.
  zoneless_time: () => ({
    ...Object.fromEntries(distinct(all).flatMap((callback) =>
      once(strings(callback).filter((value) => /^\d{4}-\d\d-\d\d[ Tt]\d\d:\d\d:\d\d(\.\d+)?$/.test(value))).map((value) => [`${callback.provider}-${value.replace(/[^0-9A-Za-z]+/g, "-")}`, Buffer.from(value)]),
    )),
    ...EDGE_TIMES,
  }),
  // The URL's length, the URL, the body.
  twilio_signature: () => Object.fromEntries(ofProvider("twilio").map((c) => {
    const url = `http://localhost:8787/${c.route}`;
    return [c.name, bytes(url.length, url, c.body)];
  })),
  // The URL's length, the method (0 GET, 1 POST), the URL, the body; a GET carries the form
  // in its query, as many whole pairs as a one-byte length allows.
  plivo_signature: () => Object.fromEntries(ofProvider("plivo").flatMap((c) => {
    const post = `https://example.com/${c.route}?b=2&a=1`;
    let get = `https://example.com/${c.route}?`;
    for (const pair of c.text.split("&")) if (get.length + pair.length + 1 <= 255) get += (get.endsWith("?") ? "" : "&") + pair;
    return [[`${c.name}-post`, bytes(post.length, 1, post, c.body)], [`${c.name}-get`, bytes(get.length, 0, get)]];
  })),
  // The nonce's length, the nonce, the body.
  sinch_signature: () => Object.fromEntries(ofProvider("sinch").map((c) => [c.name, bytes(SINCH_NONCE.length, SINCH_NONCE, c.body)])),
  // The signature header's length, the header (the body signed at the vector's time), the body.
  telnyx_signature: () => Object.fromEntries(ofProvider("telnyx").map((c) => {
    const signature = sign(null, bytes(`${TELNYX_TIMESTAMP}|`, c.body), TELNYX_KEY).toString("base64");
    return [c.name, bytes(signature.length, signature, c.body)];
  })),
  // The token's length, the token, the body.
  volcengine_token: () => Object.fromEntries(ofProvider("volcengine").map((c) => [c.name, bytes(VOLCENGINE_TOKEN.length, VOLCENGINE_TOKEN, c.body)])),
  // The SMS API signing method (a byte the target takes modulo its methods: each callback
  // another), then the callback.
  vonage_signature: () => Object.fromEntries(ofProvider("vonage").map((c, index) => [c.name, bytes(index % 256, c.body)])),
  // A reply's JSON object, and the forms the replies route reads.
  yunpian_signature: () => ({
    ...Object.fromEntries(ofProvider("yunpian").map((c) => [`${c.name}-form`, c.body])),
    ...Object.fromEntries(ofProvider("yunpian").flatMap((c) => {
      const json = formJson(c.text);
      return json ? [[`${c.name}-json`, Buffer.from(json)]] : [];
    })),
  }),
};

const targets = readdirSync(here("./fuzz_targets/")).filter((file) => file.endsWith(".rs")).map((file) => file.replace(/\.rs$/, "")).sort();
const unseeded = targets.filter((target) => !(target in TARGETS));
const unknown = Object.keys(TARGETS).filter((target) => !targets.includes(target));
if (unseeded.length || unknown.length) {
  console.error([...unseeded.map((t) => `fuzz/fuzz_targets/${t}.rs has no seeds in fuzz/seed.mjs`), ...unknown.map((t) => `fuzz/seed.mjs seeds ${t}, which fuzz/fuzz_targets/ lacks`)].join("\n"));
  process.exit(1);
}

const check = process.argv.includes("--check");
const stale = [];
const counts = [];
for (const target of targets) {
  const seeds = TARGETS[target]();
  if (Object.keys(seeds).length === 0) throw new Error(`no seed for ${target}`);
  const dir = here(`./seeds/${target}/`);
  if (!check) mkdirSync(dir, { recursive: true });
  for (const [name, value] of Object.entries(seeds)) {
    const seed = Buffer.from(value);
    const path = new URL(name, dir);
    if (check) {
      if (!existsSync(path) || !readFileSync(path).equals(seed)) stale.push(`fuzz/seeds/${target}/${name}`);
    } else writeFileSync(path, seed);
  }
  counts.push(`${target}: ${Object.keys(seeds).length}`);
}
if (check && stale.length) {
  console.error(`Seeds missing or out of date (rerun node fuzz/seed.mjs):\n${stale.join("\n")}`);
  process.exit(1);
}
console.log(counts.join(", "));

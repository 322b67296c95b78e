// Runs the built worker (build/worker.js, relay.js and relay_bg.wasm) in Miniflare with real KV and Queue
// simulations, plus a small recorder worker that consumes the queue, so tests can assert
// exactly what a consumer receives.
import assert from "node:assert/strict";
import { Miniflare } from "miniflare";
import http from "node:http";
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { signedPushHeaders } from "../scripts/huawei-signer.mjs";
import { relayWorker, COMPATIBILITY_DATE } from "../scripts/relay-worker.mjs";

export const QUEUE = "sms-events";
export const DEAD_LETTER_QUEUE = "sms-events-dlq";
export const KEYS = { ak1: "secret-one-111111", ak2: "secret-two-222222" };
/** The READ_TOKEN every test relay gets unless its bindings say otherwise. */
export const READ_TOKEN = "e2e-read-token-0123456789";

const schema = JSON.parse(readFileSync(new URL("../schema/event.schema.json", import.meta.url), "utf8"));
const validateEvent = new Ajv2020({ allErrors: true, strict: true, strictRequired: false }).compile(schema);

/** Throws with the schema errors if `event` does not match schema/event.schema.json. */
export function assertValidEvent(event) {
  if (!validateEvent(event)) {
    throw new Error(`event does not match the schema: ${JSON.stringify(validateEvent.errors)}\n${JSON.stringify(event)}`);
  }
}

/** A worker that consumes a queue and records what it got; `GET /` lists it, `/reset` empties it. */
export const RECORDER = `
const received = [];
export default {
  async queue(batch) {
    for (const message of batch.messages) received.push({ type: typeof message.body, body: message.body });
    batch.ackAll();
  },
  async fetch(request) {
    if (new URL(request.url).pathname === "/reset") received.length = 0;
    return Response.json(received);
  },
};`;

/**
 * Starts a relay with `bindings` (vars and secrets) and the given sinks. With `delivery`, the
 * relay itself consumes the events queue (HTTP delivery) and the recorder consumes the
 * dead-letter queue instead.
 */
/** A raw HTTP/1.1 request to `base` + `path` with exactly these headers (no agent, no added
 * headers), as a vendor sends it: `{ status, headers, body }`. */
export function rawRequest(base, method, path, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const request = http.request(new URL(path, base), { method, headers, agent: false }, (response) => {
      const chunks = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks).toString("utf8") }),
      );
    });
    request.on("error", reject);
    request.end(body);
  });
}

/** A Miniflare `handleRuntimeStdio` that appends each line the workers print to `logLines`. */
export function keepLines(logLines) {
  return (stdout, stderr) => {
    for (const stream of [stdout, stderr]) {
      let pending = "";
      stream.on("data", (chunk) => {
        const lines = (pending + chunk.toString("utf8")).split("\n");
        pending = lines.pop();
        logLines.push(...lines.filter(Boolean));
      });
    }
  };
}

export async function startRelay({ bindings = {}, kv = true, queue = true, delivery = false, replay = false } = {}) {
  const logLines = [];
  const mf = new Miniflare({
    // Keep what the worker logs, so tests can check the log line and CI output stays quiet.
    handleRuntimeStdio: keepLines(logLines),
    workers: [
      relayWorker({
        kvNamespaces: kv ? ["EVENTS_KV"] : [],
        queueProducers: queue ? { EVENTS_QUEUE: QUEUE, ...(delivery ? { DEAD_LETTER_QUEUE } : {}) } : {},
        // As in wrangler.toml: max_retries above FORWARD_MAX_ATTEMPTS, so the worker itself
        // dead-letters with the failure recorded.
        queueConsumers: delivery
          ? {
              [QUEUE]: { maxBatchSize: 10, maxBatchTimeout: 0.05, maxRetries: 20 },
              // Replaying: the relay consumes its dead-letter queue too.
              ...(replay ? { [DEAD_LETTER_QUEUE]: { maxBatchSize: 10, maxBatchTimeout: 0.05, maxRetries: 20 } } : {}),
            }
          : {},
        bindings: { READ_TOKEN, ...bindings },
      }),
      {
        name: "recorder",
        modules: true,
        script: RECORDER,
        compatibilityDate: COMPATIBILITY_DATE,
        queueConsumers: replay ? {} : { [delivery ? DEAD_LETTER_QUEUE : QUEUE]: { maxBatchSize: 100, maxBatchTimeout: 0.05 } },
      },
    ],
  });
  const url = await mf.ready;
  const recorder = await mf.getWorker("recorder");
  const relay = {
    mf,
    url,
    kv: kv ? await mf.getKVNamespace("EVENTS_KV") : null,
    /** The worker's structured log lines so far, parsed. */
    structuredLogs() {
      return logLines.flatMap((line) => {
        try {
          const parsed = JSON.parse(line.slice(line.indexOf("{")));
          return parsed && typeof parsed === "object" ? [parsed] : [];
        } catch {
          return [];
        }
      });
    },
    /** One per HTTP request the relay answered. */
    requestLogs() {
      return relay.structuredLogs().filter((line) => typeof line.route === "string");
    },
    /** One per HTTP delivery attempt of the queue consumer. */
    deliveryLogs() {
      return relay.structuredLogs().filter((line) => line.delivery === "http");
    },
    async dispose() {
      await mf.dispose();
    },
    /** Everything the queue consumer has received so far. */
    async received() {
      return (await recorder.fetch("http://recorder/")).json();
    },
    async resetReceived() {
      await recorder.fetch("http://recorder/reset");
    },
    /** Empties both sinks' views: the recorded queue messages and every KV key. */
    async resetSinks() {
      await relay.resetReceived();
      if (relay.kv) {
        const { keys } = await relay.kv.list();
        await Promise.all(keys.map((key) => relay.kv.delete(key.name)));
      }
    },
    /** Waits until the consumer has `count` messages, then a little longer to catch extras. */
    async waitForMessages(count, { settleMs = 300, timeoutMs = 10_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      let messages = await relay.received();
      while (messages.length < count && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        messages = await relay.received();
      }
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      return relay.received();
    },
    /** A raw HTTP/1.1 request to the relay, with exactly these headers (like Huawei sends). */
    /** `GET /healthz` with the read token: the detailed report, parsed, and its status. */
    async health(headers = {}) {
      const response = await relay.request("GET", "/healthz", { headers: { Authorization: `Bearer ${READ_TOKEN}`, ...headers } });
      return { status: response.status, ...JSON.parse(response.body) };
    },
    request(method, path, options) {
      return rawRequest(url, method, path, options);
    },
    /** A push signed like Huawei's, by `accessKey` (default ak1). */
    push(path, body, contentType, { accessKey = "ak1", secretKey = KEYS[accessKey], date, extraHeaders = {} } = {}) {
      const headers = signedPushHeaders({ url: new URL(path, url).href, body, contentType, accessKey, secretKey, date });
      return relay.request("POST", path, { headers: { ...headers, ...extraHeaders }, body });
    },
  };
  return relay;
}

/** `{ name → { value, metadata } }` for every KV key. */
export async function kvContents(kv) {
  const out = {};
  const { keys } = await kv.list();
  for (const key of keys) out[key.name] = { value: JSON.parse(await kv.get(key.name)), metadata: key.metadata, expiration: key.expiration };
  return out;
}

/**
 * The KV key an event is stored under (src/sinks/kv.rs): `status/<provider>/<message_id>/<id>`,
 * `uplink/<provider>/<id>` or `unparsed/<provider>/<id>`.
 */
export function kvKey(event) {
  const kind = event.type.slice(event.type.lastIndexOf(".") + 1);
  if (kind === "status_report") return `status/${event.provider}/${event.data.message_id}/${event.id}`;
  return `${kind}/${event.provider}/${event.id}`;
}

/** Waits for `count` events on `relay`'s queue; each matches the schema, and KV holds exactly them. */
export async function storedEvents(relay, count) {
  const messages = await relay.waitForMessages(count);
  assert.equal(messages.length, count, JSON.stringify(messages).slice(0, 400));
  const events = messages.map((message) => message.body);
  const kv = await kvContents(relay.kv);
  assert.deepEqual(Object.keys(kv).sort(), events.map(kvKey).sort(), "one KV key per event");
  for (const event of events) {
    assertValidEvent(event);
    assert.deepEqual(kv[kvKey(event)].value, event, "KV holds the event the queue carries");
  }
  return events;
}

/**
 * An event without when it was received (its `time`, when that is the receipt's, as
 * "(received)"), to compare with a recorded one; with `{ keepAuth: false }` without its `auth`
 * too (a recording made under other credentials).
 */
export function withoutReceipt(event, { keepAuth = true } = {}) {
  const { received_at, auth, ...data } = event.data;
  return { ...event, time: event.time === received_at ? "(received)" : event.time, data: keepAuth ? { ...data, auth } : data };
}

/** The KV entries of one message's status reports, `[{ key, value, metadata }]`, by segment. */
export async function kvReports(kv, messageId, provider = "huawei") {
  const { keys } = await kv.list({ prefix: `status/${provider}/${messageId}/` });
  const entries = await Promise.all(keys.map(async (key) => ({ key: key.name, value: JSON.parse(await kv.get(key.name)), metadata: key.metadata })));
  return entries.sort((a, b) => (a.value.data.segment ?? 0) - (b.value.data.segment ?? 0));
}

// Runs the built worker (build/index.js + index_bg.wasm) in Miniflare with real KV and Queue
// simulations, plus a small recorder worker that consumes the queue, so tests can assert
// exactly what a consumer receives.
import { Miniflare } from "miniflare";
import http from "node:http";
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { signedPushHeaders } from "../scripts/huawei-signer.mjs";

export const QUEUE = "sms-events";
export const KEYS = { ak1: "secret-one-111111", ak2: "secret-two-222222" };

const schema = JSON.parse(readFileSync(new URL("../schema/event.schema.json", import.meta.url), "utf8"));
const validateEvent = new Ajv2020({ allErrors: true, strict: true, strictRequired: false }).compile(schema);

/** Throws with the schema errors if `event` does not match schema/event.schema.json. */
export function assertValidEvent(event) {
  if (!validateEvent(event)) {
    throw new Error(`event does not match the schema: ${JSON.stringify(validateEvent.errors)}\n${JSON.stringify(event)}`);
  }
}

const RECORDER = `
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

/** Starts a relay with `bindings` (vars and secrets) and the given sinks. */
export async function startRelay({ bindings = {}, kv = true, queue = true } = {}) {
  const logLines = [];
  const mf = new Miniflare({
    // Keep what the worker logs, so tests can check the log line and CI output stays quiet.
    handleRuntimeStdio(stdout, stderr) {
      for (const stream of [stdout, stderr]) {
        let pending = "";
        stream.on("data", (chunk) => {
          const lines = (pending + chunk.toString("utf8")).split("\n");
          pending = lines.pop();
          logLines.push(...lines.filter(Boolean));
        });
      }
    },
    workers: [
      {
        name: "relay",
        scriptPath: "build/index.js",
        modules: true,
        modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"], fallthrough: true }],
        compatibilityDate: "2026-04-01",
        kvNamespaces: kv ? ["EVENTS_KV"] : [],
        queueProducers: queue ? { EVENTS_QUEUE: QUEUE } : {},
        bindings,
      },
      {
        name: "recorder",
        modules: true,
        script: RECORDER,
        compatibilityDate: "2026-04-01",
        queueConsumers: { [QUEUE]: { maxBatchSize: 100, maxBatchTimeout: 0.05 } },
      },
    ],
  });
  const url = await mf.ready;
  const recorder = await mf.getWorker("recorder");
  const relay = {
    mf,
    url,
    kv: kv ? await mf.getKVNamespace("EVENTS_KV") : null,
    /** The worker's structured request logs so far, parsed. */
    requestLogs() {
      return logLines.flatMap((line) => {
        const json = line.slice(line.indexOf("{"));
        try {
          const parsed = JSON.parse(json);
          return parsed && typeof parsed.route === "string" ? [parsed] : [];
        } catch {
          return [];
        }
      });
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
    request(method, path, { headers = {}, body } = {}) {
      return new Promise((resolve, reject) => {
        const request = http.request(new URL(path, url), { method, headers, agent: false }, (response) => {
          const chunks = [];
          response.on("data", (chunk) => chunks.push(chunk));
          response.on("end", () =>
            resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks).toString("utf8") }),
          );
        });
        request.on("error", reject);
        request.end(body);
      });
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

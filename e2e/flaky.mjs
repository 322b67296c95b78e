// Real sinks that can be made to refuse, for the spill tests (e2e/spill.test.mjs). The relay's
// EVENTS_QUEUE (and EVENTS_KV) are service bindings to entrypoints of a `flaky` worker that
// forward to a real queue producer (and a real KV namespace), or throw while that sink is
// "down" or, at a failure rate, at random. The flag lives in the flaky worker's module state and
// is switched through its fetch handler: `/queue/down`, `/queue/up`, `/queue/rate?p=0.3`, and
// the same under `/kv/`. SPILL_BUCKET is a real local R2 bucket, or, to make the spill itself
// fail, an entrypoint whose `put` always throws.
import { Miniflare } from "miniflare";
import { signedPushHeaders } from "../scripts/huawei-signer.mjs";
import { relayWorker, COMPATIBILITY_DATE } from "../scripts/relay-worker.mjs";
import { KEYS, READ_TOKEN, QUEUE, DEAD_LETTER_QUEUE, RECORDER, keepLines, rawRequest } from "./harness.mjs";

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 50 ms; true once it holds, false after `timeoutMs`. */
export async function waitFor(condition, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
}

const FLAKY = `
import { WorkerEntrypoint } from "cloudflare:workers";

const sinks = {
  queue: { down: false, rate: 0, calls: 0, refused: 0, forwarded: 0 },
  kv: { down: false, rate: 0, calls: 0, refused: 0, forwarded: 0 },
  bucket: { puts: 0 },
};

function refuses(sink) {
  sink.calls++;
  if (sink.down || (sink.rate > 0 && Math.random() < sink.rate)) {
    sink.refused++;
    return true;
  }
  return false;
}

export class FlakyQueue extends WorkerEntrypoint {
  async sendBatch(messages, options) {
    if (refuses(sinks.queue)) throw new Error("injected queue refusal");
    await this.env.REAL_QUEUE.sendBatch(messages, options);
    sinks.queue.forwarded += messages.length;
  }
  async send(body, options) {
    if (refuses(sinks.queue)) throw new Error("injected queue refusal");
    await this.env.REAL_QUEUE.send(body, options);
    sinks.queue.forwarded += 1;
  }
}

export class FlakyKv extends WorkerEntrypoint {
  async put(key, value, options) {
    if (refuses(sinks.kv)) throw new Error("injected KV refusal");
    await this.env.REAL_KV.put(key, value, options);
    sinks.kv.forwarded += 1;
  }
  get(key, options) { return this.env.REAL_KV.get(key, options); }
  getWithMetadata(key, options) { return this.env.REAL_KV.getWithMetadata(key, options); }
  list(options) { return this.env.REAL_KV.list(options); }
  delete(key) { return this.env.REAL_KV.delete(key); }
}

// An R2 bucket whose every put fails; it holds nothing.
export class FailingBucket extends WorkerEntrypoint {
  async put() { sinks.bucket.puts++; throw new Error("injected R2 failure"); }
  async list() { return { objects: [], truncated: false, delimitedPrefixes: [] }; }
  async get() { return null; }
  async head() { return null; }
  async delete() {}
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const [, name, action] = url.pathname.split("/");
    const sink = sinks[name];
    if (sink && action === "down") sink.down = true;
    else if (sink && action === "up") { sink.down = false; sink.rate = 0; }
    else if (sink && action === "rate") sink.rate = Number(url.searchParams.get("p"));
    return Response.json(sinks);
  },
};`;

/**
 * A relay whose queue (and KV, with `kv`) go through the flaky worker, with SPILL_BUCKET a real
 * R2 bucket (`bucket: "r2"`), absent (`"none"`) or failing every put (`"failing"`). With
 * `delivery`, the relay consumes its own queue (HTTP delivery) and the recorder consumes the
 * dead-letter queue; otherwise the recorder consumes the events queue.
 */
export async function startSpillRelay({ forward = "queue", bucket = "r2", kv = false, delivery = false, bindings = {} } = {}) {
  const logLines = [];
  const mf = new Miniflare({
    handleRuntimeStdio: keepLines(logLines),
    workers: [
      relayWorker({
        serviceBindings: {
          EVENTS_QUEUE: { name: "flaky", entrypoint: "FlakyQueue" },
          ...(kv ? { EVENTS_KV: { name: "flaky", entrypoint: "FlakyKv" } } : {}),
          ...(bucket === "failing" ? { SPILL_BUCKET: { name: "flaky", entrypoint: "FailingBucket" } } : {}),
        },
        r2Buckets: bucket === "r2" ? ["SPILL_BUCKET"] : [],
        queueProducers: delivery ? { DEAD_LETTER_QUEUE } : {},
        queueConsumers: delivery ? { [QUEUE]: { maxBatchSize: 10, maxBatchTimeout: 0.05, maxRetries: 20 } } : {},
        bindings: { READ_TOKEN, HUAWEI_PUSH_KEYS: `ak1:${KEYS.ak1}`, FORWARD: forward, ...bindings },
      }),
      {
        name: "flaky",
        modules: true,
        script: FLAKY,
        compatibilityDate: COMPATIBILITY_DATE,
        queueProducers: { REAL_QUEUE: QUEUE },
        kvNamespaces: { REAL_KV: "events-kv" },
      },
      {
        name: "recorder",
        modules: true,
        script: RECORDER,
        compatibilityDate: COMPATIBILITY_DATE,
        queueConsumers: { [delivery ? DEAD_LETTER_QUEUE : QUEUE]: { maxBatchSize: 100, maxBatchTimeout: 0.05 } },
      },
    ],
  });
  const url = await mf.ready;
  const flaky = await mf.getWorker("flaky");
  const recorder = await mf.getWorker("recorder");
  const r2 = bucket === "r2" ? await mf.getR2Bucket("SPILL_BUCKET", "relay") : null;

  const relay = {
    mf,
    url,
    bucket: r2,
    kv: kv ? await mf.getKVNamespace("REAL_KV", "flaky") : null,
    /** Switches a sink: `sink("queue", "down")`, `sink("queue", "rate?p=0.3")`; the counters. */
    async sink(name, action) {
      return (await flaky.fetch(`http://flaky/${name}/${action}`)).json();
    },
    /** Runs one cron tick of the relay (its `scheduled` handler). */
    async drain() {
      const worker = await mf.getWorker("relay");
      return worker.scheduled({ cron: "* * * * *" });
    },
    /** Every object under `spill/`, oldest key first: `{ key, text, body }` (`body` parsed). */
    async spilled() {
      const out = [];
      let cursor;
      do {
        const page = await r2.list({ prefix: "spill/", cursor });
        for (const object of page.objects) {
          const text = await (await r2.get(object.key)).text();
          let body;
          try {
            body = JSON.parse(text);
          } catch (error) {
            throw new Error(`spill object ${object.key} is not JSON: ${error.message}\n${text.slice(0, 500)}`);
          }
          out.push({ key: object.key, text, body });
        }
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
      return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
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
    /** Everything the recorder has received so far: `[{ type, body }]`. */
    async received() {
      return (await recorder.fetch("http://recorder/")).json();
    },
    /** What the recorder holds after `settleMs` more. */
    async receivedAfter(settleMs = 400) {
      await sleep(settleMs);
      return relay.received();
    },
    async resetReceived() {
      await recorder.fetch("http://recorder/reset");
    },
    /** Waits until the recorder holds `count` messages (or `timeoutMs`), then `settleMs` more. */
    async waitForMessages(count, { settleMs = 300, timeoutMs = 10_000 } = {}) {
      await waitFor(async () => (await relay.received()).length >= count, timeoutMs);
      return relay.receivedAfter(settleMs);
    },
    /** Waits until the recorder holds a message for each id (or `timeoutMs`), then `settleMs` more. */
    async waitForIds(ids, { settleMs = 300, timeoutMs = 10_000 } = {}) {
      await waitFor(async () => {
        const seen = new Set((await relay.received()).map((message) => message.body?.id));
        return ids.every((id) => seen.has(id));
      }, timeoutMs);
      return relay.receivedAfter(settleMs);
    },
    request(method, path, options) {
      return rawRequest(url, method, path, options);
    },
    /** A push signed like Huawei's by ak1. */
    push(path, body, contentType) {
      const headers = signedPushHeaders({ url: new URL(path, url).href, body, contentType, accessKey: "ak1", secretKey: KEYS.ak1 });
      return relay.request("POST", path, { headers, body });
    },
    /** `GET /healthz` with the read token, parsed, with its status. */
    async health() {
      const response = await relay.request("GET", "/healthz", { headers: { Authorization: `Bearer ${READ_TOKEN}` } });
      let parsed;
      try {
        parsed = JSON.parse(response.body);
      } catch {
        throw new Error(`/healthz answered ${response.status} with non-JSON: ${response.body}`);
      }
      return { status: response.status, ...parsed };
    },
    async dispose() {
      await mf.dispose();
    },
  };
  return relay;
}

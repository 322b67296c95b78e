#!/usr/bin/env node
// Worker throughput: the built relay in Miniflare (Queue + KV sinks) against a no-op JS worker
// in the same process as the baseline. Fires signed single reports and batches of 50 at a fixed
// concurrency, prints requests/s, p50 and p99 for both and the ratio to the baseline, and checks
// that every accepted event landed in the queue and in KV.
//
//   node bench/load.mjs                  # full run (2,000 singles, 200 batches, concurrency 16)
//   node bench/load.mjs --smoke --json   # a few requests, machine-readable (used by the tests)
import { Miniflare } from "miniflare";
import http from "node:http";
import { signedPushHeaders } from "../scripts/huawei-signer.mjs";
import { FORM, JSON_UTF8 } from "../scripts/huawei-samples.mjs";
import { singleReport, batchOf50 } from "./pushes.mjs";
import { relayWorker, discardOutput, COMPATIBILITY_DATE } from "../scripts/relay-worker.mjs";

const args = new Set(process.argv.slice(2));
const smoke = args.has("--smoke");
const SINGLES = Number(process.env.SINGLES ?? (smoke ? 40 : 2_000));
const BATCHES = Number(process.env.BATCHES ?? (smoke ? 4 : 200));
const CONCURRENCY = Number(process.env.CONCURRENCY ?? (smoke ? 4 : 16));
const KEYS = "loadAk:loadSk-0123456789";
const [ACCESS_KEY, SECRET_KEY] = KEYS.split(":");

const sinkErrors = [];
const NOOP = `export default { async fetch(request) { await request.arrayBuffer(); return new Response(null); } };`;
const RECORDER = `
let count = 0;
export default {
  async queue(batch) { count += batch.messages.length; batch.ackAll(); },
  async fetch() { return Response.json({ count }); },
};`;

const singleBody = (i) => singleReport(`load-s-${i}`)[0];
const batchBody = (i) => batchOf50(`load-b-${i}`)[0];

/** Signed requests, prepared before timing so signing cost is not measured. */
function prepare(host, port) {
  const make = (body, contentType) => ({
    body,
    headers: signedPushHeaders({ url: `http://${host}:${port}/huawei/reports`, body, contentType, accessKey: ACCESS_KEY, secretKey: SECRET_KEY }),
  });
  return {
    singles: Array.from({ length: SINGLES }, (_, i) => make(singleBody(i), FORM)),
    batches: Array.from({ length: BATCHES }, (_, i) => make(batchBody(i), JSON_UTF8)),
  };
}

/**
 * Sends `requests` at `CONCURRENCY`, one connection each (Huawei sends `Connection: close`);
 * returns throughput, latencies and statuses. A failed connection counts as status "error".
 */
async function fire(port, requests) {
  const latencies = [];
  const statuses = {};
  let next = 0;
  const started = process.hrtime.bigint();
  async function lane() {
    while (next < requests.length) {
      const { body, headers } = requests[next++];
      const sent = process.hrtime.bigint();
      const status = await new Promise((resolve) => {
        const request = http.request({ host: "127.0.0.1", port, method: "POST", path: "/huawei/reports", headers, agent: false }, (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode));
        });
        request.on("error", () => resolve("error"));
        request.end(body);
      });
      latencies.push(Number(process.hrtime.bigint() - sent) / 1e6);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { requests: requests.length, rps: requests.length / seconds, p50_ms: at(0.5), p99_ms: at(0.99), statuses };
}

async function start(script) {
  const mf = new Miniflare(script);
  const url = await mf.ready;
  return { mf, port: Number(url.port) };
}

const relay = await start({
  workers: [
    relayWorker({
      kvNamespaces: ["EVENTS_KV"],
      queueProducers: { EVENTS_QUEUE: "sms-events" },
      bindings: { HUAWEI_PUSH_KEYS: KEYS, FORWARD: "queue,kv" },
    }),
    {
      name: "recorder",
      modules: true,
      script: RECORDER,
      compatibilityDate: COMPATIBILITY_DATE,
      queueConsumers: { "sms-events": { maxBatchSize: 100, maxBatchTimeout: 0.05 } },
    },
  ],
  // The relay logs a line per request: drain it (an unread pipe fills up and stalls workerd)
  // without printing it.
  handleRuntimeStdio(stdout, stderr) {
    for (const stream of [stdout, stderr]) {
      stream.on("data", (chunk) => {
        // Sink failures are the one thing worth showing.
        for (const line of chunk.toString("utf8").split("\n")) {
          if (line.includes("sink_error") && sinkErrors.length < 5) sinkErrors.push(line.slice(line.indexOf("{")));
        }
      });
    }
  },
});
const baseline = await start({ modules: true, script: NOOP, compatibilityDate: COMPATIBILITY_DATE });
// The same relay writing to the queue only: separates the relay's own cost from local KV's
// (SQLite-backed in Miniflare, so far slower than the real thing).
const queueOnly = await start({
  ...relayWorker({ queueProducers: { EVENTS_QUEUE: "sms-events" }, bindings: { HUAWEI_PUSH_KEYS: KEYS, FORWARD: "queue" } }),
  handleRuntimeStdio: discardOutput,
});

const results = {};
try {
  for (const [name, server] of [["relay", relay], ["relay_queue_only", queueOnly], ["baseline", baseline]]) {
    const prepared = prepare("127.0.0.1", server.port);
    results[name] = {
      single: await fire(server.port, prepared.singles),
      batch_50: await fire(server.port, prepared.batches),
    };
  }

  // Nothing may be lost: every event of every accepted push is in KV and reached the queue.
  const accepted = results.relay.single.statuses[200] ?? 0;
  const acceptedBatches = results.relay.batch_50.statuses[200] ?? 0;
  const expected = accepted + acceptedBatches * 50;
  const kv = await relay.mf.getKVNamespace("EVENTS_KV");
  let stored = 0;
  let cursor;
  do {
    const page = await kv.list({ cursor });
    stored += page.keys.length;
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  const recorder = await relay.mf.getWorker("recorder");
  const deadline = Date.now() + 30_000;
  let queued = 0;
  while (Date.now() < deadline) {
    queued = (await (await recorder.fetch("http://recorder/")).json()).count;
    if (queued >= expected) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  results.events = { expected, stored_in_kv: stored, received_from_queue: queued, lost: Math.max(0, expected - Math.min(stored, queued)) };
  const queueOnlyAccepted = (results.relay_queue_only.single.statuses[200] ?? 0) + (results.relay_queue_only.batch_50.statuses[200] ?? 0);
  results.all_accepted = accepted === SINGLES && acceptedBatches === BATCHES && queueOnlyAccepted === SINGLES + BATCHES;
  results.sink_errors = sinkErrors;
} finally {
  await relay.mf.dispose();
  await baseline.mf.dispose();
  await queueOnly.mf.dispose();
}

if (args.has("--json")) {
  console.log(JSON.stringify(results));
} else {
  const row = (label, r, b) =>
    `${label.padEnd(16)} ${r.rps.toFixed(0).padStart(8)} ${b.rps.toFixed(0).padStart(10)} ${(r.rps / b.rps).toFixed(2).padStart(8)}  ` +
    `${r.p50_ms.toFixed(2).padStart(8)} ${b.p50_ms.toFixed(2).padStart(8)}  ${r.p99_ms.toFixed(2).padStart(8)} ${b.p99_ms.toFixed(2).padStart(8)}`;
  console.log(`concurrency ${CONCURRENCY}: ${SINGLES} single reports, ${BATCHES} batches of 50`);
  console.log(`${"".padEnd(16)} ${"relay/s".padStart(8)} ${"baseline/s".padStart(10)} ${"ratio".padStart(8)}  ${"p50 ms".padStart(8)} ${"base".padStart(8)}  ${"p99 ms".padStart(8)} ${"base".padStart(8)}`);
  console.log(row("single report", results.relay.single, results.baseline.single));
  console.log(row("batch of 50", results.relay.batch_50, results.baseline.batch_50));
  console.log(row("single, queue only", results.relay_queue_only.single, results.baseline.single));
  console.log(row("batch, queue only", results.relay_queue_only.batch_50, results.baseline.batch_50));
  console.log(`events: ${results.events.expected} accepted, ${results.events.stored_in_kv} in KV, ${results.events.received_from_queue} from the queue, ${results.events.lost} lost`);
}
process.exit(results.events.lost === 0 && results.all_accepted ? 0 : 1);

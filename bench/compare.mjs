#!/usr/bin/env node
// The relay against the JavaScript a user could write instead: the built relay (queue sink),
// the idiomatic JS worker in bench/baseline-js/ (same contract, same events — see
// e2e/baseline-js.test.mjs) and a no-op worker that reads the body and answers 200, each in its
// own workerd, driven by one Node process. Signed Huawei pushes at concurrency 8 over keep-alive,
// in alternating rounds; reports the median of the per-round throughput ratios, p50/p99
// latency, workerd CPU time per request (from /proc: user + system of each worker's own
// workerd process), and cold start (the first answer after the runtime is up). Every event
// of every accepted push must reach each worker's queue.
//
//   node bench/compare.mjs                  # ROUNDS=7, SINGLES=400 and BATCHES=80 per round
//   node bench/compare.mjs --smoke --json   # a quick run, machine-readable (used by the tests)
import { Miniflare } from "miniflare";
import http from "node:http";
import { readFileSync, readdirSync } from "node:fs";
import { signedPushHeaders } from "../scripts/huawei-signer.mjs";
import { singleReport, batchOf50 } from "./pushes.mjs";
import { relayWorker, discardOutput, COMPATIBILITY_DATE } from "../scripts/relay-worker.mjs";

const args = new Set(process.argv.slice(2));
const smoke = args.has("--smoke");
const ROUNDS = Number(process.env.ROUNDS ?? (smoke ? 2 : 7));
const SINGLES = Number(process.env.SINGLES ?? (smoke ? 20 : 400));
const BATCHES = Number(process.env.BATCHES ?? (smoke ? 4 : 80));
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const KEYS = "cmpAk:cmpSk-0123456789";
const [ACCESS_KEY, SECRET_KEY] = KEYS.split(":");
const CLOCK_TICK_MS = 10; // USER_HZ is 100 on Linux
// Cold start is one request per fresh runtime, so it is sampled on this many runtimes (median).
const COLD_SAMPLES = Number(process.env.COLD_SAMPLES ?? (smoke ? 1 : 7));

const NOOP = `export default { async fetch(request) { await request.arrayBuffer(); return new Response(null); } };`;
// The platform's share: what any worker pays to put the same number of events of the same
// size on the queue (the documented example event, one per report in the push), and nothing
// else. No worker doing the job can be cheaper than this.
const QUEUE_ONLY = `
const EVENT = ${readFileSync(new URL("../tests/data/huawei/status-report.event.json", import.meta.url), "utf8").trim().replace(/\s+/g, " ")};
export default {
  async fetch(request, env) {
    const body = await request.text();
    const count = body.split("smsMsgId").length - 1 || 1;
    await env.EVENTS_QUEUE.sendBatch(Array.from({ length: count }, () => ({ body: EVENT, contentType: "json" })));
    return new Response(null);
  },
};`;
const COUNTER = `
let count = 0;
export default {
  async queue(batch) { count += batch.messages.length; batch.ackAll(); },
  async fetch() { return Response.json({ count }); },
};`;

const counter = (queue) => ({
  name: "counter",
  modules: true,
  script: COUNTER,
  compatibilityDate: COMPATIBILITY_DATE,
  queueConsumers: { [queue]: { maxBatchSize: 100, maxBatchTimeout: 0.05 } },
});

const WORKERS = {
  relay: {
    workers: [relayWorker({ queueProducers: { EVENTS_QUEUE: "events" }, bindings: { HUAWEI_PUSH_KEYS: KEYS, FORWARD: "queue" } }), counter("events")],
    handleRuntimeStdio: discardOutput,
  },
  js: {
    workers: [
      { name: "js", scriptPath: "bench/baseline-js/worker.mjs", modules: true, compatibilityDate: COMPATIBILITY_DATE, queueProducers: { EVENTS_QUEUE: "events" }, bindings: { HUAWEI_PUSH_KEYS: KEYS } },
      counter("events"),
    ],
    handleRuntimeStdio: discardOutput,
  },
  noop: { modules: true, script: NOOP, compatibilityDate: COMPATIBILITY_DATE, handleRuntimeStdio: discardOutput },
  queue_only: {
    workers: [
      { name: "queue_only", modules: true, script: QUEUE_ONLY, compatibilityDate: COMPATIBILITY_DATE, queueProducers: { EVENTS_QUEUE: "events" } },
      counter("events"),
    ],
    handleRuntimeStdio: discardOutput,
  },
};

/** workerd processes that are children of this one, by pid. */
function workerdPids() {
  return readdirSync("/proc").filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8").trim();
      const [, comm, rest] = stat.match(/^\d+ \((.*)\) (.*)$/) ?? [];
      return comm === "workerd" && Number(rest.split(" ")[1]) === process.pid;
    } catch {
      return false;
    }
  });
}

/** CPU milliseconds (user + system) a process has used so far. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
  return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
}

let serial = 0;
function bodies(kind, count) {
  return Array.from({ length: count }, () => (kind === "single" ? singleReport : batchOf50)(`cmp-${serial++}`));
}

/** Signs each body for `port` before timing, so signing cost is not measured. */
function sign(port, list) {
  return list.map(([body, contentType]) => {
    const headers = signedPushHeaders({ url: `http://127.0.0.1:${port}/huawei/reports`, body, contentType, accessKey: ACCESS_KEY, secretKey: SECRET_KEY });
    delete headers.Connection; // keep-alive; the relay and the JS worker both recover `close`
    return { body, headers };
  });
}

async function fire(worker, requests) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies = [];
  let next = 0;
  let accepted = 0;
  const cpuBefore = cpuMs(worker.pid);
  const started = process.hrtime.bigint();
  async function lane() {
    while (next < requests.length) {
      const { body, headers } = requests[next++];
      const sent = process.hrtime.bigint();
      const status = await new Promise((resolve) => {
        const request = http.request({ host: "127.0.0.1", port: worker.port, method: "POST", path: "/huawei/reports", headers, agent }, (response) => {
          response.resume();
          response.on("end", () => resolve(response.statusCode));
        });
        request.on("error", () => resolve("error"));
        request.end(body);
      });
      latencies.push(Number(process.hrtime.bigint() - sent) / 1e6);
      if (status === 200) accepted++;
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  return { rps: requests.length / seconds, latencies, accepted, cpu_ms: cpuMs(worker.pid) - cpuBefore, requests: requests.length };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};

/** A fresh runtime for `options` and the time of its first answer, once it is up (the module
 * evaluated, its wasm compiled lazily as the request runs). */
async function startCold(options) {
  const known = new Set(workerdPids());
  const mf = new Miniflare(options);
  const url = await mf.ready;
  const [pid] = workerdPids().filter((p) => !known.has(p));
  const port = Number(url.port);
  const [first] = sign(port, bodies("single", 1));
  const sent = process.hrtime.bigint();
  const run = await fire({ port, pid }, [first]);
  return { mf, port, pid, cold_ms: Number(process.hrtime.bigint() - sent) / 1e6, accepted: run.accepted };
}

const workers = {};
try {
  // Warm Node's own HTTP client first, so the first cold sample does not pay for it.
  await fetch("http://127.0.0.1:9/").catch(() => {});
  for (const [name, options] of Object.entries(WORKERS)) {
    // Cold start is one request per fresh runtime: sampled on COLD_SAMPLES runtimes, the last
    // of which stays up for the rounds.
    const coldRuns = [];
    for (let i = 1; i < COLD_SAMPLES; i++) {
      const sample = await startCold(options);
      coldRuns.push(sample.cold_ms);
      await sample.mf.dispose();
    }
    const { mf, port, pid, cold_ms, accepted } = await startCold(options);
    coldRuns.push(cold_ms);
    workers[name] = { mf, port, pid, cold_ms: median(coldRuns), accepted_events: accepted };
  }

  const results = { rounds: ROUNDS, concurrency: CONCURRENCY, workloads: {} };
  for (const [workload, count, events] of [["single", SINGLES, 1], ["batch_50", BATCHES, 50]]) {
    const runs = Object.fromEntries(Object.keys(WORKERS).map((name) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate who goes first, so drift in the machine does not favour one worker.
      const order = Object.keys(WORKERS);
      for (let k = 0; k < round % order.length; k++) order.push(order.shift());
      for (const name of order) {
        const worker = workers[name];
        const run = await fire(worker, sign(worker.port, bodies(workload, count)));
        worker.accepted_events += run.accepted * events;
        runs[name].push(run);
      }
    }
    const ratio = (a, b) => median(runs[a].map((run, i) => run.rps / runs[b][i].rps));
    const cpuPerRequest = (name) => runs[name].reduce((sum, r) => sum + r.cpu_ms, 0) / runs[name].reduce((sum, r) => sum + r.requests, 0);
    results.workloads[workload] = {
      relay_over_js: ratio("relay", "js"),
      relay_over_noop: ratio("relay", "noop"),
      js_over_noop: ratio("js", "noop"),
      relay_over_queue_only: ratio("relay", "queue_only"),
      js_over_queue_only: ratio("js", "queue_only"),
      ...Object.fromEntries(
        Object.keys(WORKERS).map((name) => {
          const latencies = runs[name].flatMap((run) => run.latencies);
          return [name, {
            rps: median(runs[name].map((run) => run.rps)),
            p50_ms: quantile(latencies, 0.5),
            p99_ms: quantile(latencies, 0.99),
            cpu_us_per_request: cpuPerRequest(name) * 1000,
            accepted: runs[name].reduce((sum, r) => sum + r.accepted, 0),
            requests: runs[name].reduce((sum, r) => sum + r.requests, 0),
          }];
        }),
      ),
    };
  }

  // Nothing lost: each queue received every event of every accepted push.
  results.events = {};
  for (const name of ["relay", "js", "queue_only"]) {
    const counter = await workers[name].mf.getWorker("counter");
    const deadline = Date.now() + 30_000;
    let count = 0;
    while (Date.now() < deadline) {
      count = (await (await counter.fetch("http://counter/")).json()).count;
      if (count >= workers[name].accepted_events) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    results.events[name] = { accepted: workers[name].accepted_events, queued: count, lost: Math.max(0, workers[name].accepted_events - count) };
  }
  results.cold_start_ms = Object.fromEntries(Object.entries(workers).map(([name, w]) => [name, w.cold_ms]));
  results.all_accepted = Object.values(results.workloads).every((w) => ["relay", "js", "noop"].every((n) => w[n].accepted === w[n].requests));
  // The issue's floor for keeping the win: never slower than the JavaScript a user could write.
  results.slower_than_js = Object.entries(results.workloads).filter(([, w]) => w.relay_over_js < 1.0).map(([name]) => name);

  if (args.has("--json")) {
    console.log(JSON.stringify(results));
  } else {
    console.log(`relay vs JS worker vs no-op, ${ROUNDS} alternating rounds, concurrency ${CONCURRENCY}, keep-alive, queue sink`);
    for (const [workload, w] of Object.entries(results.workloads)) {
      const cpuAbove = (name) => w[name].cpu_us_per_request - w.noop.cpu_us_per_request;
      console.log(`  ${workload}: relay/JS ${w.relay_over_js.toFixed(2)}×   relay/no-op ${w.relay_over_noop.toFixed(2)}×   JS/no-op ${w.js_over_noop.toFixed(2)}×`);
      console.log(`    against the queue-only floor (the platform's share): relay ${w.relay_over_queue_only.toFixed(2)}×, JS ${w.js_over_queue_only.toFixed(2)}×`);
      for (const name of ["relay", "js", "noop", "queue_only"]) {
        console.log(`    ${name.padEnd(10)} ${w[name].rps.toFixed(0).padStart(6)} req/s   p50 ${w[name].p50_ms.toFixed(2).padStart(6)} ms   p99 ${w[name].p99_ms.toFixed(2).padStart(6)} ms   CPU ${w[name].cpu_us_per_request.toFixed(0).padStart(5)} µs/request${name === "noop" ? "" : ` (${cpuAbove(name).toFixed(0)} above no-op)`}`);
      }
    }
    const cold = results.cold_start_ms;
    console.log(`  cold start (first answer, median of ${COLD_SAMPLES} runtimes): relay ${cold.relay.toFixed(1)} ms, JS ${cold.js.toFixed(1)} ms (relay/JS ${(cold.relay / cold.js).toFixed(2)}×), no-op ${cold.noop.toFixed(1)} ms`);
    for (const [name, e] of Object.entries(results.events)) console.log(`  ${name}: ${e.accepted} events accepted, ${e.queued} from the queue, ${e.lost} lost`);
  }
  process.exitCode = results.all_accepted && Object.values(results.events).every((e) => e.lost === 0) ? 0 : 1;
  if (!smoke && results.slower_than_js.length > 0) {
    console.error(`FAILED: the relay is slower than the JavaScript baseline on ${results.slower_than_js.join(", ")}`);
    process.exitCode = 1;
  }
} finally {
  await Promise.all(Object.values(workers).map((w) => w.mf.dispose()));
}

#!/usr/bin/env node
// Each worker's own work per push, without the platform's: the built relay and the JavaScript
// baseline (bench/baseline-js) loaded side by side in one isolate, each called directly with the
// same signed pushes and the same stubbed queue (its sendBatch only counts messages), in
// alternating rounds, timed with Date.now() inside workerd (which advances while code runs
// there). A floor round does what any worker must: build the request, read its body, answer.
// bench/compare.mjs measures the whole request, queue included; this is the part each worker
// controls. Reports µs per push and the median of the per-round ratios.
//
//   node bench/own.mjs            # 9 rounds (needs `make build`)
//   node bench/own.mjs --json     # machine-readable (make bench)
//   node bench/own.mjs --smoke    # a quick run (the tests)
import { Miniflare } from "miniflare";
import { writeFileSync } from "node:fs";
import { signedPushHeaders } from "../scripts/huawei-signer.mjs";
import { singleReport, batchOf50 } from "./pushes.mjs";
import { COMPATIBILITY_DATE } from "../scripts/relay-worker.mjs";

const args = new Set(process.argv.slice(2));
const smoke = args.has("--smoke");
const ROUNDS = Number(process.env.ROUNDS ?? (smoke ? 2 : 9));
const PER_ROUND = { single: smoke ? 50 : 2000, batch_50: smoke ? 5 : 200 };
const KEYS = "ownAk:ownSk-0123456789";
const [ACCESS_KEY, SECRET_KEY] = KEYS.split(":");

const HARNESS = `
import relay from "./worker.js";
import js from "../bench/baseline-js/worker.mjs";
const floor = { async fetch(request) { await request.arrayBuffer(); return new Response(null); } };
const WORKERS = { relay, js, floor };
export default {
  async fetch(request, env) {
    const { name, pushes, n } = await request.json();
    let messages = 0;
    const stubbed = { ...env, EVENTS_QUEUE: { async sendBatch(batch) { messages += batch.length; } } };
    const worker = WORKERS[name];
    const started = Date.now();
    for (let i = 0; i < n; i++) {
      const { url, headers, body } = pushes[i % pushes.length];
      const response = await worker.fetch(new Request(url, { method: "POST", headers, body }), stubbed, {});
      if (response.status !== 200) return Response.json({ error: name + " answered " + response.status + " " + (await response.text()) });
    }
    return Response.json({ us: ((Date.now() - started) * 1000) / n, messages });
  },
};`;

writeFileSync("build/own-harness.mjs", HARNESS);
const mf = new Miniflare({
  scriptPath: "build/own-harness.mjs",
  modulesRoot: ".",
  modules: true,
  modulesRules: [
    { type: "ESModule", include: ["**/*.js", "**/*.mjs"] },
    { type: "CompiledWasm", include: ["**/*.wasm"] },
  ],
  compatibilityDate: COMPATIBILITY_DATE,
  bindings: { HUAWEI_PUSH_KEYS: KEYS, FORWARD: "queue" },
  queueProducers: { EVENTS_QUEUE: "unused" },
  handleRuntimeStdio(stdout, stderr) {
    stdout.resume();
    stderr.resume();
  },
});

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const url = await mf.ready;
const results = { rounds: ROUNDS, workloads: {} };
let failed = false;
try {
  for (const [workload, make, events] of [["single", singleReport, 1], ["batch_50", batchOf50, 50]]) {
    // Distinct message ids, signed now: the relay refuses a stale signature.
    const pushes = Array.from({ length: 20 }, (_, i) => {
      const [body, contentType] = make(`own-${workload}-${i}`);
      const target = "http://relay.example/huawei/reports";
      const headers = signedPushHeaders({ url: target, body, contentType, accessKey: ACCESS_KEY, secretKey: SECRET_KEY });
      delete headers.Connection;
      return { url: target, headers, body };
    });
    const runs = { relay: [], js: [], floor: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 ? ["js", "relay", "floor"] : ["relay", "js", "floor"];
      for (const name of order) {
        const run = await (await fetch(url, { method: "POST", body: JSON.stringify({ name, pushes, n: PER_ROUND[workload] }) })).json();
        if (run.error || (name !== "floor" && run.messages !== PER_ROUND[workload] * events)) {
          console.error(`${workload}: ${run.error ?? `${name} queued ${run.messages} messages`}`);
          failed = true;
          break;
        }
        runs[name].push(run.us);
      }
      if (failed) break;
    }
    if (failed) break;
    const floor = median(runs.floor);
    results.workloads[workload] = {
      relay_us: median(runs.relay),
      js_us: median(runs.js),
      floor_us: floor,
      js_over_relay: median(runs.relay.map((relay, i) => (runs.js[i] - runs.floor[i]) / (relay - runs.floor[i]))),
    };
  }
} finally {
  await mf.dispose();
}

if (args.has("--json")) {
  console.log(JSON.stringify({ ...results, failed }));
} else {
  console.log(`each worker's own work per push, queue stubbed, one isolate, ${ROUNDS} alternating rounds`);
  for (const [workload, w] of Object.entries(results.workloads)) {
    console.log(`  ${workload.padEnd(9)} relay ${w.relay_us.toFixed(1)} µs   JS ${w.js_us.toFixed(1)} µs   floor ${w.floor_us.toFixed(1)} µs   above the floor, JS/relay ${w.js_over_relay.toFixed(2)}×`);
  }
}
process.exitCode = failed ? 1 : 0;

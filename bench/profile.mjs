#!/usr/bin/env node
// Where a worker spends its CPU: a V8 CPU profile through workerd's inspector while signed
// pushes arrive, summarized by where the time lands — the relay's WebAssembly (by crate), the
// JavaScript glue around it, the runtime's builtins, garbage collection.
//
//   KEEP_WASM_NAMES=1 make build && node bench/profile.mjs relay single   # readable wasm names
//   node bench/profile.mjs js batch_50
//   node bench/profile.mjs relay batch_50 --top 40 --json
import { Miniflare } from "miniflare";
import http from "node:http";
import WebSocket from "ws";
import { signedPushHeaders } from "../scripts/huawei-signer.mjs";
import { singleReport, batchOf50 } from "./pushes.mjs";
import { relayWorker, discardOutput, COMPATIBILITY_DATE } from "../scripts/relay-worker.mjs";

const [which = "relay", workload = "single", ...rest] = process.argv.slice(2);
const TOP = Number(rest[rest.indexOf("--top") + 1]) || 25;
const REQUESTS = Number(process.env.REQUESTS ?? (workload === "single" ? 3000 : 600));
const CONCURRENCY = 8;
const INSPECTOR_PORT = Number(process.env.INSPECTOR_PORT ?? 9331);
const KEYS = "profAk:profSk-0123456789";
const [ACCESS_KEY, SECRET_KEY] = KEYS.split(":");
const COUNTER = `export default { async queue(batch) { batch.ackAll(); } };`;

const worker = {
  relay: relayWorker({ queueProducers: { EVENTS_QUEUE: "events" }, bindings: { HUAWEI_PUSH_KEYS: KEYS, FORWARD: "queue" }, unsafeInspectorProxy: true }),
  js: { name: "js", scriptPath: "bench/baseline-js/worker.mjs", modules: true, compatibilityDate: COMPATIBILITY_DATE, queueProducers: { EVENTS_QUEUE: "events" }, bindings: { HUAWEI_PUSH_KEYS: KEYS }, unsafeInspectorProxy: true },
}[which];
const mf = new Miniflare({
  inspectorPort: INSPECTOR_PORT,
  workers: [worker, { name: "counter", modules: true, script: COUNTER, compatibilityDate: COMPATIBILITY_DATE, queueConsumers: { events: { maxBatchSize: 100, maxBatchTimeout: 0.05 } } }],
  handleRuntimeStdio: discardOutput,
});
const url = await mf.ready;
const port = Number(url.port);

const body = (i) => (workload === "single" ? singleReport : batchOf50)(`prof-${i}`);

async function fire(count, offset) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const requests = Array.from({ length: count }, (_, i) => {
    const [text, contentType] = body(offset + i);
    const headers = signedPushHeaders({ url: `http://127.0.0.1:${port}/huawei/reports`, body: text, contentType, accessKey: ACCESS_KEY, secretKey: SECRET_KEY });
    delete headers.Connection;
    return { text, headers };
  });
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < requests.length) {
      const { text, headers } = requests[next++];
      await new Promise((resolve) => {
        const request = http.request({ host: "127.0.0.1", port, method: "POST", path: "/huawei/reports", headers, agent }, (response) => {
          response.resume();
          response.on("end", resolve);
        });
        request.on("error", resolve);
        request.end(text);
      });
    }
  }));
  agent.destroy();
}

await fire(200, 0); // warm up before profiling

const targets = await (await fetch(`http://127.0.0.1:${INSPECTOR_PORT}/json`)).json();
const target = targets.find((t) => t.title?.includes(worker.name) || t.url?.includes(worker.name)) ?? targets[0];
const socket = new WebSocket(target.webSocketDebuggerUrl);
await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
let id = 0;
const pending = new Map();
socket.on("message", (data) => {
  const message = JSON.parse(data);
  pending.get(message.id)?.(message.result);
  pending.delete(message.id);
});
const send = (method, params = {}) => new Promise((resolve) => { pending.set(++id, resolve); socket.send(JSON.stringify({ id, method, params })); });

await send("Profiler.enable");
await send("Profiler.setSamplingInterval", { interval: 50 });
await send("Profiler.start");
await fire(REQUESTS, 1000);
const { profile } = await send("Profiler.stop");
socket.close();
await mf.dispose();

// Self time per node: each sample's time goes to the node it was taken in.
const selfUs = new Map();
profile.samples.forEach((node, i) => selfUs.set(node, (selfUs.get(node) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const byFunction = new Map();
const byArea = new Map();
const byCrate = new Map();
let total = 0;
for (const [nodeId, us] of selfUs) {
  const { functionName, url: scriptUrl } = nodes.get(nodeId).callFrame;
  const name = functionName || "(anonymous)";
  if (name === "(idle)") continue;
  total += us;
  const area = areaOf(name, scriptUrl);
  if (area === "relay wasm (Rust)") {
    const crate = name.replace(/^[<&$]+(mut )?/, "").split(/::|\[| as /)[0] || "(unnamed)";
    byCrate.set(crate, (byCrate.get(crate) ?? 0) + us);
  }
  const key = `${name}  [${area}]`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  byArea.set(area, (byArea.get(area) ?? 0) + us);
}

function areaOf(name, scriptUrl) {
  // (anonymous) without a script: the runtime's own request handling; (program): native code
  // V8 cannot attribute; (garbage collector).
  if (name.startsWith("(")) return scriptUrl ? "JS (anonymous functions)" : `runtime ${name}`;
  if (/^js-to-wasm|^wasm-to-js/.test(name)) return "JS ↔ wasm crossings";
  if (scriptUrl?.includes("wasm") || /^\$|::|wasm-function|^__wbindgen_(malloc|free|realloc)|^__externref/.test(name)) return "relay wasm (Rust)";
  if (scriptUrl?.includes("baseline-js")) return "JS worker code";
  if (scriptUrl?.endsWith("worker.js")) return "JS entry module (I/O around the core)";
  if (scriptUrl) return "JS glue (wasm-bindgen)";
  return "runtime builtins (sendBatch, Response, queueMicrotask, …)";
}

const perRequest = (us) => us / REQUESTS;
const rows = (map, limit) => [...map].sort((a, b) => b[1] - a[1]).slice(0, limit);
const result = {
  worker: which,
  workload,
  requests: REQUESTS,
  profiled_cpu_us_per_request: perRequest(total),
  areas: Object.fromEntries(rows(byArea, 100).map(([area, us]) => [area, perRequest(us)])),
  wasm_crates: Object.fromEntries(rows(byCrate, 100).map(([crate, us]) => [crate, perRequest(us)])),
  top: rows(byFunction, TOP).map(([name, us]) => ({ name, us_per_request: perRequest(us) })),
};
if (rest.includes("--json")) {
  console.log(JSON.stringify(result));
} else {
  console.log(`${which}, ${workload}: ${REQUESTS} requests, ${perRequest(total).toFixed(0)} µs of profiled CPU per request (idle excluded)`);
  console.log("  by area:");
  for (const [area, us] of rows(byArea, 100)) console.log(`    ${perRequest(us).toFixed(1).padStart(8)} µs  ${(100 * us / total).toFixed(1).padStart(5)}%  ${area}`);
  if (byCrate.size) {
    console.log("  relay wasm by crate:");
    for (const [crate, us] of rows(byCrate, 8)) console.log(`    ${perRequest(us).toFixed(1).padStart(8)} µs  ${crate}`);
  }
  console.log(`  top ${TOP} functions by self time:`);
  for (const [name, us] of rows(byFunction, TOP)) console.log(`    ${perRequest(us).toFixed(1).padStart(8)} µs  ${name.slice(0, 110)}`);
}

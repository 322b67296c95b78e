// The step protocol between worker.js and the wasm: the kinds are the #[wasm_bindgen] enums of
// src/edge (FetchStep, DrainStep, DeliveryStep), imported from the glue, and a step of any
// other value throws rather than being taken for the end. The built worker.js runs unchanged
// in Miniflare; only the module it imports as "./relay.js" is a thin stand-in that re-exports
// the real glue and makes each machine's step() answer an unknown value after some real steps.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { readFileSync } from "node:fs";
import { Miniflare } from "miniflare";
import { signedPushHeaders } from "../scripts/huawei-signer.mjs";
import { FORM, STATUS_REPORT } from "../scripts/huawei-samples.mjs";
import { COMPATIBILITY_DATE } from "../scripts/relay-worker.mjs";
import { keepLines, rawRequest } from "./harness.mjs";
import { telnyxHeaders, publicKeyBase64 } from "../scripts/samples/telnyx.mjs";
import * as glue from "../build/relay.js";

const ENUMS = ["FetchStep", "DrainStep", "DeliveryStep"];
const PUSH_KEY = "protocol-secret-0123456789";
const SECRET = "whsec_" + Buffer.from("protocol-test-secret-0123456789").toString("base64");

/** The real glue with Relay's exchange(), drain() and delivery() wrapped: with UNKNOWN_STEP
 * set (JSON), a machine's step() answers it once REAL_STEPS real steps have been taken. */
const STAND_IN = `
export * from "./relay-glue.js";
import { Relay as Glue } from "./relay-glue.js";

function unknownAfter(machine, env) {
  if (machine === undefined || env.UNKNOWN_STEP === undefined) return machine;
  const step = machine.step, unknown = JSON.parse(env.UNKNOWN_STEP);
  let real = Number(env.REAL_STEPS);
  machine.step = (...args) => (real-- > 0 ? step.apply(machine, args) : unknown);
  return machine;
}

export class Relay extends Glue {
  constructor(env) {
    super(env);
    this.env = env;
  }
  exchange(...args) { return unknownAfter(super.exchange(...args), this.env); }
  drain() { return unknownAfter(super.drain(), this.env); }
  delivery(...args) { return unknownAfter(super.delivery(...args), this.env); }
}`;

test("every step kind has its own case in worker.js, and each switch throws on anything else", () => {
  const source = readFileSync("build/worker.js", "utf8");
  for (const name of ENUMS) {
    const kinds = Object.keys(glue[name]).filter((key) => Number.isNaN(Number(key)));
    assert.ok(kinds.length >= 6, `${name} is exported by the glue: ${kinds}`);
    assert.ok(Object.isFrozen(glue[name]), `${name} is frozen`);
    assert.match(source, new RegExp(`import \\{[^}]*\\b${name}\\b[^}]*\\} from "\\./relay\\.js"`), `worker.js imports ${name}`);
    for (const kind of kinds) assert.ok(source.includes(`case ${name}.${kind}:`), `worker.js has case ${name}.${kind}`);
  }
  assert.doesNotMatch(source, /case\s+-?\d/, "no step is a number of worker.js's own");
  // The one step that is not storage: the edge runs the Ed25519 check the core asks for.
  assert.ok("VerifyEd25519" in glue.FetchStep);
  assert.match(source, /importKey\("raw", [^)]*\{ name: "Ed25519" \}, false, \["verify"\]\)/);
  assert.match(source, /subtle\.verify\(\{ name: "Ed25519" \}/);
  assert.equal(source.match(/default:\s*throw new Error\(`sms-relay: unknown (fetch|drain|delivery) step \$\{step\}`\)/g)?.length, 3);
});

/** A backend that answers every delivery 204 and counts them. */
async function startBackend() {
  const backend = { posts: 0 };
  backend.server = http.createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      backend.posts++;
      response.writeHead(204).end();
    });
  });
  await new Promise((resolve) => backend.server.listen(0, "127.0.0.1", resolve));
  backend.url = `http://127.0.0.1:${backend.server.address().port}/hooks`;
  return backend;
}

/** One relay worker per case, each loading build/worker.js with the stand-in glue. */
function relays(backend, cases) {
  // The paths only name the modules (their contents are given): worker.js's "./relay.js" is
  // the stand-in, which imports the real glue as "./relay-glue.js".
  const modules = [
    { type: "ESModule", path: "/relay/worker.js", contents: readFileSync("build/worker.js") },
    { type: "ESModule", path: "/relay/relay.js", contents: STAND_IN },
    { type: "ESModule", path: "/relay/relay-glue.js", contents: readFileSync("build/relay.js") },
    { type: "CompiledWasm", path: "/relay/relay_bg.wasm", contents: readFileSync("build/relay_bg.wasm") },
  ];
  return Object.entries(cases).map(([name, unknown]) => ({
    name,
    // A push must come as Huawei sends it (its signature covers `Connection`, which fetch()
    // drops), so each relay answers the raw requests for its own host.
    routes: [`${name}.test/*`],
    modules,
    modulesRoot: "/relay",
    compatibilityDate: COMPATIBILITY_DATE,
    queueProducers: { EVENTS_QUEUE: "protocol-events", DEAD_LETTER_QUEUE: "protocol-dlq" },
    r2Buckets: ["SPILL_BUCKET"],
    bindings: {
      HUAWEI_PUSH_KEYS: `ak1:${PUSH_KEY}`,
      TELNYX_PUBLIC_KEYS: publicKeyBase64(),
      FORWARD: "queue,http",
      FORWARD_URL: backend.url,
      FORWARD_SECRET: SECRET,
      ...(unknown && { UNKNOWN_STEP: JSON.stringify(unknown.step), REAL_STEPS: String(unknown.after) }),
    },
  }));
}

/** A signed push of one status report to the relay of `name`: `{ status, body }`. */
async function push(url, name) {
  const headers = signedPushHeaders({ url: `http://${name}.test/huawei/reports`, body: STATUS_REPORT, contentType: FORM, accessKey: "ak1", secretKey: PUSH_KEY });
  const { status, body } = await rawRequest(url, "POST", "/huawei/reports", { headers, body: STATUS_REPORT });
  return { status, body };
}

/** A signed Telnyx webhook to the relay of `name`: its first step is VerifyEd25519. */
async function pushTelnyx(url, name) {
  const body = '{"data":{"event_type":"message.finalized","id":"p1","payload":{"id":"m1","to":[{"phone_number":"+18665550001","status":"delivered"}]}}}';
  const { status, body: answer } = await rawRequest(url, "POST", "/telnyx/webhooks", { headers: { ...telnyxHeaders(body), Host: `${name}.test` }, body });
  return { status, body: answer };
}

/** One queued event handed to `worker`'s queue handler. */
function deliver(worker, id) {
  const event = { specversion: "1.0", id, type: "com.huawei.sms.status_report", source: "protocol-test" };
  return worker.queue("protocol-events", [{ id: `message-${id}`, timestamp: new Date(), attempts: 1, body: event }]);
}

test("a step worker.js does not know throws, in the fetch, cron and queue handlers alike", { timeout: 60_000 }, async () => {
  const backend = await startBackend();
  const logLines = [];
  // `after`: the real steps taken before the unknown one. After one, a push has sent its batch,
  // the drain has listed the bucket and the delivery has POSTed: the unknown step stands where
  // the end (Finish, Finish, Ack) would be, which is what an unknown value used to be taken for.
  const cases = {
    known: null,
    first: { step: 99, after: 0 },
    "after-one": { step: 99, after: 1 },
    "not-a-number": { step: null, after: 1 },
    "a-name": { step: "Finish", after: 1 },
  };
  // verbose: workerd then prints the exceptions the handlers throw, with their messages.
  const mf = new Miniflare({ workers: relays(backend, cases), handleRuntimeStdio: keepLines(logLines), verbose: true });
  try {
    const url = await mf.ready;
    const known = await mf.getWorker("known");
    assert.equal((await push(url, "known")).status, 200, "the stand-in glue alone changes nothing");
    assert.deepEqual(await pushTelnyx(url, "known"), { status: 200, body: "" }, "VerifyEd25519, then the storage steps");
    assert.equal((await known.scheduled({ cron: "* * * * *" })).outcome, "ok");
    const delivered = await deliver(known, "known");
    assert.equal(delivered.outcome, "ok");
    assert.deepEqual(delivered.explicitAcks, ["message-known"]);
    assert.equal(backend.posts, 1);

    for (const [name, unknown] of Object.entries(cases).filter(([, unknown]) => unknown)) {
      const worker = await mf.getWorker(name);
      const postsBefore = backend.posts;
      assert.deepEqual(await push(url, name), { status: 500, body: '{"error":"internal_error"}' }, `${name}: fetch`);
      // Before or after the Ed25519 step, an unknown step throws the same way.
      assert.deepEqual(await pushTelnyx(url, name), { status: 500, body: '{"error":"internal_error"}' }, `${name}: fetch, Telnyx`);
      assert.equal((await worker.scheduled({ cron: "* * * * *" })).outcome, "exception", `${name}: scheduled`);
      const result = await deliver(worker, name);
      assert.equal(result.outcome, "exception", `${name}: queue`);
      assert.deepEqual([result.explicitAcks, result.retryMessages], [[], []], `${name}: the message is neither acked nor retried`);
      assert.equal(backend.posts, postsBefore + unknown.after, `${name}: POSTs before the unknown step`);
    }
  } finally {
    await mf.dispose();
    await new Promise((resolve) => backend.server.close(resolve));
  }
  // What the unknown steps threw reached the runtime: the cron and queue handlers rethrow (the
  // fetch handler answers the 500 above).
  const thrown = logLines.join("\n");
  for (const handler of ["drain", "delivery"]) {
    for (const value of ["99", "null", "Finish"]) {
      assert.ok(thrown.includes(`sms-relay: unknown ${handler} step ${value}`), `the ${handler} threw for ${value}:\n${thrown}`);
    }
  }
});

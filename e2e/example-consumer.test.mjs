// examples/consumer is runnable as shipped: it type-checks under --strict against the Workers
// types and schema/event.d.ts, and, bundled by esbuild as wrangler would, it consumes what a
// built relay puts on the queue.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Miniflare } from "miniflare";
import { build } from "esbuild";
import ts from "typescript";
import { relayWorker, COMPATIBILITY_DATE } from "../scripts/relay-worker.mjs";
import { signedPushHeaders } from "../scripts/huawei-signer.mjs";
import { FORM, JSON_UTF8, STATUS_REPORT, BATCH, UPLINK } from "../scripts/huawei-samples.mjs";

const ENTRY = "examples/consumer/index.ts";

test("the example consumer type-checks", () => {
  const program = ts.createProgram([ENTRY], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ES2022,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ["lib.es2022.d.ts"],
    types: ["@cloudflare/workers-types"],
  });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  assert.deepEqual(diagnostics, []);
});

test("the example consumer records each message's latest state from the relay's queue", { timeout: 60_000 }, async () => {
  const bundled = await build({ entryPoints: [ENTRY], bundle: true, format: "esm", write: false, target: "es2022" });
  const mf = new Miniflare({
    handleRuntimeStdio(stdout, stderr) {
      stdout.resume();
      stderr.resume();
    },
    workers: [
      relayWorker({ queueProducers: { EVENTS_QUEUE: "sms-events" }, bindings: { HUAWEI_PUSH_KEYS: "ak:sk-example-consumer", FORWARD: "queue" } }),
      {
        name: "consumer",
        modules: true,
        script: bundled.outputFiles[0].text,
        compatibilityDate: COMPATIBILITY_DATE,
        kvNamespaces: ["DELIVERY_STATE"],
        queueConsumers: { "sms-events": { maxBatchSize: 100, maxBatchTimeout: 0.05 } },
      },
    ],
  });
  try {
    const url = await mf.ready;
    for (const [path, body, contentType] of [["/huawei/reports", STATUS_REPORT, FORM], ["/huawei/reports", BATCH, JSON_UTF8], ["/huawei/uplink", UPLINK, FORM]]) {
      const headers = signedPushHeaders({ url: new URL(path, url).href, body, contentType, accessKey: "ak", secretKey: "sk-example-consumer" });
      delete headers.Connection;
      delete headers.Host;
      const response = await fetch(new URL(path, url), { method: "POST", headers, body });
      assert.equal(response.status, 200, await response.text());
    }
    const kv = await mf.getKVNamespace("DELIVERY_STATE", "consumer");
    const expected = new Set([...BATCH.matchAll(/"smsMsgId"\s*:\s*"([^"]+)"/g)].map((m) => `huawei/${m[1]}`));
    expected.add(`huawei/${new URLSearchParams(STATUS_REPORT).get("smsMsgId")}`);
    let keys = [];
    for (let i = 0; i < 100 && keys.length < expected.size; i++) {
      keys = (await kv.list()).keys.map((key) => key.name);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(keys.sort(), [...expected].sort());
    const state = JSON.parse(await kv.get(`huawei/${new URLSearchParams(STATUS_REPORT).get("smsMsgId")}`));
    assert.equal(state.status, new URLSearchParams(STATUS_REPORT).get("status"));
    assert.equal(state.state, "delivered");
    assert.equal(state.final, true);
    assert.equal(state.error_code, null);
    assert.match(state.event_id, /^[0-9a-f]{32}$/);
  } finally {
    await mf.dispose();
  }
});

// The benchmark's JavaScript baseline (bench/baseline-js/worker.mjs) must do the relay's job on
// the pushes it is timed with, or the comparison in `make bench` would be unfair: the same signed
// pushes go to the built relay and to the baseline, and both queues must receive the same
// events, id for id, field for field (only the receive time differs).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Miniflare } from "miniflare";
import { startRelay, KEYS } from "./harness.mjs";
import { signedPushHeaders } from "../scripts/huawei-signer.mjs";
import { FORM, JSON_UTF8, STATUS_REPORT, BATCH, UPLINK } from "../scripts/huawei-samples.mjs";
import { COMPATIBILITY_DATE, discardOutput } from "../scripts/relay-worker.mjs";
import { BODY_RECORDER, batchOf50, recorded } from "../bench/pushes.mjs";

let relay;
let baseline;

before(async () => {
  relay = await startRelay({ kv: false, bindings: { HUAWEI_PUSH_KEYS: `ak1:${KEYS.ak1}` } });
  const mf = new Miniflare({
    workers: [
      {
        name: "baseline",
        scriptPath: "bench/baseline-js/worker.mjs",
        modules: true,
        compatibilityDate: COMPATIBILITY_DATE,
        queueProducers: { EVENTS_QUEUE: "baseline-events" },
        bindings: { HUAWEI_PUSH_KEYS: `ak1:${KEYS.ak1}` },
      },
      { name: "recorder", modules: true, script: BODY_RECORDER, compatibilityDate: COMPATIBILITY_DATE, queueConsumers: { "baseline-events": { maxBatchSize: 100, maxBatchTimeout: 0.05 } } },
    ],
    handleRuntimeStdio: discardOutput,
  });
  const url = await mf.ready;
  const recorder = await mf.getWorker("recorder");
  baseline = {
    mf,
    async push(path, body, contentType) {
      const headers = signedPushHeaders({ url: new URL(path, url).href, body, contentType, accessKey: "ak1", secretKey: KEYS.ak1 });
      delete headers.Connection; // fetch manages the connection; both workers recover `close`
      delete headers.Host;
      const response = await fetch(new URL(path, url), { method: "POST", headers, body });
      await response.arrayBuffer();
      return response.status;
    },
    received: (count) => recorded(recorder, count, { settleMs: 0 }),
  };
});
after(async () => {
  await relay?.dispose();
  await baseline?.mf.dispose();
});

/** An event with its receive time taken out, keyed by id. */
function comparable(events) {
  return Object.fromEntries(
    events.map((event) => {
      const { received_at, ...data } = event.data;
      return [event.id, { ...event, time: event.time === received_at ? "(received)" : event.time, data }];
    }),
  );
}


test("the JS baseline emits exactly the relay's events for the benchmarked pushes", async () => {
  const pushes = [
    ["/huawei/reports", STATUS_REPORT, FORM],
    ["/huawei/reports", BATCH, JSON_UTF8],
    ["/huawei/uplink", UPLINK, FORM],
    ["/huawei/reports", batchOf50("bench")[0], JSON_UTF8],
  ];
  for (const [path, body, contentType] of pushes) {
    assert.equal((await relay.push(path, body, contentType)).status, 200, `relay ${path}`);
    assert.equal(await baseline.push(path, body, contentType), 200, `baseline ${path}`);
  }
  const expected = 1 + 3 + 1 + 50;
  const fromRelay = (await relay.waitForMessages(expected)).map((m) => m.body);
  const fromBaseline = await baseline.received(expected);
  assert.equal(fromRelay.length, expected);
  assert.deepEqual(comparable(fromBaseline), comparable(fromRelay));
});

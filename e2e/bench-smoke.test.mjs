// The benchmark code must keep working (benches are never timed in tests): the load script
// runs a few requests against the built worker and must account for every event.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";

test("bench/load.mjs runs and loses nothing", { timeout: 120_000 }, async () => {
  const { stdout } = await promisify(execFile)("node", ["bench/load.mjs", "--smoke", "--json"], { maxBuffer: 4 * 1024 * 1024 });
  const result = JSON.parse(stdout);
  assert.equal(result.all_accepted, true);
  assert.deepEqual(result.events, { expected: 240, stored_in_kv: 240, received_from_queue: 240, lost: 0 });
  for (const side of ["relay", "relay_queue_only", "baseline"]) {
    assert.equal(result[side].single.statuses["200"], 40);
    assert.equal(result[side].batch_50.statuses["200"], 4);
  }
});

test("bench/compare.mjs runs the relay, the JS baseline and the no-op, and loses nothing", { timeout: 180_000 }, async () => {
  const { stdout } = await promisify(execFile)("node", ["bench/compare.mjs", "--smoke", "--json"], { maxBuffer: 4 * 1024 * 1024 });
  const result = JSON.parse(stdout);
  assert.equal(result.all_accepted, true);
  for (const side of ["relay", "js"]) {
    assert.equal(result.events[side].lost, 0);
    // The cold-start push, then 2 rounds of 20 singles and 4 batches of 50.
    assert.equal(result.events[side].accepted, 1 + 2 * (20 + 4 * 50));
  }
  for (const workload of ["single", "batch_50"]) {
    for (const ratio of ["relay_over_js", "relay_over_noop", "js_over_noop"]) {
      assert.ok(result.workloads[workload][ratio] > 0, `${workload} ${ratio}`);
    }
  }
});

test("bench/own.mjs runs the relay and the JS baseline side by side with a stubbed queue", { timeout: 120_000 }, async () => {
  const { stdout } = await promisify(execFile)("node", ["bench/own.mjs", "--smoke", "--json"], { maxBuffer: 4 * 1024 * 1024 });
  const result = JSON.parse(stdout);
  assert.equal(result.failed, false);
  for (const workload of ["single", "batch_50"]) {
    const w = result.workloads[workload];
    for (const key of ["relay_us", "js_us", "floor_us"]) assert.ok(w[key] >= 0, `${workload} ${key}`);
  }
});

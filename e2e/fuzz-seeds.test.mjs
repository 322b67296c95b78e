// The committed fuzz seeds are what fuzz/seed.mjs derives from the fixtures and the registry's
// selector bytes (fuzz/selectors.json, checked by tests/registry.rs): a fixture, a callbacks.json
// entry or an endpoint added without rerunning it fails here, naming the seeds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";

test("every fuzz target's seeds are the ones fuzz/seed.mjs derives", async () => {
  const result = await promisify(execFile)("node", ["fuzz/seed.mjs", "--check"]).catch((error) => error);
  assert.equal(result.code ?? 0, 0, result.stderr);
  for (const target of ["normalize", "oracle"]) assert.match(result.stdout, new RegExp(`\\b${target}: [1-9]`));
});

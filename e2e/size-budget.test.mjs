// The built worker must stay inside the size budget in bench/size-budget.json.
import { test } from "node:test";
import assert from "node:assert/strict";
import { measure, BUDGET } from "../bench/size.mjs";

test("the gzip-compressed wasm stays within its budget", () => {
  for (const { file, raw, gzip } of measure()) {
    const budget = BUDGET[file]?.gzip_bytes;
    if (budget === undefined) continue;
    assert.ok(raw > 10_000, `${file} looks like a real build (${raw} bytes)`);
    assert.ok(gzip <= budget, `${file}: ${gzip} bytes gzip, budget ${budget}`);
  }
  assert.ok(Object.keys(BUDGET).length > 0, "a budget is set");
});

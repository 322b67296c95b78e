#!/usr/bin/env node
// Raw and gzip sizes of the built worker, and the budget the test suite enforces.
//   node bench/size.mjs          # table
//   node bench/size.mjs --json
import { readFileSync } from "node:fs";
import { gzipSync, constants } from "node:zlib";

/** The budget: gzip size of the wasm, checked by e2e/size-budget.test.mjs. */
export const BUDGET = JSON.parse(readFileSync(new URL("./size-budget.json", import.meta.url), "utf8"));

export const FILES = ["build/relay_bg.wasm", "build/relay.js", "build/worker.js"];

/** `{ file, raw, gzip }` for each built file, gzip at level 9 (what `gzip -9` and upload tools use). */
export function measure(files = FILES) {
  return files.map((file) => {
    const bytes = readFileSync(file);
    return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }).length };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = measure();
  if (process.argv.includes("--json")) {
    console.log(JSON.stringify({ sizes, budget: BUDGET }));
  } else {
    for (const { file, raw, gzip } of sizes) {
      const budget = BUDGET[file]?.gzip_bytes;
      const verdict = budget ? `  budget ${budget.toLocaleString("en")} gzip: ${gzip <= budget ? "ok" : "OVER"}` : "";
      console.log(`${file.padEnd(22)} ${raw.toLocaleString("en").padStart(9)} bytes ${gzip.toLocaleString("en").padStart(9)} gzip${verdict}`);
    }
  }
}

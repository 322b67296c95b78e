// wrangler must accept the deployment configuration as shipped (offline dry run), and the
// production defaults in it must stay strict.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

test("wrangler deploy --dry-run accepts wrangler.toml with both bindings", { timeout: 300_000 }, async () => {
  const outdir = mkdtempSync(join(tmpdir(), "sms-relay-dry-run-"));
  const { stdout } = await promisify(execFile)("node_modules/.bin/wrangler", ["deploy", "--dry-run", "--outdir", outdir], {
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    maxBuffer: 16 * 1024 * 1024,
  });
  assert.match(stdout, /env\.EVENTS_QUEUE \(sms-events\)\s+Queue/);
  assert.match(stdout, /env\.EVENTS_KV\s+KV Namespace/);
  assert.match(stdout, /--dry-run: exiting now/);
});

test("production defaults: unsigned pushes are not allowed and no secret is in the config", () => {
  const toml = readFileSync("wrangler.toml", "utf8");
  assert.match(toml, /^ALLOW_UNSIGNED = "false"$/m);
  assert.doesNotMatch(toml, /^HUAWEI_PUSH_KEYS\s*=/m);
  assert.doesNotMatch(toml, /^INGEST_TOKEN\s*=/m);
  assert.match(toml, /^\[observability\]\nenabled = true$/m);
});

test("the HTTP delivery blocks in wrangler.toml are valid once uncommented", { timeout: 300_000 }, async () => {
  const toml = readFileSync("wrangler.toml", "utf8");
  const start = toml.indexOf("# [[queues.consumers]]");
  assert.ok(start > 0, "the commented consumer block is there");
  const enabled =
    toml.slice(0, start) +
    toml
      .slice(start)
      .split("\n")
      .map((line) => line.replace(/^# (?!#)/, ""))
      .join("\n");
  const dir = mkdtempSync(join(tmpdir(), "sms-relay-http-config-"));
  const config = join(dir, "wrangler.toml");
  // Point `main` at the repo's build and drop the build command (the suite already built).
  writeFileSync(config, enabled.replace('main = "build/worker.js"', `main = "${process.cwd()}/build/worker.js"`).replace(/\[build\][^\[]*/, ""));
  const { stdout, stderr } = await promisify(execFile)("node_modules/.bin/wrangler", ["deploy", "--dry-run", "--outdir", join(dir, "out"), "-c", config], {
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    maxBuffer: 16 * 1024 * 1024,
  });
  assert.match(stdout, /env\.DEAD_LETTER_QUEUE \(sms-events-dlq\)\s+Queue/);
  assert.doesNotMatch(stderr, /Processing .*configuration/, "wrangler has no complaint about the consumer block");
  assert.match(stdout, /--dry-run: exiting now/);
});

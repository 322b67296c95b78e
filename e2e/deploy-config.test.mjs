// wrangler must accept the deployment configuration as shipped (offline dry run), and the
// production defaults in it must stay strict.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
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

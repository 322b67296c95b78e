// wrangler must accept the deployment configuration as shipped (offline dry run), and the
// production defaults in it must stay strict.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

/** wrangler.toml with the commented block that starts at `marker` uncommented, up to a blank line. */
function uncommented(marker) {
  const toml = readFileSync("wrangler.toml", "utf8");
  const start = toml.indexOf(marker);
  assert.ok(start > 0, `the commented block ${marker} is there`);
  const end = toml.indexOf("\n\n", start);
  const block = toml
    .slice(start, end < 0 ? undefined : end)
    .split("\n")
    .map((line) => line.replace(/^# (?!#)/, "").replace(/^#$/, ""))
    .join("\n");
  return toml.slice(0, start) + block + (end < 0 ? "" : toml.slice(end));
}

/** `wrangler deploy --dry-run` of `toml` against the suite's build. */
async function dryRun(toml) {
  const dir = mkdtempSync(join(tmpdir(), "sms-relay-config-"));
  const config = join(dir, "wrangler.toml");
  // Point `main` at the repo's build and drop the build command (the suite already built).
  writeFileSync(config, toml.replace(/^main = ".*"$/m, `main = "${process.cwd()}/build/worker.js"`).replace(/\[build\][^\[]*/, ""));
  return promisify(execFile)("node_modules/.bin/wrangler", ["deploy", "--dry-run", "--outdir", join(dir, "out"), "-c", config], {
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    maxBuffer: 16 * 1024 * 1024,
  });
}

test("the KV block in wrangler.toml is valid once uncommented", { timeout: 300_000 }, async () => {
  const { stdout } = await dryRun(uncommented("# [[kv_namespaces]]"));
  assert.match(stdout, /env\.EVENTS_KV\s+KV Namespace/);
  assert.match(stdout, /--dry-run: exiting now/);
});

test("wrangler deploy --dry-run accepts wrangler.toml as shipped: the queue, no unused KV namespace", { timeout: 300_000 }, async () => {
  const outdir = mkdtempSync(join(tmpdir(), "sms-relay-dry-run-"));
  const { stdout, stderr } = await promisify(execFile)("node_modules/.bin/wrangler", ["deploy", "--dry-run", "--outdir", outdir], {
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    maxBuffer: 16 * 1024 * 1024,
  });
  assert.doesNotMatch(stdout + stderr, /Unexpected fields|Processing .*configuration/, "wrangler takes every field, [observability.logs] included");
  assert.match(stdout, /env\.EVENTS_QUEUE \(sms-events\)\s+Queue/);
  assert.doesNotMatch(stdout, /KV Namespace/, "deploy creates no namespace the default FORWARD never writes");
  assert.match(readFileSync("wrangler.toml", "utf8"), /^FORWARD = "queue"$/m);
  assert.match(readFileSync(".dev.vars.example", "utf8"), /^FORWARD="queue"$/m, "make dev runs what deploys");
  assert.match(stdout, /--dry-run: exiting now/);
});

test("production defaults: unsigned pushes are not allowed and no secret is in the config", () => {
  const toml = readFileSync("wrangler.toml", "utf8");
  assert.match(toml, /^ALLOW_UNSIGNED = "false"$/m);
  assert.doesNotMatch(toml, /^HUAWEI_PUSH_KEYS\s*=/m);
  assert.doesNotMatch(toml, /^INGEST_TOKEN\s*=/m);
  assert.match(toml, /^\[observability\]\nenabled = true$/m);
  // The platform's invocation logs record URLs, and token routes carry their secret in the path.
  assert.match(toml, /^\[observability\.logs\]\ninvocation_logs = false$/m);
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

test("make dev's HTTP-delivery configuration (dev/http/wrangler.toml) is valid and consumes its own queue", { timeout: 300_000 }, async () => {
  const toml = readFileSync("dev/http/wrangler.toml", "utf8");
  assert.match(toml, /\[\[queues\.consumers\]\]\nqueue = "sms-events"/);
  const { stdout } = await dryRun(toml);
  assert.match(stdout, /env\.EVENTS_QUEUE \(sms-events\)\s+Queue/);
  assert.match(stdout, /env\.DEAD_LETTER_QUEUE \(sms-events-dlq\)\s+Queue/);
  assert.match(stdout, /--dry-run: exiting now/);
});

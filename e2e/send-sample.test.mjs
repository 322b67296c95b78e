// `make send-sample` tells the user what is wrong with their .dev.vars before sending anything.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

async function sendSample(devVars) {
  const file = join(mkdtempSync(join(tmpdir(), "send-sample-")), ".dev.vars");
  writeFileSync(file, devVars);
  try {
    await promisify(execFile)("node", ["scripts/send-sample.mjs"], {
      env: { ...process.env, SMS_RELAY_DEV_VARS: file, SMS_RELAY_URL: "http://127.0.0.1:9" },
    });
    return { code: 0, stderr: "" };
  } catch (error) {
    return { code: error.code, stderr: error.stderr };
  }
}

test("send-sample tells a missing key from a malformed one, and never prints the secret", async () => {
  const missing = await sendSample('FORWARD="queue"\n');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /No provider setting in \.dev\.vars/);

  for (const malformed of ['HUAWEI_PUSH_KEYS="just-a-secret-value"\n', 'HUAWEI_PUSH_KEYS="ak:"\n', 'HUAWEI_PUSH_KEYS=":sk-secret"\n']) {
    const result = await sendSample(malformed);
    assert.equal(result.code, 1, malformed);
    assert.match(result.stderr, /HUAWEI_PUSH_KEYS in \.dev\.vars is malformed/, malformed);
    assert.ok(!result.stderr.includes("secret"), result.stderr);
  }
});

test("send-sample posts every enabled provider's samples to the relay, and each is stored", { timeout: 60_000 }, async () => {
  const { startRelay } = await import("./harness.mjs");
  const example = readFileSync(".dev.vars.example", "utf8");
  const vars = Object.fromEntries([...example.matchAll(/^([A-Z_]+)="([^"]*)"/gm)].map((m) => [m[1], m[2]]));
  const relay = await startRelay({ bindings: vars, kv: false });
  try {
    const file = join(mkdtempSync(join(tmpdir(), "send-sample-")), ".dev.vars");
    writeFileSync(file, example);
    const { stdout } = await promisify(execFile)("node", ["scripts/send-sample.mjs"], {
      env: { ...process.env, SMS_RELAY_DEV_VARS: file, SMS_RELAY_URL: new URL(relay.url).href },
    });
    // Every provider has a sample module (scripts/samples/), and the relay enables each under
    // .dev.vars.example (its registry, as /healthz lists it).
    const { sampleModules } = await import("../scripts/samples/index.mjs");
    const modules = await sampleModules();
    const { providers } = JSON.parse((await relay.request("GET", "/healthz")).body);
    assert.deepEqual([...providers].sort(), modules.map((module) => module.provider).sort());
    // Each module's requests say how many events each is stored as.
    const expected = {};
    let requests = 0;
    for (const { provider, requests: samples } of modules) {
      const sent = samples(relay.url, vars);
      assert.ok(sent.length > 0, `${provider}: no sample request under .dev.vars.example`);
      for (const { name, events } of sent) {
        assert.ok(Number.isInteger(events) && events > 0, `${provider}: "${name}" does not say how many events it becomes (events)`);
        expected[provider] = (expected[provider] ?? 0) + events;
      }
      requests += sent.length;
    }
    const answered = stdout.split("\n").filter((line) => /^\d{3} /.test(line));
    assert.equal(answered.length, requests, stdout);
    assert.ok(answered.every((line) => line.startsWith("200 ")), stdout);
    for (const provider of providers) assert.ok(stdout.includes(`-> /${provider}/`), provider);
    // No value of any module's settings is printed: neither a whole value, nor one of its
    // comma-separated entries, nor an entry's secret (its last `:`-separated part).
    for (const { provider, settings } of modules) {
      for (const setting of settings.filter((setting) => vars[setting] !== undefined)) {
        const entries = vars[setting].split(/[,\n]/).map((entry) => entry.trim());
        const secrets = [vars[setting], ...entries, ...entries.map((entry) => entry.split(":").at(-1))].filter(Boolean);
        for (const secret of secrets) assert.ok(!stdout.includes(secret), `${provider}: ${setting} printed`);
      }
    }
    const total = Object.values(expected).reduce((sum, count) => sum + count, 0);
    const events = (await relay.waitForMessages(total)).map((message) => message.body);
    const stored = {};
    for (const event of events) stored[event.provider] = (stored[event.provider] ?? 0) + 1;
    assert.deepEqual(stored, expected, "events stored per provider, against the samples' counts");
  } finally {
    await relay.dispose();
  }
});

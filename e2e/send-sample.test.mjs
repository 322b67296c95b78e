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
    // Every provider the relay enables under .dev.vars.example (its registry, as /healthz
    // lists it) has its samples sent, and each is stored.
    const { providers } = JSON.parse((await relay.request("GET", "/healthz")).body);
    assert.deepEqual([...providers].sort(), ["alibaba", "huawei", "plivo", "sinch", "telnyx", "tencent", "twilio", "volcengine", "vonage", "yunpian"]);
    const { sampleRequests } = await import("../scripts/samples/index.mjs");
    const expected = await sampleRequests(relay.url, vars);
    const answered = stdout.split("\n").filter((line) => /^\d{3} /.test(line));
    assert.equal(answered.length, expected.length, stdout);
    assert.ok(answered.every((line) => line.startsWith("200 ")), stdout);
    for (const provider of providers) assert.ok(stdout.includes(`-> /${provider}/`), provider);
    for (const token of [vars.ALIBABA_TOKEN, vars.TENCENT_TOKEN, vars.TWILIO_AUTH_TOKENS, vars.VOLCENGINE_TOKEN, vars.YUNPIAN_TOKEN, vars.SINCH_WEBHOOK_SECRETS, vars.PLIVO_AUTH_TOKENS, vars.VONAGE_SIGNATURE_SECRETS]) assert.ok(!stdout.includes(token), "no secret printed");
    // Volcengine: 2 reports and an uplink; Yunpian: 2 reports and a reply; Sinch and Telnyx: 3 + 2; Plivo and Vonage: 2 + 4.
    const events = (await relay.waitForMessages(5 + 6 + 3 + 3 + 3 + 2 + 2 + 4)).map((message) => message.body);
    assert.deepEqual(new Set(events.map((e) => e.provider)), new Set(providers));
  } finally {
    await relay.dispose();
  }
});

// `make send-sample` tells the user what is wrong with their .dev.vars before sending anything.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, writeFileSync } from "node:fs";
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

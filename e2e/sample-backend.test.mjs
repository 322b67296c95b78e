// `make sample-backend` end to end: the script on a loopback port, a built relay delivering to
// it over HTTP; the backend verifies each delivery and prints the event, and refuses a forgery.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRelay, KEYS } from "./harness.mjs";
import { FORM, STATUS_REPORT } from "../scripts/huawei-samples.mjs";

const SECRET = "whsec_" + Buffer.from("sample-backend-test-secret-0123").toString("base64");
const PORT = 18_788;

test("the sample backend verifies, parses and prints what the relay delivers, and refuses a forgery", { timeout: 60_000 }, async () => {
  const devVars = join(mkdtempSync(join(tmpdir(), "sample-backend-")), ".dev.vars");
  writeFileSync(devVars, `FORWARD_SECRET="${SECRET}"\n`);
  const backend = spawn("node", ["scripts/sample-backend.mjs"], {
    env: { ...process.env, SMS_RELAY_DEV_VARS: devVars, SAMPLE_BACKEND_PORT: String(PORT) },
  });
  let output = "";
  backend.stdout.on("data", (chunk) => (output += chunk));
  const until = async (predicate) => {
    for (let i = 0; i < 200 && !predicate(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    return predicate();
  };
  const relay = await startRelay({
    delivery: true,
    bindings: { HUAWEI_PUSH_KEYS: `ak1:${KEYS.ak1}`, FORWARD: "queue,http", FORWARD_URL: `http://127.0.0.1:${PORT}/sms-events`, FORWARD_SECRET: SECRET },
  });
  try {
    assert.ok(await until(() => output.includes("sample backend on")), output);
    assert.equal((await relay.push("/huawei/reports", STATUS_REPORT, FORM)).status, 200);
    assert.ok(await until(() => output.includes("verified io.github.sms-relay.status_report")), output);
    const smsMsgId = new URLSearchParams(STATUS_REPORT).get("smsMsgId");
    assert.ok(output.includes(`"message_id": "${smsMsgId}"`), "the event is printed");

    const forged = await fetch(`http://127.0.0.1:${PORT}/sms-events`, {
      method: "POST",
      headers: { "content-type": "application/cloudevents+json", "webhook-id": "x", "webhook-timestamp": String(Math.floor(Date.now() / 1000)), "webhook-signature": "v1,AAAA" },
      body: "{}",
    });
    assert.equal(forged.status, 401);
    assert.ok(await until(() => output.includes("refused POST /sms-events")), output);
  } finally {
    backend.kill();
    await relay.dispose();
  }
});

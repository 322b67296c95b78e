#!/usr/bin/env node
// Signs Huawei's documented sample callbacks with the first key in .dev.vars and posts them to
// the local relay (`make dev`), then lists what landed in local KV.
//   SMS_RELAY_URL=http://localhost:8787 node scripts/send-sample.mjs
//   SMS_RELAY_DEV_VARS=path/to/.dev.vars (default: the repository's .dev.vars)
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { signedPushHeaders } from "./huawei-signer.mjs";
import { FORM, JSON_UTF8, STATUS_REPORT, BATCH, UPLINK } from "./huawei-samples.mjs";

const base = process.env.SMS_RELAY_URL ?? "http://localhost:8787";
const devVars = readFileSync(process.env.SMS_RELAY_DEV_VARS ?? new URL("../.dev.vars", import.meta.url), "utf8");
const keys = devVars.match(/^HUAWEI_PUSH_KEYS\s*=\s*"?([^"\n]*)"?/m)?.[1];
if (keys === undefined) {
  console.error("No HUAWEI_PUSH_KEYS in .dev.vars; copy .dev.vars.example to .dev.vars.");
  process.exit(1);
}
const [accessKey, ...secret] = keys.split(/[,\n]/)[0].split(":");
if (!accessKey.trim() || secret.length === 0 || !secret.join(":").trim()) {
  console.error(`HUAWEI_PUSH_KEYS in .dev.vars is malformed: expected "ACCESS_KEY:SECRET_KEY" (entries separated by commas), got ${keys.length} characters without such a pair.`);
  process.exit(1);
}
const secretKey = secret.join(":").trim();

const samples = [
  ["status report", "/huawei/reports", STATUS_REPORT, FORM],
  ["batch of status reports", "/huawei/reports", BATCH, JSON_UTF8],
  ["uplink SMS", "/huawei/uplink", UPLINK, FORM],
];

let failed = false;
for (const [name, path, body, contentType] of samples) {
  const url = new URL(path, base).href;
  const headers = signedPushHeaders({ url, body, contentType, accessKey: accessKey.trim(), secretKey });
  delete headers.Connection; // fetch manages the connection itself; the relay tolerates it.
  delete headers.Host;
  delete headers["Content-Length"];
  try {
    const response = await fetch(url, { method: "POST", headers, body });
    const text = await response.text();
    console.log(`${response.status} ${name} -> ${path}${text ? `  ${text}` : ""}`);
    failed ||= !response.ok;
  } catch (error) {
    console.error(`Could not reach ${base} (is \`make dev\` running?): ${error.cause?.message ?? error.message}`);
    process.exit(1);
  }
}

// The last FORWARD line wins, as in wrangler (.dev.vars.example adds one below the default).
const forward = [...devVars.matchAll(/^FORWARD\s*=\s*"?([^"\n]*)"?/gm)].at(-1)?.[1] ?? "queue";
if (forward.split(",").map((sink) => sink.trim()).includes("kv")) {
  console.log("\nLocal KV (EVENTS_KV) now holds:");
  try {
    const wrangler = new URL("../node_modules/.bin/wrangler", import.meta.url).pathname;
    const listing = execFileSync(wrangler, ["kv", "key", "list", "--binding", "EVENTS_KV", "--local"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    for (const key of JSON.parse(listing)) console.log(`  ${key.name}  ${JSON.stringify(key.metadata)}`);
  } catch (error) {
    console.log(`  (could not list local KV: ${error.message.split("\n")[0]})`);
  }
}
console.log(
  forward.includes("http")
    ? "\n`make sample-backend` prints each event as it arrives, verified; the `make dev` terminal logs each delivery attempt."
    : "\nThe queue consumer in the `make dev` terminal prints each event as it arrives.",
);
process.exit(failed ? 1 : 0);

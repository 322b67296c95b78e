#!/usr/bin/env node
// Posts each enabled provider's documented sample callbacks to the local relay (`make dev`),
// as each provider sends them (scripts/samples/<provider>.mjs: Huawei's signed with the first
// key in HUAWEI_PUSH_KEYS, Alibaba's and Tencent's with their token in the path, Twilio's signed
// with the first of TWILIO_AUTH_TOKENS). Then lists what landed in local KV.
//   SMS_RELAY_URL=http://localhost:8787 node scripts/send-sample.mjs
//   SMS_RELAY_DEV_VARS=path/to/.dev.vars (default: the repository's .dev.vars)
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { sampleRequests, sampleSettings } from "./samples/index.mjs";

const base = process.env.SMS_RELAY_URL ?? "http://localhost:8787";
const devVars = readFileSync(process.env.SMS_RELAY_DEV_VARS ?? new URL("../.dev.vars", import.meta.url), "utf8");
// The last line of a setting wins, as in wrangler.
const setting = (name) => [...devVars.matchAll(new RegExp(`^${name}\\s*=\\s*"?([^"\\n]*)"?`, "gm"))].at(-1)?.[1];
const names = await sampleSettings();
const settings = Object.fromEntries(names.map((name) => [name, setting(name)]));
if (Object.values(settings).every((value) => value === undefined)) {
  console.error(`No provider setting in .dev.vars (${names.join(", ")}); copy .dev.vars.example to .dev.vars.`);
  process.exit(1);
}

let samples;
try {
  samples = await sampleRequests(base, settings);
} catch (error) {
  console.error(error.message);
  process.exit(1);
}

let failed = false;
for (const { name, path, headers, body } of samples) {
  const url = new URL(path, base).href;
  try {
    const response = await fetch(url, { method: "POST", headers, body });
    const text = await response.text();
    // The path may end in a provider's token: show its route only.
    const route = path.split("/").slice(0, 3).join("/");
    console.log(`${response.status} ${name} -> ${route}${text ? `  ${text}` : ""}`);
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

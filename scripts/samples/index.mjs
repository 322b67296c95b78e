// Every provider's sample module: scripts/samples/<provider>.mjs, one per provider in the
// registry (`tests/registry.rs` checks that each has one). Each exports `settings`, the names
// whose presence enables its samples, and `requests(base, values)`, its sample requests
// `{ name, path, headers, body, events }` against the relay at `base` under the settings
// `values`, `events` being how many events the relay stores for the request (a batch of three
// reports: 3). `e2e/send-sample.test.mjs` sends every module's requests and checks each
// provider's count, and that no value of a module's settings is printed.
import { readdirSync } from "node:fs";

const SHARED = new Set(["index.mjs", "read.mjs"]);

/** `[{ provider, settings, requests }]`, by provider name. */
export async function sampleModules() {
  const dir = new URL("./", import.meta.url);
  const files = readdirSync(dir).filter((file) => file.endsWith(".mjs") && !SHARED.has(file)).sort();
  return Promise.all(files.map(async (file) => ({ provider: file.replace(/\.mjs$/, ""), ...(await import(new URL(file, dir))) })));
}

/** Every setting a sample module reads. */
export async function sampleSettings() {
  return (await sampleModules()).flatMap((module) => module.settings);
}

/** The sample requests of every provider `values` enables. */
export async function sampleRequests(base, values) {
  return (await sampleModules()).flatMap((module) => module.requests(base, values));
}

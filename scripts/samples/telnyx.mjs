// Telnyx's documented sample webhooks (tests/data/telnyx/), signed as Telnyx signs them, at the
// current time, with RFC 8032's test-1 key: its public key is the first of
// TELNYX_PUBLIC_KEYS in .dev.vars.example (a real account's key signs only what Telnyx sends).
import { createPrivateKey, createPublicKey, sign } from "node:crypto";
import { JSON_TYPE, read } from "./read.mjs";

export const FINALIZED = read("telnyx/message-finalized.json");
export const FINALIZED_GROUP = read("telnyx/message-finalized-group.json");
export const SENT = read("telnyx/message-sent.json");
export const RECEIVED = read("telnyx/message-received.json");
export const VECTOR = read("telnyx/signed-vector.json");

/** RFC 8032 test-1 secret key (seed), and its public key. */
export const TEST_SEED = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
export const testKey = (seed = TEST_SEED) =>
  createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), Buffer.from(seed, "hex")]), format: "der", type: "pkcs8" });
export const publicKeyBase64 = (key = testKey()) => createPublicKey(key).export({ format: "der", type: "spki" }).subarray(12).toString("base64");

/** The headers Telnyx sends: the Base64 Ed25519 signature over `timestamp|body` (docs/providers.md, "Telnyx"). */
export function telnyxHeaders(body, { key = testKey(), timestamp = String(Math.floor(Date.now() / 1000)) } = {}) {
  return {
    "Content-Type": JSON_TYPE,
    "telnyx-signature-ed25519": sign(null, Buffer.from(`${timestamp}|${body}`), key).toString("base64"),
    "telnyx-timestamp": timestamp,
  };
}

/** The settings whose presence makes `requests` return samples. */
export const settings = ["TELNYX_PUBLIC_KEYS"];

/** The sample requests `{ name, path, headers, body, events }` against the relay at `base`. */
export function requests(base, values) {
  if (!values.TELNYX_PUBLIC_KEYS) return [];
  return [
    ["Telnyx message.finalized", FINALIZED, 1],
    ["Telnyx message.received", RECEIVED, 1],
  ].map(([name, body, events]) => ({ name, path: "/telnyx/webhooks", headers: telnyxHeaders(body), body, events }));
}

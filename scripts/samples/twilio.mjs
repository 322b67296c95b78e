// Twilio's documented sample webhooks (tests/data/twilio/), signed with the first of
// TWILIO_AUTH_TOKENS as Twilio signs them.
import { createHmac } from "node:crypto";
import { FORM, read } from "./read.mjs";

export const STATUS = read("twilio/status.form");
export const INBOUND = read("twilio/inbound.form");

/**
 * X-Twilio-Signature: Base64(HMAC-SHA1(authToken, url + each form parameter sorted by name, as
 * name then value)), as Twilio computes it (docs/providers.md §3).
 */
export function signature(authToken, url, formBody) {
  const params = [...new URLSearchParams(formBody)].sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  const data = params.reduce((acc, [name, value]) => acc + name + value, url);
  return createHmac("sha1", authToken).update(data, "utf8").digest("base64");
}

/** The settings whose presence makes `requests` return samples. */
export const settings = ["TWILIO_AUTH_TOKENS"];

/** The sample requests `{ name, path, headers, body, events }` against the relay at `base`. */
export function requests(base, values) {
  if (!values.TWILIO_AUTH_TOKENS) return [];
  const authToken = values.TWILIO_AUTH_TOKENS.split(",")[0].trim();
  return [
    ["Twilio status callback", "/twilio/status", STATUS, 1],
    ["Twilio inbound message", "/twilio/inbound", INBOUND, 1],
  ].map(([name, path, body, events]) => ({
    name,
    path,
    headers: { "Content-Type": FORM, "X-Twilio-Signature": signature(authToken, new URL(path, base).href, body) },
    body,
    events,
  }));
}

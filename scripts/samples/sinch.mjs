// Sinch's documented sample callbacks (tests/data/sinch/), signed with the first of
// SINCH_WEBHOOK_SECRETS as Sinch signs them, at the current time.
import { createHmac, randomBytes } from "node:crypto";
import { JSON_TYPE, read } from "./read.mjs";

export const RECIPIENT_REPORT = read("sinch/recipient-delivery-report.json");
export const SUMMARY_REPORT = read("sinch/delivery-report-summary.json");
export const FULL_REPORT = read("sinch/delivery-report-full.json");
export const MO_TEXT = read("sinch/mo-text.json");
export const MO_BINARY = read("sinch/mo-binary.json");
export const MO_MEDIA = read("sinch/mo-media.json");

/**
 * The headers Sinch sends with `body`: `x-sinch-webhook-signature` is
 * Base64(HMAC-SHA256(secret, body + "." + nonce + "." + timestamp)) (docs/providers.md, "Sinch").
 */
export function sinchHeaders(secret, body, { nonce = randomBytes(13).toString("hex").toUpperCase(), timestamp = String(Math.floor(Date.now() / 1000)) } = {}) {
  const signature = createHmac("sha256", secret).update(`${body}.${nonce}.${timestamp}`, "utf8").digest("base64");
  return {
    "Content-Type": JSON_TYPE,
    "x-sinch-webhook-signature": signature,
    "x-sinch-webhook-signature-algorithm": "HmacSHA256",
    "x-sinch-webhook-signature-nonce": nonce,
    "x-sinch-webhook-signature-timestamp": timestamp,
  };
}

/** The settings whose presence makes `requests` return samples. */
export const settings = ["SINCH_WEBHOOK_SECRETS"];

/** The sample requests `{ name, path, headers, body, events }` against the relay at `base`. */
export function requests(base, values) {
  if (!values.SINCH_WEBHOOK_SECRETS) return [];
  const secret = values.SINCH_WEBHOOK_SECRETS.split(",")[0].trim();
  return [
    ["Sinch per-recipient delivery report", RECIPIENT_REPORT, 1],
    ["Sinch summary delivery report", SUMMARY_REPORT, 1],
    ["Sinch inbound text", MO_TEXT, 1],
  ].map(([name, body, events]) => ({ name, path: "/sinch/callbacks", headers: sinchHeaders(secret, body), body, events }));
}

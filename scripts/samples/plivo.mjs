// Plivo's documented sample callbacks (tests/data/plivo/), signed with the first of
// PLIVO_AUTH_TOKENS as Plivo signs them (X-Plivo-Signature-V3, docs/providers.md, "Plivo").
import { createHmac } from "node:crypto";
import { FORM, read } from "./read.mjs";

export const STATUS = read("plivo/status.form");
export const INBOUND = read("plivo/inbound.form");

/** `scheme://host[:port]/path`: the URL without its query and fragment. */
const baseUrl = (url) => url.split(/[?#]/)[0];

/** Sorted by name, then value, as JavaScript's `sort()` compares strings. */
const sorted = (pairs) => [...pairs].sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));

/**
 * X-Plivo-Signature-V3: Base64(HMAC-SHA256(authToken, the URL without its query, then `?` and
 * its query parameters sorted as `name=value` joined by `&`, for a POST's form `.` (after a
 * non-empty query) and its parameters sorted as `namevalue`, then `.` and the nonce)).
 */
export function signatureV3(authToken, url, formBody, nonce) {
  const query = sorted(new URL(url).searchParams).map(([name, value]) => `${name}=${value}`).join("&");
  const params = sorted(new URLSearchParams(formBody)).map(([name, value]) => name + value).join("");
  let data = baseUrl(url);
  if (query || params) data += `?${query}`;
  if (query && params) data += ".";
  data += `${params}.${nonce}`;
  return createHmac("sha256", authToken).update(data, "utf8").digest("base64");
}

/** X-Plivo-Signature-V2: Base64(HMAC-SHA256(authToken, the URL without its query, then the nonce)). */
export function signatureV2(authToken, url, nonce) {
  return createHmac("sha256", authToken).update(baseUrl(url) + nonce, "utf8").digest("base64");
}

/** The settings whose presence makes `requests` return samples. */
export const settings = ["PLIVO_AUTH_TOKENS"];

/** The sample requests `{ name, path, headers, body, events }` against the relay at `base`. */
export function requests(base, values) {
  if (!values.PLIVO_AUTH_TOKENS) return [];
  const authToken = values.PLIVO_AUTH_TOKENS.split(",")[0].trim();
  const nonce = "05429567804466091622";
  return [
    ["Plivo message status callback", "/plivo/status", STATUS, 1],
    ["Plivo inbound message", "/plivo/inbound", INBOUND, 1],
  ].map(([name, path, body, events]) => ({
    name,
    path,
    headers: {
      "Content-Type": FORM,
      "X-Plivo-Signature-V3": signatureV3(authToken, new URL(path, base).href, body, nonce),
      "X-Plivo-Signature-V3-Nonce": nonce,
    },
    body,
    events,
  }));
}

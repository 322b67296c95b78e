// Vonage's documented sample callbacks (tests/data/vonage/), as Vonage sends them under the
// settings given: SMS API ones signed with `sig` by the first VONAGE_SIGNATURE_SECRETS entry
// (which adds `api-key`, `timestamp`, `nonce`, `sig`), Messages API ones with a Bearer JWT by
// it, and the URLs ending in the first VONAGE_TOKEN when one is set (docs/providers.md,
// "Vonage").
import { createHash, createHmac, randomUUID } from "node:crypto";
import { FORM, JSON_TYPE, read } from "./read.mjs";

export const STATUS = read("vonage/status.json");
export const STATUS_FORM = read("vonage/status.form");
export const INBOUND = read("vonage/inbound.form");
export const MESSAGES_STATUS = read("vonage/messages-status.json");
export const MESSAGES_INBOUND = read("vonage/messages-inbound.json");

/** An entry `API_KEY:ALGORITHM:SECRET`, split at its first two `:`. */
export function entry(raw) {
  const [apiKey, algorithm, ...secret] = raw.trim().split(":");
  return { apiKey, algorithm, secret: secret.join(":") };
}

/**
 * The SMS API's `sig` over `params` (an object of strings): every parameter but `sig`, sorted
 * by name, `&` and `=` in values as `_`, as `&name=value…`; hex MD5 of that and the secret
 * (`md5hash`), else hex HMAC of it under the secret.
 */
export function sig(params, algorithm, secret) {
  const signed = Object.keys(params)
    .filter((name) => name !== "sig")
    .sort()
    .map((name) => `&${name}=${String(params[name]).replace(/[&=]/g, "_")}`)
    .join("");
  if (algorithm === "md5hash") return createHash("md5").update(signed + secret).digest("hex");
  return createHmac(algorithm, secret).update(signed).digest("hex");
}

/** `params` as the API key `apiKey` sends them signed: its `api-key`, `timestamp`, `nonce` and `sig`. */
export function signed(params, { apiKey, algorithm, secret }, { timestamp = "1733987300", nonce = randomUUID() } = {}) {
  const all = { ...params, "api-key": apiKey, timestamp, nonce };
  return { ...all, sig: sig(all, algorithm, secret) };
}

const base64url = (data) => Buffer.from(data).toString("base64url");

/** A Messages API JWT: HS256 by `secret`, for `apiKey`, vouching for `body`. */
export function jwt(apiKey, secret, body, { iat = 1733987300 } = {}) {
  const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const claims = base64url(JSON.stringify({
    iat, jti: randomUUID(), iss: "Vonage", payload_hash: createHash("sha256").update(body).digest("hex"),
    api_key: apiKey, application_id: "aaaaaaaa-bbbb-cccc-dddd-0123456789ab",
  }));
  const signature = createHmac("sha256", secret).update(`${header}.${claims}`).digest("base64url");
  return `${header}.${claims}.${signature}`;
}

/** The settings whose presence makes `requests` return samples. */
export const settings = ["VONAGE_SIGNATURE_SECRETS", "VONAGE_TOKEN"];

/** The sample requests `{ name, path, headers, body, events }` against the relay at `base`. */
export function requests(base, values) {
  const secrets = values.VONAGE_SIGNATURE_SECRETS;
  const token = values.VONAGE_TOKEN?.split(",")[0].trim();
  if (!secrets && !token) return [];
  const signer = secrets ? entry(secrets.split(/[,\n]/).find((e) => e.trim())) : null;
  const path = (route) => `/vonage/${route}${token ? `/${token}` : ""}`;
  const smsJson = (body) => (signer ? JSON.stringify(signed(JSON.parse(body), signer)) : body);
  const smsForm = (body) => (signer ? new URLSearchParams(signed(Object.fromEntries(new URLSearchParams(body)), signer)).toString() : body);
  const messages = (body) => ({ "Content-Type": JSON_TYPE, ...(signer ? { Authorization: `Bearer ${jwt(signer.apiKey, signer.secret, body)}` } : {}) });
  const status = smsJson(STATUS);
  const inbound = smsForm(INBOUND);
  return [
    { name: "Vonage SMS API delivery receipt (POST-JSON)", path: path("status"), headers: { "Content-Type": JSON_TYPE }, body: status, events: 1 },
    { name: "Vonage SMS API inbound message (POST)", path: path("inbound"), headers: { "Content-Type": FORM }, body: inbound, events: 1 },
    { name: "Vonage Messages API status", path: path("status"), headers: messages(MESSAGES_STATUS), body: MESSAGES_STATUS, events: 1 },
    { name: "Vonage Messages API inbound message", path: path("inbound"), headers: messages(MESSAGES_INBOUND), body: MESSAGES_INBOUND, events: 1 },
  ];
}

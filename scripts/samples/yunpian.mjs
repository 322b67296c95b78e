// Yunpian's documented sample pushes (tests/data/yunpian/), with the first of YUNPIAN_TOKEN in
// the path; with YUNPIAN_APIKEYS, the reply signed again with its first apikey, as Yunpian
// signs it (docs/providers.md, "Yunpian").
import { createHash } from "node:crypto";
import { read } from "./read.mjs";

export const REPORTS = read("yunpian/status-reports.form");
export const REPORTS_TWICE = read("yunpian/status-reports-twice.form");
export const REPLY = read("yunpian/reply.form");
/** The Content-Type Yunpian sends. */
export const FORM_UTF8 = "application/x-www-form-urlencoded;charset=utf-8";

/**
 * A reply's `_sign`: lower-case hex MD5 of the values of every member but `_sign`, in the
 * order of their names, joined with `,`, then `,` and the apikey. A string is its text, a
 * number its JSON, `null` empty.
 */
export function sign(reply, apikey) {
  const values = Object.keys(reply)
    .filter((name) => name !== "_sign")
    .sort()
    .map((name) => (reply[name] === null ? "" : typeof reply[name] === "string" ? reply[name] : JSON.stringify(reply[name])));
  return createHash("md5").update([...values, apikey].join(","), "utf8").digest("hex");
}

/** `sms_reply=` and `reply` (an object) with its `_sign` under `apikey`, URL-encoded once. */
export function signedReply(reply, apikey) {
  const { _sign, ...unsigned } = reply;
  return `sms_reply=${encodeURIComponent(JSON.stringify({ ...unsigned, _sign: sign(unsigned, apikey) }))}`;
}

/** The documented reply, as an object. */
export const REPLY_OBJECT = JSON.parse(decodeURIComponent(REPLY.slice("sms_reply=".length).replace(/\+/g, " ")));

/** The settings whose presence makes `requests` return samples. */
export const settings = ["YUNPIAN_TOKEN", "YUNPIAN_APIKEYS"];

/** The sample requests `{ name, path, headers, body, events }` against the relay at `base`. */
export function requests(base, values) {
  const token = values.YUNPIAN_TOKEN?.split(",")[0].trim();
  if (!token) return [];
  const apikey = values.YUNPIAN_APIKEYS?.split(",")[0].trim();
  const headers = { "Content-Type": FORM_UTF8 };
  return [
    { name: "Yunpian status reports", path: `/yunpian/reports/${token}`, headers, body: REPORTS, events: 2 },
    { name: "Yunpian reply", path: `/yunpian/replies/${token}`, headers, body: apikey ? signedReply(REPLY_OBJECT, apikey) : REPLY, events: 1 },
  ];
}

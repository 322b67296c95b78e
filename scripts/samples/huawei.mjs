// Huawei's sample callbacks for `make send-sample` and the end-to-end tests: the documented
// bodies (tests/data/huawei/), each signed with the first key of HUAWEI_PUSH_KEYS.
import { signedPushHeaders } from "../huawei-signer.mjs";
import { FORM, JSON_UTF8, STATUS_REPORT, BATCH, UPLINK } from "../huawei-samples.mjs";

/** The settings whose presence makes `requests` return samples. */
export const settings = ["HUAWEI_PUSH_KEYS"];

/** The sample requests `{ name, path, headers, body, events }` against the relay at `base`. */
export function requests(base, values) {
  const keys = values.HUAWEI_PUSH_KEYS;
  if (keys === undefined) return [];
  const [accessKey, ...secret] = keys.split(/[,\n]/)[0].split(":");
  if (!accessKey.trim() || secret.length === 0 || !secret.join(":").trim()) {
    throw new Error(`HUAWEI_PUSH_KEYS in .dev.vars is malformed: expected "ACCESS_KEY:SECRET_KEY" (entries separated by commas), got ${keys.length} characters without such a pair.`);
  }
  const secretKey = secret.join(":").trim();
  return [
    ["Huawei status report", "/huawei/reports", STATUS_REPORT, FORM, 1],
    ["Huawei batch of status reports", "/huawei/reports", BATCH, JSON_UTF8, 3],
    ["Huawei uplink SMS", "/huawei/uplink", UPLINK, FORM, 1],
  ].map(([name, path, body, contentType, events]) => {
    const headers = signedPushHeaders({ url: new URL(path, base).href, body, contentType, accessKey: accessKey.trim(), secretKey });
    delete headers.Connection; // fetch manages the connection itself; the relay tolerates it.
    delete headers.Host;
    delete headers["Content-Length"];
    return { name, path, headers, body, events };
  });
}

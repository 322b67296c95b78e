// Alibaba's, Tencent's and Twilio's documented sample callbacks, read from tests/data/<provider>/
// (the one copy every test suite uses; see their READMEs), and how each is sent: the token in
// the path, or Twilio's X-Twilio-Signature. For `make send-sample` and the end-to-end tests.
import { readFileSync } from "node:fs";
import { createHmac } from "node:crypto";

const read = (path) => readFileSync(new URL(`../tests/data/${path}`, import.meta.url), "utf8");

export const JSON_TYPE = "application/json";
export const FORM = "application/x-www-form-urlencoded";

export const ALIBABA_REPORT = read("alibaba/sms-report.json");
export const ALIBABA_UPLINK = read("alibaba/sms-up.json");
export const TENCENT_REPORTS = read("tencent/status-reports.json");
export const TENCENT_REPLY = read("tencent/reply.json");
export const TWILIO_STATUS = read("twilio/status.form");
export const TWILIO_INBOUND = read("twilio/inbound.form");

/** The events each sample becomes (received at 2024-12-12T07:08:20Z). */
export const EVENTS = {
  alibabaReport: JSON.parse(read("alibaba/sms-report.events.json")),
  alibabaUplink: JSON.parse(read("alibaba/sms-up.events.json")),
  tencentReports: JSON.parse(read("tencent/status-reports.events.json")),
  tencentReply: JSON.parse(read("tencent/reply.events.json")),
  twilioStatus: JSON.parse(read("twilio/status.events.json")),
  twilioInbound: JSON.parse(read("twilio/inbound.events.json")),
};

/**
 * X-Twilio-Signature: Base64(HMAC-SHA1(authToken, url + each form parameter sorted by name, as
 * name then value)), as Twilio computes it (docs/providers.md §3).
 */
export function twilioSignature(authToken, url, formBody) {
  const params = [...new URLSearchParams(formBody)].sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  const data = params.reduce((acc, [name, value]) => acc + name + value, url);
  return createHmac("sha1", authToken).update(data, "utf8").digest("base64");
}

/**
 * The sample requests of every provider `settings` enables ({ ALIBABA_TOKEN, TENCENT_TOKEN,
 * TWILIO_AUTH_TOKENS }), against the relay at `base`: `{ name, path, headers, body }`.
 */
export function providerRequests(base, settings) {
  const requests = [];
  const json = { "Content-Type": JSON_TYPE };
  if (settings.ALIBABA_TOKEN) {
    const token = settings.ALIBABA_TOKEN;
    requests.push({ name: "Alibaba SmsReport", path: `/alibaba/reports/${token}`, headers: json, body: ALIBABA_REPORT });
    requests.push({ name: "Alibaba SmsUp", path: `/alibaba/uplink/${token}`, headers: json, body: ALIBABA_UPLINK });
  }
  if (settings.TENCENT_TOKEN) {
    const token = settings.TENCENT_TOKEN;
    requests.push({ name: "Tencent status reports", path: `/tencent/reports/${token}`, headers: json, body: TENCENT_REPORTS });
    requests.push({ name: "Tencent reply", path: `/tencent/replies/${token}`, headers: json, body: TENCENT_REPLY });
  }
  if (settings.TWILIO_AUTH_TOKENS) {
    const authToken = settings.TWILIO_AUTH_TOKENS.split(",")[0].trim();
    for (const [name, path, body] of [
      ["Twilio status callback", "/twilio/status", TWILIO_STATUS],
      ["Twilio inbound message", "/twilio/inbound", TWILIO_INBOUND],
    ]) {
      const signature = twilioSignature(authToken, new URL(path, base).href, body);
      requests.push({ name, path, headers: { "Content-Type": FORM, "X-Twilio-Signature": signature }, body });
    }
  }
  return requests;
}

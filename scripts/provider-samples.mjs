// Alibaba's, Tencent's and Twilio's documented sample callbacks and the events they become,
// for the end-to-end tests; the requests themselves come from each provider's module in
// scripts/samples/.
import { readFileSync } from "node:fs";
import { sampleRequests } from "./samples/index.mjs";
import { REPORT as ALIBABA_REPORT, UPLINK as ALIBABA_UPLINK } from "./samples/alibaba.mjs";
import { REPORTS as TENCENT_REPORTS, REPLY as TENCENT_REPLY } from "./samples/tencent.mjs";
import { STATUS as TWILIO_STATUS, INBOUND as TWILIO_INBOUND, signature as twilioSignature } from "./samples/twilio.mjs";

export { JSON_TYPE, FORM } from "./samples/read.mjs";
export { ALIBABA_REPORT, ALIBABA_UPLINK, TENCENT_REPORTS, TENCENT_REPLY, TWILIO_STATUS, TWILIO_INBOUND, twilioSignature };

const read = (path) => readFileSync(new URL(`../tests/data/${path}`, import.meta.url), "utf8");

/** The events each sample becomes (received at 2024-12-12T07:08:20Z). */
export const EVENTS = {
  alibabaReport: JSON.parse(read("alibaba/sms-report.events.json")),
  alibabaUplink: JSON.parse(read("alibaba/sms-up.events.json")),
  tencentReports: JSON.parse(read("tencent/status-reports.events.json")),
  tencentReply: JSON.parse(read("tencent/reply.events.json")),
  twilioStatus: JSON.parse(read("twilio/status.events.json")),
  twilioInbound: JSON.parse(read("twilio/inbound.events.json")),
};

/** The sample requests of every provider `settings` enables, against the relay at `base`. */
export const providerRequests = (base, settings) => sampleRequests(base, settings);

// Alibaba's documented sample pushes (tests/data/alibaba/), with ALIBABA_TOKEN in the path.
import { JSON_TYPE, read } from "./read.mjs";

export const REPORT = read("alibaba/sms-report.json");
export const UPLINK = read("alibaba/sms-up.json");

/** The settings whose presence makes `requests` return samples. */
export const settings = ["ALIBABA_TOKEN"];

/** The sample requests `{ name, path, headers, body, events }` against the relay at `base`. */
export function requests(base, values) {
  const token = values.ALIBABA_TOKEN;
  if (!token) return [];
  const headers = { "Content-Type": JSON_TYPE };
  return [
    { name: "Alibaba SmsReport", path: `/alibaba/reports/${token}`, headers, body: REPORT, events: 1 },
    { name: "Alibaba SmsUp", path: `/alibaba/uplink/${token}`, headers, body: UPLINK, events: 1 },
  ];
}

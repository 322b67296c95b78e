// Volcengine's documented sample pushes (tests/data/volcengine/), with the first of
// VOLCENGINE_TOKEN (OLD,NEW during a URL change) in the path.
import { read } from "./read.mjs";

export const REPORTS = read("volcengine/status-reports.json");
export const UPLINK = read("volcengine/uplink.json");
/** The Content-Type Volcengine sends. */
export const JSON_UTF8 = "application/json;charset=utf-8";

/** The settings whose presence makes `requests` return samples. */
export const settings = ["VOLCENGINE_TOKEN"];

/** The sample requests `{ name, path, headers, body, events }` against the relay at `base`. */
export function requests(base, values) {
  const token = values.VOLCENGINE_TOKEN?.split(",")[0].trim();
  if (!token) return [];
  const headers = { "Content-Type": JSON_UTF8 };
  return [
    { name: "Volcengine status reports", path: `/volcengine/reports/${token}`, headers, body: REPORTS, events: 2 },
    { name: "Volcengine uplink", path: `/volcengine/uplink/${token}`, headers, body: UPLINK, events: 1 },
  ];
}

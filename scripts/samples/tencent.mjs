// Tencent's documented sample pushes (tests/data/tencent/), with TENCENT_TOKEN in the path.
import { JSON_TYPE, read } from "./read.mjs";

export const REPORTS = read("tencent/status-reports.json");
export const REPLY = read("tencent/reply.json");

/** The settings whose presence makes `requests` return samples. */
export const settings = ["TENCENT_TOKEN"];

/** The sample requests `{ name, path, headers, body, events }` against the relay at `base`. */
export function requests(base, values) {
  const token = values.TENCENT_TOKEN;
  if (!token) return [];
  const headers = { "Content-Type": JSON_TYPE };
  return [
    { name: "Tencent status reports", path: `/tencent/reports/${token}`, headers, body: REPORTS, events: 1 },
    { name: "Tencent reply", path: `/tencent/replies/${token}`, headers, body: REPLY, events: 1 },
  ];
}

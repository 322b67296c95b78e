// Huawei's documented sample callbacks, read from tests/data/huawei/ (the one copy every test
// suite uses; see its README), for `make send-sample`, the end-to-end tests and fuzz seeds.
import { readFileSync } from "node:fs";

const read = (name) => readFileSync(new URL(`../tests/data/huawei/${name}`, import.meta.url), "utf8");

export const FORM = "application/x-www-form-urlencoded";
export const JSON_UTF8 = "application/JSON;charset=UTF-8";

/** The docs' status report example body, byte for byte. */
export const STATUS_REPORT = read("status-report.form");
/** A batch as the docs describe it: every value a JSON string, updateTime in both spellings. */
export const BATCH = read("batch.json");
/** The docs' uplink example, with a real body and number in place of the masked ones. */
export const UPLINK = read("uplink-unmasked.form");
/** The docs' uplink example exactly, masked as published. */
export const UPLINK_DOCS = read("uplink.form");
/** The event STATUS_REPORT becomes, signed by exampleAk and received at 2024-12-12T07:10:00Z. */
export const STATUS_REPORT_EVENT = JSON.parse(read("status-report.event.json"));

// The pushes every benchmark sends: a single status report and a batch of 50, as Huawei sends
// them, each with a distinct message id so nothing deduplicates.
import { FORM, JSON_UTF8 } from "../scripts/huawei-samples.mjs";

/** `[body, contentType]` of one single report. */
export function singleReport(id) {
  return [`sequence=1&total=1&orgCode=000&updateTime=2018-04-13T06%3A31%3A46Z&source=2&smsMsgId=${id}&status=DELIVRD`, FORM];
}

/** `[body, contentType]` of a batch of 50 reports, every fifth undelivered. */
export function batchOf50(id) {
  const entries = Array.from({ length: 50 }, (_, j) => ({
    smsMsgId: `${id}-${j}`, total: "1", sequence: "1", status: j % 5 ? "DELIVRD" : "UNDELIV", source: "2", updateTime: "2018-04-13T06:31:46Z", orgCode: "000",
  }));
  return [JSON.stringify({ statusReportList: entries }), JSON_UTF8];
}

/**
 * The bodies a BODY_RECORDER worker holds once it has `count` of them (or after 10 s), read
 * again after `settleMs` so that extras arriving late are seen too.
 */
export async function recorded(recorder, count, { settleMs = 300 } = {}) {
  const read = async () => (await recorder.fetch("http://recorder/")).json();
  const deadline = Date.now() + 10_000;
  while ((await read()).length < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  return read();
}

/** A queue consumer worker that records each message's body; `GET /` lists them. */
export const BODY_RECORDER = `
const received = [];
export default {
  async queue(batch) { for (const m of batch.messages) received.push(m.body); batch.ackAll(); },
  async fetch() { return Response.json(received); },
};`;

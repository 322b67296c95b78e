// Volcengine through the built worker in Miniflare, with the real Queue and KV simulations:
// its documented status reports and uplink (tests/data/volcengine/) become the recorded
// events in both sinks, answered 200 with an empty body, on either token of a URL change;
// a wrong, missing or joined token stores nothing; ALLOWED_IPS applies; a sink outage is a
// 503 Volcengine retries. Volcengine signs nothing and publishes no npm library for its
// callbacks, so the requests are its documented bodies as it sends them.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Miniflare } from "miniflare";
import { startRelay, kvContents, rawRequest, storedEvents, withoutReceipt } from "./harness.mjs";
import { relayWorker, discardOutput } from "../scripts/relay-worker.mjs";
import { REPORTS, UPLINK, JSON_UTF8 } from "../scripts/samples/volcengine.mjs";

const OLD = "volcengine-e2e-old-token-0123";
const NEW = "volcengine-e2e-token-0123456789";
// Volcengine also sends `Accept-Encoding: gzip, deflate`, which makes the runtime compress the
// answers; it reads only the status, and these tests read the bodies, so it is left out.
const json = { "Content-Type": JSON_UTF8, Accept: "*/*" };
const golden = (name) => JSON.parse(readFileSync(new URL(`../tests/data/volcengine/${name}`, import.meta.url), "utf8"));

/** A relay whose queue binding refuses every batch (as e2e/sink-faults.test.mjs wraps it). */
async function refusingQueueRelay(bindings) {
  const mf = new Miniflare({
    workers: [
      relayWorker({ wrappedBindings: { EVENTS_QUEUE: { scriptName: "refusing-queue" } }, bindings }),
      {
        name: "refusing-queue",
        modules: true,
        script: 'export default function () { return { async sendBatch() { throw new Error("refused"); }, async send() { throw new Error("refused"); } }; }',
      },
    ],
    handleRuntimeStdio: discardOutput,
  });
  return { mf, url: await mf.ready };
}

let relay;
before(async () => {
  relay = await startRelay({ bindings: { VOLCENGINE_TOKEN: `${OLD},${NEW}`, FORWARD: "queue,kv" } });
});
after(() => relay?.dispose());
beforeEach(() => relay.resetSinks());

const post = (path, body, headers = json) => relay.request("POST", path, { headers, body });

/** The events now in the queue, checked against the schema and KV. */
const stored = (count) => storedEvents(relay, count);


test("the documented status reports and uplink become the recorded events, answered 200 empty, on either token", async () => {
  for (const [route, body, events, token] of [
    ["reports", REPORTS, "status-reports.events.json", NEW],
    ["uplink", UPLINK, "uplink.events.json", OLD],
  ]) {
    await relay.resetSinks();
    const response = await post(`/volcengine/${route}/${token}`, body);
    assert.deepEqual([response.status, response.body, response.headers["content-type"]], [200, "", undefined], route);
    const recorded = golden(events);
    const got = await stored(recorded.length);
    assert.deepEqual(got.map(withoutReceipt), recorded.map(withoutReceipt), route);
  }
});

test("the carrier's code stays verbatim, times are UTC milliseconds, domestic numbers stay as sent", async () => {
  assert.equal((await post(`/volcengine/reports/${NEW}`, REPORTS)).status, 200);
  const events = await stored(2);
  const failed = events.find((event) => event.data.state === "failed");
  assert.deepEqual([failed.data.status, failed.data.error_code, failed.data.final, failed.data.recipient], ["1", "NE:0101", true, "188******"]);
  const delivered = events.find((event) => event.data.delivered);
  assert.deepEqual([delivered.data.updated_at, delivered.data.sent_at, delivered.time], ["2022-11-23T02:36:55.871Z", "2022-11-23T02:36:52.444Z", "2022-11-23T02:36:55.871Z"]);
});

test("a repeated push is the same events and changes nothing stored; an uplink's id hashes what it says", async () => {
  assert.equal((await post(`/volcengine/uplink/${NEW}`, UPLINK)).status, 200);
  const [first] = await stored(1);
  assert.equal((await post(`/volcengine/uplink/${OLD}`, UPLINK)).status, 200);
  const messages = await relay.waitForMessages(2);
  assert.equal(messages[1].body.id, first.id, "the same uplink again: the same id");
  assert.equal(Object.keys(await kvContents(relay.kv)).length, 1);
  assert.equal((await post(`/volcengine/uplink/${NEW}`, UPLINK.replace("hhhhh", "hhhhi"))).status, 200);
  const third = (await relay.waitForMessages(3))[2].body;
  assert.notEqual(third.id, first.id);
});

test("a wrong, missing or joined token, or the other vendor's route, is refused and stores nothing", async () => {
  for (const [path, code] of [
    [`/volcengine/reports/${NEW}x`, "invalid_token"],
    [`/volcengine/uplink/${OLD.slice(1)}`, "invalid_token"],
    [`/volcengine/reports/${OLD},${NEW}`, "invalid_token"],
    ["/volcengine/reports", "missing_token"],
  ]) {
    const response = await post(path, REPORTS);
    assert.deepEqual([response.status, JSON.parse(response.body).error], [401, code], path);
  }
  const disabled = await post(`/yunpian/reports/${NEW}`, "sms_status=%5B%5D", { "Content-Type": "application/x-www-form-urlencoded" });
  assert.deepEqual([disabled.status, JSON.parse(disabled.body).error], [404, "not_enabled"]);
  assert.deepEqual(await relay.waitForMessages(0), []);
  assert.deepEqual(await kvContents(relay.kv), {});
});

test("unreadable input is kept as unparsed and answered 400 or 415; a bad entry is kept whole", async () => {
  const notJson = await post(`/volcengine/reports/${NEW}`, "[{");
  assert.deepEqual([notJson.status, JSON.parse(notJson.body).error], [400, "malformed_json"]);
  assert.equal((await stored(1))[0].data.body, "[{");
  await relay.resetSinks();
  const form = await post(`/volcengine/uplink/${NEW}`, "content=hi", { "Content-Type": "application/x-www-form-urlencoded" });
  assert.deepEqual([form.status, JSON.parse(form.body).error], [415, "unsupported_media_type"]);
  assert.equal((await stored(1))[0].type, "io.github.sms-relay.unparsed");
  await relay.resetSinks();
  const mixed = JSON.stringify([JSON.parse(UPLINK)[0], { content: "no number" }]);
  assert.equal((await post(`/volcengine/uplink/${NEW}`, mixed)).status, 200);
  const events = await stored(2);
  assert.deepEqual(events.map((event) => event.type).sort(), ["io.github.sms-relay.unparsed", "io.github.sms-relay.uplink"]);
});

test("ALLOWED_IPS applies to Volcengine's routes, and a sink outage is a 503 with nothing answered 2xx", async () => {
  const limited = await startRelay({ bindings: { VOLCENGINE_TOKEN: NEW, ALLOWED_IPS: "203.0.113.0/24" } });
  try {
    const outside = await limited.request("POST", `/volcengine/reports/${NEW}`, { headers: { ...json, "CF-Connecting-IP": "198.51.100.7" }, body: REPORTS });
    assert.deepEqual([outside.status, JSON.parse(outside.body).error], [403, "ip_not_allowed"]);
    const inside = await limited.request("POST", `/volcengine/reports/${NEW}`, { headers: { ...json, "CF-Connecting-IP": "203.0.113.9" }, body: REPORTS });
    assert.equal(inside.status, 200);
  } finally {
    await limited.dispose();
  }
  // A queue that refuses every batch: 503 with Retry-After, never the 200 Volcengine stops at.
  const refusing = await refusingQueueRelay({ VOLCENGINE_TOKEN: NEW, FORWARD: "queue" });
  try {
    const response = await rawRequest(refusing.url, "POST", `/volcengine/reports/${NEW}`, { headers: json, body: REPORTS });
    assert.deepEqual([response.status, response.headers["retry-after"], JSON.parse(response.body).error], [503, "30", "sink_unavailable"]);
  } finally {
    await refusing.mf.dispose();
  }
});

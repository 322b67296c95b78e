// Spill to R2: when the queue (or KV) still refuses after the relay's in-request retries, the
// push's pending events go to ONE object under `spill/` in SPILL_BUCKET and the vendor gets its
// normal answer; the cron handler drains the bucket into the sinks once they take writes again.
// Real parts throughout (e2e/flaky.mjs): a real local queue and KV behind a proxy worker that
// refuses on command, a real local R2 bucket, real HTTP.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { Webhook } from "standardwebhooks";
import { assertValidEvent, kvKey, KEYS } from "./harness.mjs";
import { startSpillRelay, waitFor, sleep } from "./flaky.mjs";
import { signedPushHeaders } from "../scripts/huawei-signer.mjs";
import { FORM, JSON_UTF8, STATUS_REPORT, BATCH, UPLINK } from "../scripts/huawei-samples.mjs";

const REPORTS = "/huawei/reports";
const UPLINK_PATH = "/huawei/uplink";
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const SPILL_KEY = /^spill\/(\d{13})\/[^/]+$/;
/** How far the worker's clock may be from the test's around one push. */
const SLACK_MS = 100;

const report = (smsMsgId, status = "DELIVRD") => ({ smsMsgId, status, total: "1", sequence: "1" });
const single = (id) => `sequence=1&total=1&orgCode=000&updateTime=2018-04-13T06%3A31%3A46Z&source=2&smsMsgId=${id}&status=DELIVRD`;
const uplink = (id, text = "hello") => `from=%2B8615500000000&to=201804131431201234&body=${encodeURIComponent(text)}&smsMsgId=${id}`;
const batchOf = (prefix, n) => JSON.stringify({ statusReportList: Array.from({ length: n }, (_, j) => report(`${prefix}-${j}`, j % 5 ? "DELIVRD" : "UNDELIV")) });

/** Huawei's documented samples: a single status report, a batch of 3 and an uplink. */
const SAMPLES = [
  { name: "single report", path: REPORTS, body: STATUS_REPORT, contentType: FORM, events: 1 },
  { name: "batch of 3", path: REPORTS, body: BATCH, contentType: JSON_UTF8, events: 3 },
  { name: "uplink", path: UPLINK_PATH, body: UPLINK, contentType: FORM, events: 1 },
];

const is2xx = (status) => status >= 200 && status < 300;
const answerOf = (response) => ({ status: response.status, body: response.body, contentType: response.headers["content-type"] ?? null });

/** The event without what depends on when it was received. */
function masked(event) {
  const copy = structuredClone(event);
  if (copy.time === copy.data?.received_at) copy.time = "<received_at>";
  if (copy.data) copy.data.received_at = "<received_at>";
  return copy;
}

/** Pushes each sample in turn; `{ sample, t0, t1, response }` each. */
async function pushEach(relay, samples) {
  const out = [];
  for (const sample of samples) {
    const t0 = Date.now();
    const response = await relay.push(sample.path, sample.body, sample.contentType);
    out.push({ sample, t0, t1: Date.now(), response });
  }
  return out;
}

/**
 * With the queue up, pushes each sample and records what reached the queue for it: the answers
 * and events the relay gives when nothing fails. Leaves the recorder empty.
 */
async function control(relay, samples) {
  await relay.sink("queue", "up");
  await relay.resetReceived();
  const answers = [];
  const idsOf = [];
  const events = new Map();
  let total = 0;
  for (const sample of samples) {
    const response = await relay.push(sample.path, sample.body, sample.contentType);
    assert.ok(is2xx(response.status), `control push (${sample.name}) with the queue up: ${response.status} ${response.body}`);
    answers.push(answerOf(response));
    total += sample.events;
    const messages = await relay.waitForMessages(total, { settleMs: 0 });
    assert.equal(messages.length, total, `control: ${sample.name} queued ${sample.events} event(s)`);
    const mine = messages.slice(total - sample.events).map((message) => message.body);
    idsOf.push(mine.map((event) => event.id));
    for (const event of mine) events.set(event.id, event);
  }
  await sleep(200);
  assert.equal((await relay.received()).length, total, "control: nothing extra queued");
  await relay.resetReceived();
  return { answers, idsOf, events };
}

/**
 * Asserts the bucket holds one object per push, each with exactly that push's events as they
 * would have been queued (`reference`), each pending `sinks`; returns `Map(id → event)`.
 */
function assertSpilled(objects, pushes, reference, sinks) {
  assert.equal(objects.length, pushes.length, `one object per spilled push; keys: ${JSON.stringify(objects.map((o) => o.key))}`);
  const spilled = new Map();
  for (const [i, push] of pushes.entries()) {
    const ids = [...reference.idsOf[i]].sort();
    const matching = objects.filter((object) => JSON.stringify((object.body.events ?? []).map((e) => e.id).sort()) === JSON.stringify(ids));
    assert.equal(matching.length, 1, `${push.sample.name}: one object holds exactly its events ${JSON.stringify(ids)}; bucket: ${objects.map((o) => o.text.slice(0, 300)).join("\n")}`);
    const [{ key, body }] = matching;
    const keyMatch = SPILL_KEY.exec(key);
    assert.ok(keyMatch, `key ${key} is spill/<13-digit ms>/<id>`);
    const ms = Number(keyMatch[1]);
    assert.ok(ms >= push.t0 - SLACK_MS && ms <= push.t1 + SLACK_MS, `${key}: the ms of the push (${push.t0}..${push.t1})`);
    assert.match(String(body.spilled_at), RFC3339, "spilled_at is RFC 3339");
    const at = Date.parse(body.spilled_at);
    assert.ok(at >= push.t0 - 1_000 && at <= push.t1 + 1_000, `spilled_at ${body.spilled_at} during the push`);
    for (const entry of body.events) {
      assert.equal(entry.id, entry.event?.id, "the entry's id is its event's");
      assert.deepEqual([...entry.sinks].sort(), [...sinks].sort(), `${entry.id}: pending sinks`);
      assertValidEvent(entry.event);
      assert.deepEqual(masked(entry.event), masked(reference.events.get(entry.id)), `${entry.id}: the event as it would have been queued`);
      const received = entry.event.data.received_at;
      assert.match(received, RFC3339);
      assert.ok(Date.parse(received) >= push.t0 - SLACK_MS && Date.parse(received) <= push.t1 + SLACK_MS, `received_at ${received} is the push's`);
      spilled.set(entry.id, entry.event);
    }
  }
  return spilled;
}

/**
 * Asserts some worker log line about the spill mentions each id. "About the spill": the line
 * says "spill" somewhere, so a push's ordinary request line (which lists its event ids even when
 * nothing failed) does not count; the exact shape is not asserted.
 */
async function assertLogsMention(relay, ids) {
  const missing = () => {
    const lines = relay.structuredLogs().map((line) => JSON.stringify(line)).filter((line) => /spill/i.test(line));
    return ids.filter((id) => !lines.some((line) => line.includes(id)));
  };
  await waitFor(() => missing().length === 0, 3_000);
  assert.deepEqual(missing(), [], "a worker log line about the spill mentions each spilled event id");
}

/** Asserts each spilled event reached the queue (as its exact JSON object) and nothing else did. */
function assertQueued(messages, spilled) {
  const byId = new Map();
  for (const message of messages) {
    assert.equal(message.type, "object", "a queued event is a JSON object");
    const list = byId.get(message.body.id) ?? [];
    list.push(message.body);
    byId.set(message.body.id, list);
  }
  const missing = [...spilled.keys()].filter((id) => !byId.has(id));
  assert.deepEqual(missing, [], `every spilled event reached the queue (${byId.size} distinct of ${spilled.size} arrived)`);
  for (const [id, event] of spilled) {
    for (const queued of byId.get(id)) assert.deepEqual(queued, event, `${id}: queued exactly as spilled (same received_at)`);
  }
  assert.deepEqual([...byId.keys()].filter((id) => !spilled.has(id)), [], "nothing but the spilled events was queued");
}

// Cases 1–3, 5 and 8 share one relay, in order: FORWARD=queue, real R2.
let relay;
let firstSpill; // what case 1 spilled, for cases 2 and 3

before(async () => {
  relay = await startSpillRelay({ forward: "queue" });
});
after(async () => {
  await relay?.dispose();
});

test("1. queue down: each push gets the vendor's normal answer and its events are spilled to R2", { timeout: 30_000 }, async () => {
  const reference = await control(relay, SAMPLES);
  await relay.sink("queue", "down");
  const pushes = await pushEach(relay, SAMPLES);
  for (const [i, push] of pushes.entries()) {
    assert.deepEqual(answerOf(push.response), reference.answers[i], `${push.sample.name}: the vendor's success answer with the queue down`);
  }
  assert.deepEqual(await relay.receivedAfter(400), [], "nothing reached the queue");
  const objects = await relay.spilled();
  firstSpill = assertSpilled(objects, pushes, reference, ["queue"]);
  assert.equal(firstSpill.size, 5);
  await assertLogsMention(relay, [...firstSpill.keys()]);
});

test("2. a drain while the queue is still down keeps everything", { timeout: 30_000 }, async () => {
  const before = await relay.spilled();
  assert.ok(before.length > 0, "case 1 left objects to drain");
  const refusedBefore = (await relay.sink("queue", "down")).queue.refused;
  const outcome = await relay.drain();
  const after = await relay.spilled();
  assert.deepEqual(after.map((o) => o.key), before.map((o) => o.key), `the same objects stay (drain outcome ${JSON.stringify(outcome)})`);
  assert.deepEqual(after.map((o) => o.body.events), before.map((o) => o.body.events), "with the same events");
  assert.deepEqual(await relay.receivedAfter(400), [], "nothing queued");
  const refusedAfter = (await relay.sink("queue", "down")).queue.refused;
  assert.ok(refusedAfter > refusedBefore, "the drain did try the queue");
});

test("3. the queue is back: a drain queues every spilled event exactly as spilled and empties the bucket", { timeout: 30_000 }, async () => {
  assert.ok(firstSpill?.size > 0, "case 1 spilled events");
  await relay.sink("queue", "up");
  const outcome = await relay.drain();
  const messages = await relay.waitForIds([...firstSpill.keys()]);
  assertQueued(messages, firstSpill);
  assert.deepEqual((await relay.spilled()).map((o) => o.key), [], `the bucket is empty after the drain (outcome ${JSON.stringify(outcome)})`);
  await relay.resetReceived();
});

test("5. batches of 50 and uplinks spill as one object per push and drain like single reports", { timeout: 40_000 }, async () => {
  const samples = [
    { name: "batch of 50 (a)", path: REPORTS, body: batchOf("b50a", 50), contentType: JSON_UTF8, events: 50 },
    { name: "uplink (a)", path: UPLINK_PATH, body: uplink("up-a", "你好 TD"), contentType: FORM, events: 1 },
    { name: "batch of 50 (b)", path: REPORTS, body: batchOf("b50b", 50), contentType: JSON_UTF8, events: 50 },
    { name: "uplink (b)", path: UPLINK_PATH, body: uplink("up-b"), contentType: FORM, events: 1 },
    { name: "single", path: REPORTS, body: single("single-5"), contentType: FORM, events: 1 },
  ];
  const reference = await control(relay, samples);
  assert.deepEqual((await relay.spilled()).map((o) => o.key), [], "the bucket starts empty");
  await relay.sink("queue", "down");
  const pushes = await pushEach(relay, samples);
  for (const [i, push] of pushes.entries()) assert.deepEqual(answerOf(push.response), reference.answers[i], `${push.sample.name}: success answer`);
  const spilled = assertSpilled(await relay.spilled(), pushes, reference, ["queue"]);
  assert.equal(spilled.size, 103);

  const callsBefore = (await relay.sink("queue", "down")).queue.calls;
  await relay.drain();
  const callsDuring = (await relay.sink("queue", "down")).queue.calls - callsBefore;
  assert.equal((await relay.spilled()).length, samples.length, "a drain while down keeps all five objects");
  assert.deepEqual(await relay.receivedAfter(300), []);
  assert.ok(callsDuring >= 1 && callsDuring < samples.length, `the drain stops at the refusal until the next tick: ${callsDuring} queue calls for ${samples.length} objects`);

  await relay.sink("queue", "up");
  await relay.drain();
  assertQueued(await relay.waitForIds([...spilled.keys()]), spilled);
  assert.deepEqual((await relay.spilled()).map((o) => o.key), [], "bucket empty");
  await relay.resetReceived();
});

test("8. /healthz reports pending spill and its oldest time, and pending: false once drained", { timeout: 30_000 }, async () => {
  await relay.sink("queue", "up");
  let health = await relay.health();
  assert.deepEqual(health.spill, { pending: false, oldest: null }, `empty bucket: ${JSON.stringify(health)}`);

  await relay.sink("queue", "down");
  const t0 = Date.now();
  const first = await relay.push(REPORTS, single("health-1"), FORM);
  const t1 = Date.now();
  assert.ok(is2xx(first.status), `${first.status} ${first.body}`);
  await sleep(1_200);
  const second = await relay.push(REPORTS, single("health-2"), FORM);
  assert.ok(is2xx(second.status), `${second.status} ${second.body}`);
  assert.equal((await relay.spilled()).length, 2);

  health = await relay.health();
  assert.equal(health.spill?.pending, true, `objects wait: ${JSON.stringify(health)}`);
  assert.match(String(health.spill.oldest), RFC3339, "oldest is RFC 3339");
  const oldest = Date.parse(health.spill.oldest);
  assert.ok(oldest >= t0 - 1_000 && oldest <= t1 + 1_000, `oldest ${health.spill.oldest} is the first spill's time (${new Date(t0).toISOString()})`);

  await relay.drain();
  assert.equal((await relay.spilled()).length, 2, "still down: kept");
  assert.equal((await relay.health()).spill?.pending, true);

  await relay.sink("queue", "up");
  await relay.drain();
  assert.deepEqual((await relay.spilled()).map((o) => o.key), []);
  health = await relay.health();
  assert.deepEqual(health.spill, { pending: false, oldest: null }, `drained: ${JSON.stringify(health)}`);
  await relay.resetReceived();
});

test("4. no SPILL_BUCKET, queue down: 503 sink_unavailable with Retry-After, nothing stored", { timeout: 30_000 }, async () => {
  const bare = await startSpillRelay({ forward: "queue", bucket: "none" });
  try {
    const ok = await bare.push(REPORTS, single("bare-up"), FORM);
    assert.equal(ok.status, 200, "with the queue up, the proxy queue works");
    await bare.waitForMessages(1);
    await bare.resetReceived();

    await bare.sink("queue", "down");
    for (const sample of SAMPLES) {
      const refused = await bare.push(sample.path, sample.body, sample.contentType);
      assert.equal(refused.status, 503, `${sample.name}: ${refused.status} ${refused.body}`);
      assert.match(String(refused.headers["retry-after"]), /^\d+$/, "Retry-After");
      assert.equal(JSON.parse(refused.body).error, "sink_unavailable");
    }
    assert.deepEqual(await bare.receivedAfter(400), [], "nothing reached the queue");
    const health = await bare.health();
    assert.ok(!("spill" in health), `no spill report without the binding: ${JSON.stringify(health)}`);
  } finally {
    await bare.dispose();
  }
});

test("4b. the R2 put fails too: 503 sink_unavailable with Retry-After", { timeout: 30_000 }, async () => {
  const failing = await startSpillRelay({ forward: "queue", bucket: "failing" });
  try {
    await failing.sink("queue", "down");
    const refused = await failing.push(REPORTS, BATCH, JSON_UTF8);
    assert.equal(refused.status, 503, `${refused.status} ${refused.body}`);
    assert.match(String(refused.headers["retry-after"]), /^\d+$/, "Retry-After");
    assert.equal(JSON.parse(refused.body).error, "sink_unavailable");
    const counters = await failing.sink("queue", "down");
    assert.ok(counters.bucket.puts >= 1, `the relay tried to spill: ${JSON.stringify(counters)}`);
    assert.deepEqual(await failing.receivedAfter(300), []);
  } finally {
    await failing.dispose();
  }
});

test("1b/3b. FORWARD=queue,kv: a refused queue spills both sinks, a refused KV only KV; drains write the same KV entries", { timeout: 40_000 }, async () => {
  const both = await startSpillRelay({ forward: "queue,kv", kv: true, bindings: { KV_TTL_SECS: "3600" } });
  try {
    // The queue refuses: it comes first, so neither sink took the events.
    await both.sink("queue", "down");
    const pushes = await pushEach(both, SAMPLES.slice(0, 2));
    for (const push of pushes) assert.ok(is2xx(push.response.status), `${push.sample.name}: ${push.response.status} ${push.response.body}`);
    let objects = await both.spilled();
    assert.equal(objects.length, 2, "one object per push");
    const entries = objects.flatMap((o) => o.body.events);
    assert.equal(entries.length, 4);
    for (const entry of entries) {
      assert.deepEqual([...entry.sinks].sort(), ["kv", "queue"], `${entry.id}: both sinks pending`);
      assert.equal(entry.kv_key, kvKey(entry.event), "kv_key is where the event is stored");
      assert.equal(typeof entry.kv_options, "object");
      assertValidEvent(entry.event);
    }
    assert.deepEqual((await both.kv.list()).keys, [], "KV has nothing yet");
    await assertLogsMention(both, entries.map((e) => e.id));

    await both.sink("queue", "up");
    await both.drain();
    const spilled = new Map(entries.map((e) => [e.id, e.event]));
    assertQueued(await both.waitForIds([...spilled.keys()]), spilled);
    const listed = (await both.kv.list()).keys;
    assert.deepEqual(listed.map((k) => k.name).sort(), entries.map((e) => e.kv_key).sort(), "one KV key per event");
    for (const entry of entries) {
      assert.deepEqual(JSON.parse(await both.kv.get(entry.kv_key)), entry.event, `${entry.kv_key}: the same value`);
      if (entry.kv_options?.metadata !== undefined) {
        assert.deepEqual(listed.find((k) => k.name === entry.kv_key).metadata, entry.kv_options.metadata, "the same metadata");
      }
    }
    assert.deepEqual((await both.spilled()).map((o) => o.key), [], "bucket empty");
    await both.resetReceived();

    // KV refuses, the queue takes the event: only KV is pending.
    await both.sink("kv", "down");
    const t0 = Date.now();
    const response = await both.push(UPLINK_PATH, UPLINK, FORM);
    assert.ok(is2xx(response.status), `KV down: ${response.status} ${response.body}`);
    const queued = await both.waitForMessages(1);
    assert.equal(queued.length, 1, "the queue took the uplink");
    objects = await both.spilled();
    assert.equal(objects.length, 1);
    const [entry] = objects[0].body.events;
    assert.equal(objects[0].body.events.length, 1);
    assert.deepEqual(entry.sinks, ["kv"], "only KV is pending");
    assert.deepEqual(entry.event, queued[0].body, "the spilled event is the one queued");
    assert.ok(Number(SPILL_KEY.exec(objects[0].key)?.[1]) >= t0 - SLACK_MS);
    await both.drain();
    assert.equal((await both.spilled()).length, 1, "KV still down: kept");
    await both.sink("kv", "up");
    await both.drain();
    assert.deepEqual((await both.spilled()).map((o) => o.key), [], "bucket empty");
    assert.deepEqual(JSON.parse(await both.kv.get(entry.kv_key)), entry.event, "KV has the uplink");
  } finally {
    await both.dispose();
  }
});

test("6. load: mixed pushes at concurrency 16 with the queue failing 30%: no 5xx, nothing lost after draining", { timeout: 110_000 }, async (t) => {
  const PUSHES = Number(process.env.SPILL_LOAD_PUSHES ?? 2_000);
  const CONCURRENCY = 16;
  const load = await startSpillRelay({ forward: "queue" });
  try {
    const expected = new Set(); // subjects: one per event
    const pushes = Array.from({ length: PUSHES }, (_, i) => {
      let path = REPORTS, body, contentType;
      if (i % 10 === 9) {
        body = batchOf(`load-${i}`, 5);
        contentType = JSON_UTF8;
        for (let j = 0; j < 5; j++) expected.add(`load-${i}-${j}`);
      } else if (i % 10 === 4) {
        path = UPLINK_PATH;
        body = uplink(`load-${i}`, `message ${i}`);
        contentType = FORM;
        expected.add(`load-${i}`);
      } else {
        body = single(`load-${i}`);
        contentType = FORM;
        expected.add(`load-${i}`);
      }
      const url = new URL(path, load.url).href;
      return { url, body, headers: signedPushHeaders({ url, body, contentType, accessKey: "ak1", secretKey: KEYS.ak1 }) };
    });

    await load.sink("queue", "rate?p=0.3");
    const statuses = {};
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < pushes.length) {
          const { url, body, headers } = pushes[next++];
          const status = await new Promise((resolve) => {
            const request = http.request(url, { method: "POST", headers, agent: false }, (response) => {
              response.resume();
              response.on("end", () => resolve(response.statusCode));
            });
            request.on("error", (error) => resolve(`error: ${error.code}`));
            request.end(body);
          });
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
      }),
    );
    const pushMs = Date.now() - started;
    const counters = (await load.sink("queue", "up")).queue;
    const objects = await load.spilled();
    const spilled = new Map(objects.flatMap((o) => o.body.events.map((e) => [e.id, e.event])));
    const message = `${PUSHES} pushes in ${pushMs} ms; statuses ${JSON.stringify(statuses)}; queue calls ${counters.calls}, refused ${counters.refused}; ${objects.length} objects, ${spilled.size} events spilled`;
    t.diagnostic(message);
    console.log(`# load: ${message}`);
    assert.deepEqual(statuses, { 200: PUSHES }, "every push answered 200, no 5xx");
    assert.ok(objects.length > 0, "the failure rate made some pushes spill");

    const drainStarted = Date.now();
    const maxTicks = Math.ceil(objects.length / 20) + 5;
    await load.drain();
    let ticks = 1;
    // One tick takes at most 20 objects, the oldest first (keys sort by the push's ms).
    const afterFirst = (await load.spilled()).map((o) => o.key);
    assert.deepEqual(afterFirst, objects.slice(20).map((o) => o.key), "the first tick drained the 20 oldest objects, and only those");
    while ((await load.spilled()).length > 0 && ticks < maxTicks) {
      await load.drain();
      ticks++;
    }
    const left = (await load.spilled()).length;
    const drainMs = Date.now() - drainStarted;
    t.diagnostic(`drained ${objects.length} objects in ${ticks} ticks, ${drainMs} ms; ${left} left`);
    console.log(`# load: drained ${objects.length} objects in ${ticks} ticks, ${drainMs} ms; ${left} left`);
    assert.equal(left, 0, `the bucket empties within ${maxTicks} ticks (20 objects a tick)`);

    await waitFor(async () => {
      const seen = new Set((await load.received()).map((m) => m.body?.subject));
      return [...expected].every((subject) => seen.has(subject));
    }, 30_000);
    const messages = await load.receivedAfter(500);
    const subjects = new Set(messages.map((m) => m.body.subject));
    const lost = [...expected].filter((subject) => !subjects.has(subject));
    assert.deepEqual(lost.slice(0, 20), [], `nothing lost: ${lost.length} of ${expected.size} events never reached the queue`);
    const ids = new Set(messages.map((m) => m.body.id));
    assert.deepEqual([...spilled.keys()].filter((id) => !ids.has(id)), [], "every spilled id reached the queue");
    for (const m of messages) if (spilled.has(m.body.id)) assert.deepEqual(m.body, spilled.get(m.body.id), "drained exactly as spilled");
    t.diagnostic(`${messages.length} messages for ${expected.size} events (${messages.length - expected.size} re-sent)`);
  } finally {
    await load.dispose();
  }
});

/** A loopback HTTP backend that answers 204 and records each request. */
async function startBackend() {
  const requests = [];
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      requests.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      response.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/hooks/sms`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

test("7. HTTP delivery: events spilled while the queue is down reach the backend after the drain, webhook-id = event id", { timeout: 40_000 }, async () => {
  const SECRET = "whsec_" + Buffer.from("spill-delivery-secret-0123456789").toString("base64");
  const backend = await startBackend();
  const relay = await startSpillRelay({
    forward: "queue,http",
    delivery: true,
    bindings: { FORWARD_URL: backend.url, FORWARD_SECRET: SECRET, FORWARD_MAX_ATTEMPTS: "4", FORWARD_RETRY_BASE_SECS: "1", FORWARD_TIMEOUT_MS: "1000" },
  });
  try {
    await relay.sink("queue", "down");
    const pushes = await pushEach(relay, SAMPLES);
    for (const push of pushes) assert.ok(is2xx(push.response.status), `${push.sample.name}: ${push.response.status} ${push.response.body}`);
    const objects = await relay.spilled();
    assert.equal(objects.length, 3, "one object per push");
    const spilled = new Map(objects.flatMap((o) => o.body.events.map((e) => [e.id, e.event])));
    assert.equal(spilled.size, 5);
    await sleep(800);
    assert.equal(backend.requests.length, 0, "nothing delivered while the events wait in the bucket");

    await relay.sink("queue", "up");
    await relay.drain();
    const delivered = () => new Set(backend.requests.map((r) => r.headers["webhook-id"]));
    await waitFor(() => [...spilled.keys()].every((id) => delivered().has(id)), 20_000);
    assert.deepEqual([...spilled.keys()].filter((id) => !delivered().has(id)), [], "every spilled event was delivered");
    for (const request of backend.requests) {
      const event = JSON.parse(request.body);
      assert.equal(request.headers["webhook-id"], event.id, "webhook-id is the event id");
      assert.deepEqual(event, spilled.get(event.id), "delivered exactly as spilled");
      new Webhook(SECRET).verify(request.body, request.headers);
    }
    assert.deepEqual((await relay.spilled()).map((o) => o.key), [], "bucket empty");
    assert.deepEqual(await relay.receivedAfter(200), [], "nothing dead-lettered");
  } finally {
    await relay.dispose();
    await backend.close();
  }
});

// HTTP delivery end to end: the relay consumes its own queue and POSTs each event to a real
// HTTP server on loopback, which verifies every delivery with the `standardwebhooks` package
// and misbehaves on purpose for some events.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { Webhook } from "standardwebhooks";
import { HTTP } from "cloudevents";
import { startRelay, kvContents, kvKey, KEYS } from "./harness.mjs";
import { JSON_UTF8, FORM, UPLINK } from "../scripts/huawei-samples.mjs";

const SECRET_OLD = "whsec_" + Buffer.from("old-secret-for-rotation-0123456").toString("base64");
const SECRET_NEW = "whsec_" + Buffer.from("new-secret-for-rotation-6543210").toString("base64");

/**
 * A backend that records every request and answers by the event's subject:
 * `fail-503-once`, `fail-429-once` (Retry-After: 1), `slow-once` (answers after the relay's
 * timeout), `reject-400`, `always-503`; anything else 204.
 */
async function startBackend() {
  const requests = [];
  const seen = new Map();
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const verified = {};
      for (const [name, secret] of [["old", SECRET_OLD], ["new", SECRET_NEW]]) {
        try {
          new Webhook(secret).verify(body, request.headers);
          verified[name] = true;
        } catch {
          verified[name] = false;
        }
      }
      const event = JSON.parse(body);
      const attempt = (seen.get(event.id) ?? 0) + 1;
      seen.set(event.id, attempt);
      const record = { at: Date.now(), url: request.url, headers: request.headers, body, event, verified, attempt };
      requests.push(record);
      const answer = (status, headers = {}) => {
        record.status = status;
        response.writeHead(status, headers).end();
      };
      switch (event.subject) {
        case "fail-503-once":
          return attempt === 1 ? answer(503) : answer(200);
        case "fail-429-once":
          return attempt === 1 ? answer(429, { "Retry-After": "1" }) : answer(200);
        case "slow-once":
          return attempt === 1 ? setTimeout(() => answer(200), 2_500) : answer(200);
        case "reject-400":
          return answer(400);
        case "reject-400-once":
          return attempt === 1 ? answer(400) : answer(204);
        case "always-503":
          return answer(503);
        default:
          return answer(204);
      }
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/hooks/sms?tenant=t1`,
    requests,
    delivered: () => new Set(requests.filter((r) => r.status >= 200 && r.status < 300).map((r) => r.event.id)),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

async function waitFor(condition, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function relayFor(backend, extra = {}, { replay = false } = {}) {
  return startRelay({
    delivery: true,
    replay,
    bindings: {
      HUAWEI_PUSH_KEYS: `ak1:${KEYS.ak1}`,
      FORWARD: "kv,http",
      FORWARD_URL: backend.url,
      FORWARD_SECRET: `${SECRET_OLD} ${SECRET_NEW}`,
      FORWARD_MAX_ATTEMPTS: "4",
      FORWARD_RETRY_BASE_SECS: "1",
      FORWARD_TIMEOUT_MS: "1000",
      ...extra,
    },
  });
}

const report = (smsMsgId, status = "DELIVRD") => ({ smsMsgId, status, total: "1", sequence: "1" });

test("every good event reaches the backend signed; the rejected one is dead-lettered", { timeout: 90_000 }, async () => {
  const backend = await startBackend();
  const relay = await relayFor(backend);
  try {
    const subjects = ["good-1", "good-2", "fail-503-once", "fail-429-once", "slow-once", "reject-400"];
    const batch = JSON.stringify({ statusReportList: subjects.map((s) => report(s)) });
    assert.equal((await relay.push("/huawei/reports", batch, JSON_UTF8)).status, 200);
    assert.equal((await relay.push("/huawei/uplink", UPLINK, FORM)).status, 200);

    // The ids the ingest side produced, from KV.
    const stored = Object.values(await kvContents(relay.kv)).map((entry) => entry.value);
    assert.equal(stored.length, 7);
    const idOf = Object.fromEntries(stored.map((event) => [event.subject, event.id]));
    const good = stored.filter((event) => event.subject !== "reject-400");

    await waitFor(async () => good.every((event) => backend.delivered().has(event.id)) && (await relay.received()).length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // let stragglers show up

    // Every request the backend saw verifies with either secret (both sign during rotation).
    assert.ok(backend.requests.length >= 10, `retries happened: ${backend.requests.length}`);
    for (const request of backend.requests) {
      assert.deepEqual(request.verified, { old: true, new: true }, request.body);
      assert.equal(request.url, "/hooks/sms?tenant=t1");
      assert.equal(request.headers["content-type"], "application/cloudevents+json; charset=utf-8");
      // The CloudEvents SDK's HTTP binding reads it as a structured-mode event, attributes and data intact.
      const parsed = HTTP.toEvent({ headers: request.headers, body: request.body });
      assert.equal(parsed.id, request.event.id);
      assert.equal(parsed.type, request.event.type);
      assert.equal(parsed.source, request.event.source);
      assert.deepEqual(parsed.data, request.event.data);
      assert.equal(request.headers["webhook-id"], request.event.id, "webhook-id is the event id");
      assert.equal(request.headers["webhook-signature"].split(" ").length, 2);
      assert.deepEqual(request.event, stored.find((event) => event.id === request.event.id), "the body is the stored event");
    }
    // Every good event arrived, with the ids the ingest side produced, and nothing else did.
    assert.deepEqual([...backend.delivered()].sort(), good.map((event) => event.id).sort());
    const attemptsOf = (subject) => backend.requests.filter((r) => r.event.id === idOf[subject]);
    assert.deepEqual(attemptsOf("fail-503-once").map((r) => r.status), [503, 200]);
    assert.deepEqual(attemptsOf("reject-400").map((r) => r.status), [400], "a 400 is not retried");
    const [limited, retried] = attemptsOf("fail-429-once");
    assert.deepEqual([limited.status, retried.status], [429, 200]);
    assert.ok(retried.at - limited.at >= 900, `Retry-After honoured: ${retried.at - limited.at} ms`);
    assert.equal(attemptsOf("slow-once").at(-1).status, 200, "a timed-out attempt is retried");
    assert.equal(new Set(attemptsOf("good-1").map((r) => r.headers["webhook-id"])).size, 1);

    // The dead-letter queue holds the rejected event with its failure, and nothing else.
    const dead = await relay.waitForMessages(1, { settleMs: 1_000 });
    assert.equal(dead.length, 1);
    assert.equal(dead[0].type, "object");
    const { event, delivery } = dead[0].body;
    assert.equal(event.id, idOf["reject-400"]);
    assert.deepEqual(event, stored.find((e) => e.id === idOf["reject-400"]));
    assert.deepEqual({ ...delivery, failed_at: undefined }, {
      reason: "permanent_failure", attempts: 1, last_status: 400, last_error: "http_400", failed_at: undefined,
    });

    // One log line per attempt, without bodies, URLs or secrets.
    const logs = relay.deliveryLogs();
    assert.equal(logs.length, backend.requests.length);
    const logged = (subject) => logs.filter((l) => l.event_id === idOf[subject]).map((l) => [l.attempt, l.status, l.outcome]);
    assert.deepEqual(logged("fail-503-once"), [[1, 503, "retry"], [2, 200, "delivered"]]);
    assert.deepEqual(logged("reject-400"), [[1, 400, "permanent_failure"]]);
    assert.deepEqual(logged("slow-once")[0], [1, null, "retry"]);
    assert.equal(logs.find((l) => l.event_id === idOf["slow-once"]).error, "timeout");
    assert.ok(logs.every((l) => Number.isInteger(l.latency_ms)));
    const text = JSON.stringify(logs);
    for (const secret of [SECRET_OLD, SECRET_NEW, "tenant=t1", "+8615500000000"]) assert.ok(!text.includes(secret), secret);

    // /healthz shows where events go (origin only) and the retry settings, never a secret.
    const health = await relay.health();
    assert.deepEqual(health.sinks, ["kv", "queue"]);
    assert.deepEqual(health.http_delivery, {
      target: new URL(backend.url).origin, secrets: 2, max_attempts: 4, retry_base_secs: 1, timeout_ms: 1000,
    });
    assert.ok(!JSON.stringify(health).includes("whsec_"));
  } finally {
    await relay.dispose();
    await backend.close();
  }
});

test("an event that keeps failing is dead-lettered after FORWARD_MAX_ATTEMPTS", { timeout: 90_000 }, async () => {
  const backend = await startBackend();
  const relay = await relayFor(backend, { FORWARD_MAX_ATTEMPTS: "3" });
  try {
    const batch = JSON.stringify({ statusReportList: [report("always-503", "UNDELIV"), report("fine")] });
    assert.equal((await relay.push("/huawei/reports", batch, JSON_UTF8)).status, 200);
    const dead = await relay.waitForMessages(1, { settleMs: 500, timeoutMs: 30_000 });
    assert.equal(dead.length, 1);
    const { event, delivery } = dead[0].body;
    assert.equal(event.subject, "always-503");
    assert.deepEqual([delivery.reason, delivery.attempts, delivery.last_status, delivery.last_error], ["retries_exhausted", 3, 503, "http_503"]);
    const attempts = backend.requests.filter((r) => r.event.subject === "always-503");
    assert.equal(attempts.length, 3);
    const gaps = attempts.slice(1).map((r, i) => r.at - attempts[i].at);
    assert.ok(gaps.every((gap) => gap >= 400), `backoff between attempts: ${gaps}`);
    assert.deepEqual(backend.requests.filter((r) => r.event.subject === "fine").map((r) => r.status), [204], "the bad event did not hold back the good one");
  } finally {
    await relay.dispose();
    await backend.close();
  }
});

test("a consumer without a usable delivery configuration acknowledges nothing", { timeout: 60_000 }, async () => {
  // The relay consumes the queue but FORWARD has no `http`: queued events must be retried
  // (and eventually dead-lettered by the platform), never acknowledged as delivered.
  const relay = await startRelay({ delivery: true, bindings: { HUAWEI_PUSH_KEYS: `ak1:${KEYS.ak1}`, FORWARD: "queue" } });
  try {
    const batch = JSON.stringify({ statusReportList: [report("kept-1"), report("kept-2")] });
    assert.equal((await relay.push("/huawei/reports", batch, JSON_UTF8)).status, 200);
    await waitFor(() => relay.structuredLogs().some((line) => line.delivery === "http"), 10_000);
    const [line] = relay.structuredLogs().filter((l) => l.delivery === "http");
    assert.deepEqual([line.outcome, line.messages], ["config_invalid", 2]);
    assert.deepEqual(await relay.received(), [], "nothing dead-lettered by the worker, nothing dropped");
  } finally {
    await relay.dispose();
  }
});

test("numbers a JS number cannot hold reach the backend as their literal text, byte for byte as in KV", { timeout: 60_000 }, async () => {
  const backend = await startBackend();
  const relay = await relayFor(backend);
  try {
    const body = `{"statusReportList":[{"smsMsgId":"numbers","status":"DELIVRD","big":12345678901234567891,"huge":1e999,"tiny":1e-400,"exact":1E20}]}`;
    assert.equal((await relay.push("/huawei/reports", body, JSON_UTF8)).status, 200);
    await waitFor(() => backend.delivered().size === 1);
    const [delivery] = backend.requests;
    assert.ok(delivery.verified.old && delivery.verified.new);
    assert.deepEqual(delivery.event.data.extra, {
      big: "12345678901234567891",
      huge: "1e999",
      tiny: "1e-400",
      exact: 100000000000000000000,
    });
    assert.equal(delivery.body, await relay.kv.get(kvKey(delivery.event)), "the same bytes through HTTP and KV");
  } finally {
    await relay.dispose();
    await backend.close();
  }
});

test("dead letters are replayed unchanged once the cause is fixed, and held otherwise", { timeout: 60_000 }, async () => {
  // The backend rejects the event once (a permanent 4xx: dead-lettered at once), then accepts
  // it: the "fix". REPLAY_DEAD_LETTERS_BEFORE after the failure sends it back for delivery.
  const backend = await startBackend();
  const relay = await relayFor(backend, { REPLAY_DEAD_LETTERS_BEFORE: "2999-01-01T00:00:00Z" }, { replay: true });
  try {
    const body = JSON.stringify({ statusReportList: [report("reject-400-once")] });
    assert.equal((await relay.push("/huawei/reports", body, JSON_UTF8)).status, 200);
    await waitFor(async () => backend.delivered().size === 1);
    const attempts = backend.requests;
    assert.deepEqual(attempts.map((r) => r.status), [400, 204]);
    assert.equal(attempts[0].body, attempts[1].body, "the replayed event is the same bytes");
    assert.equal(attempts[0].headers["webhook-id"], attempts[1].headers["webhook-id"], "and the same id");
    await waitFor(async () => relay.structuredLogs().some((line) => line.delivery === "replay" && line.outcome === "replayed"));
  } finally {
    await relay.dispose();
    await backend.close();
  }

  // A letter that failed after the cutoff is held: not sent again, not acknowledged.
  const held = await startBackend();
  const holding = await relayFor(held, { REPLAY_DEAD_LETTERS_BEFORE: "2000-01-01T00:00:00Z" }, { replay: true });
  try {
    const body = JSON.stringify({ statusReportList: [report("reject-400")] });
    assert.equal((await holding.push("/huawei/reports", body, JSON_UTF8)).status, 200);
    await waitFor(async () => holding.structuredLogs().some((line) => line.delivery === "replay" && line.outcome === "held"));
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(held.requests.map((r) => r.status), [400], "posted once, never replayed");
  } finally {
    await holding.dispose();
    await held.close();
  }
});

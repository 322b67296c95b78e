// The worker's entry module. It only moves bytes: the Rust core (src/relay/exchange.rs,
// src/delivery/consumer.rs, through src/edge/) makes every decision, one synchronous call per
// step, and this file performs the I/O each step names. The step kinds are the enums of
// src/edge/ (FetchStep, DrainStep, DeliveryStep), imported from the glue: every kind has its
// case, any other value throws, and each outcome is reported by name (`sent()` or
// `sendFailed(why)`). Why the I/O is in JavaScript rather than in Rust through workers-rs:
// docs/architecture.md ("Choices") and BENCHMARKS.md ("The hot path's shape").
//
// `make build` copies it to build/worker.js beside wasm-bindgen's relay.js and relay_bg.wasm.
import { initSync, Relay, FetchStep, DrainStep, DeliveryStep, __wbg_reset_state as resetWasm } from "./relay.js";
import wasmModule from "./relay_bg.wasm";

initSync({ module: wasmModule });

// The configuration is read once per environment, i.e. once per isolate.
let relay, relayEnv;
function relayFor(env) {
  if (relayEnv !== env) {
    relay = new Relay(env);
    relayEnv = env;
  }
  return relay;
}

const message = (error) => String(error?.message ?? error);
/** Awaits `io()`, then `done(value)` with what it resolved to, or `failed(why)` with the
 * message of what it threw. Only `io` is inside the `try`: a wasm trap in `done` or `failed`
 * is never taken for an I/O failure. */
async function settle(io, done, failed) {
  let value;
  try {
    value = await io();
  } catch (error) {
    return failed(message(error));
  }
  return done(value);
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `put` each KV entry a step names, concurrently, then report each outcome in order and
 * `written()`. */
async function putAll(kv, step) {
  const puts = [];
  for (let i = 0; i < step.putCount; i++) {
    puts.push(kv.put(step.putKey(i), step.putValue(i), JSON.parse(step.putOptions(i))));
  }
  for (const result of await Promise.allSettled(puts)) {
    if (result.status === "fulfilled") step.putDone();
    else step.putFailed(message(result.reason));
  }
  step.written();
}

/** One bulk KV read: a byte per key, 1 when it holds a value. */
async function readKeys(kv, keys) {
  const values = await kv.get(keys);
  return Uint8Array.from(keys, (key) => (values.get(key) == null ? 0 : 1));
}

/** The keys of a spill bucket listing, as JSON. */
async function listKeys(bucket, prefix, limit) {
  const listed = await bucket.list({ prefix, limit });
  return JSON.stringify(listed.objects.map((object) => object.key));
}

/** Tries the step's Ed25519 public keys in order with WebCrypto until one verifies its
 * signature over its message; reports `verified(i)`, `notVerified()`, or `verifyFailed(why)`
 * when WebCrypto throws (unsupported, a bad key). */
async function verifyEd25519(step) {
  // The key count, the raw 32-byte keys, the 64-byte signature, the signed message.
  const input = step.verifyInput(), count = input[0], at = 1 + 32 * count;
  const keys = Array.from({ length: count }, (_, i) => input.subarray(1 + 32 * i, 33 + 32 * i));
  const signature = input.subarray(at, at + 64), signed = input.subarray(at + 64);
  let found = -1;
  try {
    for (let i = 0; i < keys.length && found < 0; i++) {
      const key = await crypto.subtle.importKey("raw", keys[i], { name: "Ed25519" }, false, ["verify"]);
      if (await crypto.subtle.verify({ name: "Ed25519" }, key, signature, signed)) found = i;
    }
  } catch (error) {
    return step.verifyFailed(message(error));
  }
  return found < 0 ? step.notVerified() : step.verified(found);
}

/** Reads the body into the exchange: one read when its length is declared (the core has
 * checked it against the limit), else chunk by chunk until the core says stop. */
async function readBody(request, exchange) {
  try {
    if (request.headers.has("content-length")) {
      exchange.chunk(new Uint8Array(await request.arrayBuffer()));
    } else if (request.body) {
      const reader = request.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (!exchange.chunk(value)) {
          await reader.cancel();
          break;
        }
      }
    }
  } catch {
    exchange.failed();
  }
}

async function serve(request, env) {
  const relay = relayFor(env);
  let headers = "";
  for (const [name, value] of request.headers) headers += `${name}:${value}\n`;
  const exchange = relay.exchange(request.method, request.url, headers, Date.now());
  try {
    if (exchange.wantsBody) await readBody(request, exchange);
    exchange.end(Date.now());
    for (;;) {
      const step = exchange.step();
      switch (step) {
        case FetchStep.SendBatch:
          await settle(() => relay.queue.sendBatch(JSON.parse(exchange.text())), () => exchange.sent(), (why) => exchange.sendFailed(why));
          break;
        case FetchStep.PutKv:
          await putAll(relay.kv, exchange);
          break;
        case FetchStep.PutR2: {
          const key = exchange.key, body = exchange.text();
          await settle(() => relay.spill.put(key, body), () => exchange.spilled(), (why) => exchange.spillFailed(why));
          break;
        }
        case FetchStep.ListR2: {
          const prefix = exchange.text(), limit = exchange.listLimit;
          await settle(() => listKeys(relay.spill, prefix, limit), (keys) => exchange.r2Listed(keys), (why) => exchange.r2ListFailed(why));
          break;
        }
        case FetchStep.Wait:
          await sleep(exchange.waitMs);
          break;
        case FetchStep.VerifyEd25519:
          await verifyEd25519(exchange);
          break;
        case FetchStep.GetKv: {
          const keys = JSON.parse(exchange.text());
          await settle(() => readKeys(relay.kv, keys), (found) => exchange.read(found), (why) => exchange.readFailed(why));
          break;
        }
        case FetchStep.ListKv: {
          const prefix = exchange.text(), cursor = exchange.cursor;
          await settle(
            async () => JSON.stringify(await relay.kv.list(cursor === undefined ? { prefix } : { prefix, cursor })),
            (listed) => exchange.listed(listed),
            (why) => exchange.listFailed(why),
          );
          break;
        }
        case FetchStep.Finish: {
          const body = exchange.text();
          const response = new Response(body === "" ? null : body, {
            status: exchange.status,
            headers: JSON.parse(exchange.headers()),
          });
          const line = exchange.log(Date.now());
          if (line !== undefined) console.log(line);
          return response;
        }
        default:
          throw new Error(`sms-relay: unknown fetch step ${step}`);
      }
    }
  } finally {
    exchange.free();
  }
}

/** One cron tick: re-send what the spill bucket holds once the sinks take writes again. */
async function drain(relay) {
  const job = relay.drain();
  try {
    for (;;) {
      const step = job.step();
      switch (step) {
        case DrainStep.ListR2: {
          const prefix = job.text(), limit = job.limit;
          await settle(() => listKeys(relay.spill, prefix, limit), (keys) => job.listed(keys), (why) => job.listFailed(why));
          break;
        }
        case DrainStep.GetR2:
          await settle(
            async () => {
              const object = await relay.spill.get(job.text());
              return object === null ? null : await object.text();
            },
            (body) => (body === null ? job.gone() : job.got(body)),
            (why) => job.getFailed(why),
          );
          break;
        case DrainStep.SendBatch:
          await settle(() => relay.queue.sendBatch(JSON.parse(job.text())), () => job.sent(), (why) => job.sendFailed(why));
          break;
        case DrainStep.PutKv:
          await putAll(relay.kv, job);
          break;
        case DrainStep.DeleteR2:
          await settle(() => relay.spill.delete(job.text()), () => job.deleted(), (why) => job.deleteFailed(why));
          break;
        case DrainStep.GetKv: {
          const keys = JSON.parse(job.text());
          await settle(() => readKeys(relay.kv, keys), (found) => job.read(found), (why) => job.readFailed(why));
          break;
        }
        case DrainStep.PutR2: {
          const key = job.key, body = job.text();
          await settle(() => relay.spill.put(key, body), () => job.stored(), (why) => job.storeFailed(why));
          break;
        }
        case DrainStep.Finish:
          console.log(job.log());
          return;
        default:
          throw new Error(`sms-relay: unknown drain step ${step}`);
      }
    }
  } finally {
    job.free();
  }
}

async function deliver(relay, msg) {
  const delivery = relay.delivery(JSON.stringify(msg.body) ?? "", msg.id, msg.attempts, Date.now());
  try {
    for (;;) {
      const step = delivery.step(Date.now());
      switch (step) {
        case DeliveryStep.Post:
          try {
            const response = await fetch(delivery.url, {
              method: "POST",
              headers: JSON.parse(delivery.headers()),
              body: delivery.text(),
              redirect: "manual",
              signal: AbortSignal.timeout(delivery.timeoutMs),
            });
            // Only the status and Retry-After matter; release the connection.
            await response.body?.cancel();
            delivery.answered(response.status, response.headers.get("retry-after") ?? undefined, Date.now(), Math.random());
          } catch (e) {
            if (e?.name === "TimeoutError") delivery.timedOut(Date.now(), Math.random());
            else delivery.unreachable(message(e), Date.now(), Math.random());
          }
          break;
        case DeliveryStep.DeadLetter:
          await settle(
            () => relay.deadLetterQueue.send(JSON.parse(delivery.text()), { contentType: "json" }),
            () => delivery.deadLettered(),
            (why) => delivery.deadLetterFailed(why),
          );
          break;
        case DeliveryStep.Requeue:
          await settle(
            () => relay.queue.send(JSON.parse(delivery.text()), { contentType: "json" }),
            () => delivery.requeued(),
            (why) => delivery.requeueFailed(why),
          );
          break;
        case DeliveryStep.Ack:
          await settle(() => msg.ack(), () => delivery.settled(), (why) => delivery.settleFailed(why));
          break;
        case DeliveryStep.Retry:
          await settle(() => msg.retry({ delaySeconds: delivery.delaySecs }), () => delivery.settled(), (why) => delivery.settleFailed(why));
          break;
        case DeliveryStep.Done:
          console.log(delivery.log());
          return;
        default:
          throw new Error(`sms-relay: unknown delivery step ${step}`);
      }
    }
  } finally {
    delivery.free();
  }
}

/** A trap leaves the wasm instance in an unknown state: start a fresh one for what follows. */
function recover(error) {
  if (error instanceof WebAssembly.RuntimeError) {
    console.error("sms-relay: wasm trapped; restarting its instance", error);
    resetWasm();
    relayEnv = undefined;
  }
}

export default {
  async fetch(request, env) {
    try {
      return await serve(request, env);
    } catch (error) {
      recover(error);
      return Response.json({ error: "internal_error" }, { status: 500 });
    }
  },

  async scheduled(controller, env) {
    try {
      await drain(relayFor(env));
    } catch (error) {
      recover(error);
      throw error;
    }
  },

  async queue(batch, env) {
    try {
      const relay = relayFor(env);
      const refused = relay.batchRefused(batch.messages.length);
      if (refused !== undefined) {
        console.log(refused);
        batch.retryAll({ delaySeconds: relay.refusedRetrySecs });
        return;
      }
      await Promise.all(batch.messages.map((msg) => deliver(relay, msg)));
    } catch (error) {
      // Unsettled messages are retried by the runtime.
      recover(error);
      throw error;
    }
  },
};

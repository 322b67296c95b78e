// The worker's entry module. It only moves bytes: the Rust core (src/relay/exchange.rs,
// src/delivery/consumer.rs, through src/edge/) makes every decision, one synchronous call per
// step, and this file performs the I/O each step names. The step kinds are the enums of
// src/edge/ (FetchStep, DrainStep, DeliveryStep), imported from the glue: every kind has its
// case and any other value throws. Why the I/O is in JavaScript rather than in Rust through
// workers-rs: BENCHMARKS.md ("The hot path's shape").
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
/** `undefined` once `call()` has settled, else why it failed. */
async function failure(call) {
  try {
    await call();
  } catch (error) {
    return message(error);
  }
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `put` each KV entry a step names, concurrently; one `undefined` or error message each. */
async function putAll(kv, step) {
  const puts = [];
  for (let i = 0; i < step.putCount; i++) {
    puts.push(kv.put(step.putKey(i), step.putValue(i), JSON.parse(step.putOptions(i))));
  }
  const results = await Promise.allSettled(puts);
  return results.map((result) => (result.status === "fulfilled" ? undefined : message(result.reason)));
}

/** One bulk KV read: a byte per key (1 when it holds a value), and why it failed. */
async function readKeys(kv, keys) {
  try {
    const values = await kv.get(keys);
    return [Uint8Array.from(keys, (key) => (values.get(key) == null ? 0 : 1)), undefined];
  } catch (e) {
    return [undefined, message(e)];
  }
}

/** The keys of a spill bucket listing, as JSON, and why it failed. */
async function listKeys(bucket, prefix, limit) {
  try {
    const listed = await bucket.list({ prefix, limit });
    return [JSON.stringify(listed.objects.map((object) => object.key)), undefined];
  } catch (e) {
    return [undefined, message(e)];
  }
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
          exchange.sent(await failure(() => relay.queue.sendBatch(JSON.parse(exchange.text()))));
          break;
        case FetchStep.PutKv:
          exchange.written(await putAll(relay.kv, exchange));
          break;
        case FetchStep.PutR2: {
          const key = exchange.key, body = exchange.text();
          exchange.spilled(await failure(() => relay.spill.put(key, body)));
          break;
        }
        case FetchStep.ListR2: {
          const limit = exchange.listLimit;
          exchange.r2Listed(...(await listKeys(relay.spill, exchange.text(), limit)));
          break;
        }
        case FetchStep.Wait:
          await sleep(exchange.waitMs);
          break;
        case FetchStep.GetKv:
          exchange.read(...(await readKeys(relay.kv, JSON.parse(exchange.text()))));
          break;
        case FetchStep.ListKv:
          try {
            const prefix = exchange.text(), cursor = exchange.cursor;
            const listed = await relay.kv.list(cursor === undefined ? { prefix } : { prefix, cursor });
            exchange.listed(JSON.stringify(listed), undefined);
          } catch (e) {
            exchange.listed(undefined, message(e));
          }
          break;
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
          const limit = job.limit;
          job.listed(...(await listKeys(relay.spill, job.text(), limit)));
          break;
        }
        case DrainStep.GetR2:
          try {
            const object = await relay.spill.get(job.text());
            job.got(object === null ? undefined : await object.text(), object === null, undefined);
          } catch (e) {
            job.got(undefined, false, message(e));
          }
          break;
        case DrainStep.SendBatch:
          job.sent(await failure(() => relay.queue.sendBatch(JSON.parse(job.text()))));
          break;
        case DrainStep.PutKv:
          job.written(await putAll(relay.kv, job));
          break;
        case DrainStep.DeleteR2:
          job.deleted(await failure(() => relay.spill.delete(job.text())));
          break;
        case DrainStep.GetKv:
          job.read(...(await readKeys(relay.kv, JSON.parse(job.text()))));
          break;
        case DrainStep.PutR2: {
          const key = job.key, body = job.text();
          job.putDone(await failure(() => relay.spill.put(key, body)));
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
          delivery.deadLettered(await failure(() => relay.deadLetterQueue.send(JSON.parse(delivery.text()), { contentType: "json" })));
          break;
        case DeliveryStep.Requeue:
          delivery.requeued(await failure(() => relay.queue.send(JSON.parse(delivery.text()), { contentType: "json" })));
          break;
        case DeliveryStep.Ack:
          delivery.settled(await failure(() => msg.ack()));
          break;
        case DeliveryStep.Retry:
          delivery.settled(await failure(() => msg.retry({ delaySeconds: delivery.delaySecs })));
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

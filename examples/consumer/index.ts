// An example consumer of sms-relay's events queue: a Worker that keeps each message's latest
// delivery state in its own KV namespace and logs replies. Replace the bodies of the three
// handlers with what your system does. The event type comes from schema/event.d.ts, so the
// compiler checks every field you read.
import type { SmsRelayEvent } from "../../schema/event";

interface Env {
  /** Where this example keeps each message's latest state: `<provider>/<message_id>` → JSON. */
  DELIVERY_STATE: KVNamespace;
}

export default {
  async queue(batch: MessageBatch<SmsRelayEvent>, env: Env): Promise<void> {
    for (const message of batch.messages) {
      const event = message.body;
      try {
        switch (event.type) {
          case "io.github.sms-relay.status_report": {
            // One handler for every vendor: `state` and `final` mean the same whoever sent it;
            // `status` and `error_code` keep the vendor's own values.
            const { message_id, segment, status, state, final, error_code, updated_at } = event.data;
            // Two providers can use the same message id: the provider is part of the key.
            const key = `${event.provider}/${message_id}`;
            const seen = await env.DELIVERY_STATE.get<{ final: boolean }>(key, "json");
            // Reports can arrive out of order: a late in-flight one (`sent` after `delivered`)
            // never replaces a final one.
            if (seen?.final && !final) break;
            await env.DELIVERY_STATE.put(key, JSON.stringify({ segment, status, state, final, error_code, updated_at, event_id: event.id }));
            if (final && state !== "delivered" && state !== "read") {
              console.log(`message ${key} ${state}: ${error_code ?? "no error code"}`);
            }
            break;
          }
          case "io.github.sms-relay.uplink":
            // A reply from a subscriber: route it to whoever handles inbound messages.
            console.log(`${event.provider} reply from ${event.data.from} to ${event.data.to ?? "(not given)"}`);
            break;
          case "io.github.sms-relay.unparsed":
            // Authentic input the relay could not read: keep it for a human.
            console.log(`unparsed input (${event.data.reason}) kept as event ${event.id}`);
            break;
        }
        // The same event can arrive twice (delivery is at least once): the writes above are
        // idempotent, keyed by provider and message id; deduplicate on event.id otherwise.
        message.ack();
      } catch (error) {
        console.error(`event ${event.id}: ${error}`);
        message.retry({ delaySeconds: 30 });
      }
    }
  },
} satisfies ExportedHandler<Env, SmsRelayEvent>;

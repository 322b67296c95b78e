// An example consumer of sms-relay's events queue: a Worker that keeps each message's latest
// delivery state in its own KV namespace and logs replies. Replace the bodies of the three
// handlers with what your system does. The event type comes from schema/event.d.ts, so the
// compiler checks every field you read.
import type { SmsRelayEvent } from "../../schema/event";

interface Env {
  /** Where this example keeps each message's latest state: `<message_id>` → JSON. */
  DELIVERY_STATE: KVNamespace;
}

export default {
  async queue(batch: MessageBatch<SmsRelayEvent>, env: Env): Promise<void> {
    for (const message of batch.messages) {
      const event = message.body;
      try {
        switch (event.type) {
          case "io.github.sms-relay.status_report": {
            const { message_id, segment, status, delivered, updated_at } = event.data;
            await env.DELIVERY_STATE.put(message_id, JSON.stringify({ segment, status, delivered, updated_at, event_id: event.id }));
            break;
          }
          case "io.github.sms-relay.uplink":
            // A reply from a subscriber: route it to whoever handles inbound messages.
            console.log(`reply ${event.data.message_id} to ${event.data.to}`);
            break;
          case "io.github.sms-relay.unparsed":
            // Authentic input the relay could not read: keep it for a human.
            console.log(`unparsed input (${event.data.reason}) kept as event ${event.id}`);
            break;
        }
        // The same event can arrive twice (delivery is at least once): the writes above are
        // idempotent, keyed by message id; deduplicate on event.id otherwise.
        message.ack();
      } catch (error) {
        console.error(`event ${event.id}: ${error}`);
        message.retry({ delaySeconds: 30 });
      }
    }
  },
} satisfies ExportedHandler<Env, SmsRelayEvent>;

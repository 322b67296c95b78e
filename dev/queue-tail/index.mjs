// Prints every event the relay puts on the local queue, or every dead letter when HTTP delivery
// runs locally (development only).
export default {
  async queue(batch) {
    for (const message of batch.messages) {
      const body = message.body;
      const event = body.event ?? body; // a dead letter wraps the event
      const why = body.delivery ? ` dead-lettered: ${body.delivery.reason} after ${body.delivery.attempts} attempt(s)` : "";
      console.log(`[${batch.queue}] ${event.type} ${event.subject ?? event.id}${why}\n${JSON.stringify(body, null, 2)}`);
    }
    batch.ackAll();
  },
};

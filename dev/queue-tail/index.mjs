// Prints every event the relay puts on the local queue (development only).
export default {
  async queue(batch) {
    for (const message of batch.messages) {
      const event = message.body;
      console.log(`[sms-events] ${event.type} ${event.subject ?? event.id}\n${JSON.stringify(event, null, 2)}`);
    }
    batch.ackAll();
  },
};

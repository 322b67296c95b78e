#!/usr/bin/env node
// `make sample-backend`: the backend end of HTTP delivery, for trying it locally. It listens on
// loopback, verifies each delivery's Standard Webhooks signature with the official
// `standardwebhooks` library (FORWARD_SECRET from .dev.vars, every secret of a rotation),
// parses the body with the official CloudEvents SDK (`cloudevents`, structured mode) and prints
// the event. A forged or stale delivery is answered 401 and printed as refused.
//
//   node scripts/sample-backend.mjs          # port 8788, .dev.vars of this repository
//   SAMPLE_BACKEND_PORT=9000 SMS_RELAY_DEV_VARS=path/to/.dev.vars node scripts/sample-backend.mjs
import http from "node:http";
import { readFileSync } from "node:fs";
import { Webhook } from "standardwebhooks";
import { HTTP } from "cloudevents";

const port = Number(process.env.SAMPLE_BACKEND_PORT ?? 8788);
const devVars = readFileSync(process.env.SMS_RELAY_DEV_VARS ?? new URL("../.dev.vars", import.meta.url), "utf8");
const secrets = devVars.match(/^FORWARD_SECRET\s*=\s*"?([^"\n]*)"?/m)?.[1]?.split(/\s+/).filter(Boolean) ?? [];
if (secrets.length === 0) {
  console.error('No FORWARD_SECRET in .dev.vars: add FORWARD_SECRET="whsec_<base64>" (see .dev.vars.example).');
  process.exit(1);
}
const webhooks = secrets.map((secret) => new Webhook(secret));

const server = http.createServer((request, response) => {
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const verified = webhooks.some((webhook) => {
      try {
        webhook.verify(body, request.headers);
        return true;
      } catch {
        return false;
      }
    });
    if (!verified) {
      console.log(`refused ${request.method} ${request.url}: the signature does not verify`);
      response.writeHead(401).end();
      return;
    }
    const event = HTTP.toEvent({ headers: request.headers, body });
    console.log(`verified ${event.type} ${event.id} (webhook-id ${request.headers["webhook-id"]})`);
    console.log(JSON.stringify(event.toJSON(), null, 2));
    response.writeHead(204).end();
  });
});
server.listen(port, "127.0.0.1", () => {
  console.log(`sample backend on http://127.0.0.1:${port}/ verifying ${secrets.length} secret(s); Ctrl-C stops it`);
});

#!/usr/bin/env node
// Writes the seed corpora (fuzz/seeds/<target>/) from the signing vectors and Huawei's
// documented example bodies. Rerun after the vectors or samples change.
import { mkdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { STATUS_REPORT, BATCH, UPLINK } from "../scripts/huawei-samples.mjs";

const { vectors } = JSON.parse(readFileSync(new URL("../tests/data/huawei-signing.json", import.meta.url), "utf8"));
const seeds = { authorization: {}, verify: {}, form: {}, batch: {}, normalize: {}, oracle: {} };

for (const { name, request } of vectors) {
  const body = Buffer.from(request.body_base64, "base64");
  const headers = request.headers.map(([n, v]) => `${n}: ${v}`).join("\n");
  seeds.verify[name] = Buffer.concat([Buffer.from(`${request.path}\n${request.query}\n${headers}\n\n`), body]);
  const authorization = request.headers.find(([n]) => n === "Authorization")?.[1];
  if (authorization) seeds.authorization[name] = Buffer.from(authorization);
}
for (const [name, body] of Object.entries({ status_report: STATUS_REPORT, uplink: UPLINK, duplicate: "status=DELIVRD&status=UNDELIV", escapes: "a=%FF&b=%C0%AF&c=+%2B%" })) {
  seeds.form[name] = Buffer.from(body);
  seeds.normalize[`form_${name}`] = Buffer.concat([Buffer.from([0]), Buffer.from(body)]);
}
seeds.normalize.uplink = Buffer.concat([Buffer.from([1]), Buffer.from(UPLINK)]);
for (const [name, body] of Object.entries({ docs: BATCH, empty: '{"statusReportList":[]}', mixed: '{"statusReportList":[{"smsMsgId":1,"status":"X","x\\u0041":[{}]},"junk",null],"k":1}' })) {
  seeds.batch[name] = Buffer.from(body);
  seeds.normalize[`batch_${name}`] = Buffer.concat([Buffer.from([2]), Buffer.from(body)]);
}

// The oracle target takes the normalize target's input shape.
seeds.oracle = { ...seeds.normalize };

for (const [target, files] of Object.entries(seeds)) {
  const dir = new URL(`./seeds/${target}/`, import.meta.url);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) writeFileSync(new URL(name, dir), bytes);
}
console.log(Object.entries(seeds).map(([t, f]) => `${t}: ${Object.keys(f).length}`).join(", "));

// schema/event.d.ts against schema/event.schema.json and against what the worker sends: the
// same fields with the same optionality and nullability, and real events type-check.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import ts from "typescript";
import { startRelay, KEYS } from "./harness.mjs";
import { FORM, JSON_UTF8, STATUS_REPORT, BATCH, UPLINK } from "../scripts/huawei-samples.mjs";
import { sampleModules, sampleRequests } from "../scripts/samples/index.mjs";

// Every provider enabled, as .dev.vars.example enables them, with Huawei's key the harness signs
// with.
const EXAMPLE = Object.fromEntries([...readFileSync(".dev.vars.example", "utf8").matchAll(/^([A-Z_]+)="([^"]*)"/gm)].map((m) => [m[1], m[2]]));
const PROVIDER_SETTINGS = { ...EXAMPLE, HUAWEI_PUSH_KEYS: `ak1:${KEYS.ak1}` };

const DTS = resolve("schema/event.d.ts");
const schema = JSON.parse(readFileSync("schema/event.schema.json", "utf8"));

/** Whether a schema property admits null. */
function nullable(property) {
  if (property.$ref) return nullable(schema.$defs[property.$ref.split("/").pop()]);
  if (Array.isArray(property.type)) return property.type.includes("null");
  if (property.type === "null") return true;
  if (property.enum) return property.enum.includes(null);
  return (property.oneOf ?? property.anyOf ?? []).some(nullable);
}

/** `{ name: { optional, nullable } }` of an interface in event.d.ts. */
function interfaceMembers(name) {
  const program = ts.createProgram([DTS], { strict: true, noEmit: true, types: [] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(DTS);
  const declaration = source.statements.find((s) => ts.isInterfaceDeclaration(s) && s.name.text === name);
  assert.ok(declaration, `event.d.ts declares ${name}`);
  const type = checker.getTypeAtLocation(declaration);
  return Object.fromEntries(
    checker.getPropertiesOfType(type).map((symbol) => {
      const propertyType = checker.getTypeOfSymbolAtLocation(symbol, declaration);
      const parts = propertyType.isUnion() ? propertyType.types : [propertyType];
      const literals = parts.filter((part) => part.isStringLiteral()).map((part) => part.value).sort();
      return [symbol.name, {
        optional: (symbol.flags & ts.SymbolFlags.Optional) !== 0,
        nullable: parts.some((part) => part.flags & ts.TypeFlags.Null),
        literals,
      }];
    }),
  );
}

test("event.d.ts names every data field of the schema, with the same optionality and nullability", () => {
  for (const [name, def] of [["StatusReportData", "status_report"], ["UplinkData", "uplink"], ["UnparsedData", "unparsed"]]) {
    const members = interfaceMembers(name);
    const { properties, required } = schema.$defs[def];
    assert.deepEqual(Object.keys(members).sort(), Object.keys(properties).sort(), name);
    for (const [field, property] of Object.entries(properties)) {
      assert.equal(members[field].optional, !required.includes(field), `${name}.${field} optional`);
      assert.equal(members[field].nullable, nullable(property), `${name}.${field} nullable`);
      if (property.enum) {
        const values = property.enum.filter((value) => value !== null).sort();
        assert.deepEqual(members[field].literals, values, `${name}.${field} values`);
      }
    }
  }
  // The envelope: every event interface has the schema's attributes, `subject` where the schema
  // requires it for that type, or optional where it may be absent (an uplink without an id).
  for (const [name, subject] of [["StatusReportEvent", "required"], ["UplinkEvent", "optional"], ["UnparsedEvent", "absent"]]) {
    const members = interfaceMembers(name);
    const expected = schema.required.concat(subject === "absent" ? [] : ["subject"]).sort();
    assert.deepEqual(Object.keys(members).sort(), expected, name);
    for (const [field, member] of Object.entries(members)) {
      assert.equal(member.optional, field === "subject" && subject === "optional", `${name}.${field} optional`);
      assert.ok(!member.nullable, `${name}.${field}`);
    }
    // The attributes the schema enumerates take the same values.
    for (const field of ["source", "provider"]) {
      assert.deepEqual(members[field].literals, [...schema.properties[field].enum].sort(), `${name}.${field} values`);
    }
  }
});

test("the events the worker sends type-check against event.d.ts", { timeout: 60_000 }, async () => {
  const relay = await startRelay({ bindings: { ...PROVIDER_SETTINGS, FORWARD: "queue", LOG_REQUESTS: "all" }, kv: false });
  let events;
  try {
    assert.equal((await relay.push("/huawei/reports", STATUS_REPORT, FORM)).status, 200);
    assert.equal((await relay.push("/huawei/reports", BATCH, JSON_UTF8)).status, 200);
    assert.equal((await relay.push("/huawei/uplink", UPLINK, FORM)).status, 200);
    assert.equal((await relay.push("/huawei/reports", "status=DELIVRD", FORM)).status, 400);
    // Every provider's samples, each route of each.
    const samples = await sampleRequests(relay.url, PROVIDER_SETTINGS);
    for (const { path, headers, body } of samples) {
      assert.equal((await relay.request("POST", path, { headers, body })).status, 200, path);
    }
    // As many events as the samples declare, and as the relay says it stored (a log line a request).
    const expected = 1 + JSON.parse(BATCH).statusReportList.length + 1 + 1 + samples.reduce((sum, { events }) => sum + events, 0);
    const logged = relay.requestLogs();
    assert.equal(logged.length, 4 + samples.length);
    assert.equal(logged.reduce((sum, line) => sum + line.events, 0), expected);
    events = (await relay.waitForMessages(expected)).map((message) => message.body);
    assert.equal(events.length, expected);
  } finally {
    await relay.dispose();
  }
  assert.deepEqual([...new Set(events.map((e) => e.type))].sort(), [
    "io.github.sms-relay.status_report", "io.github.sms-relay.unparsed", "io.github.sms-relay.uplink",
  ]);
  const providers = (await sampleModules()).map((module) => module.provider).sort();
  assert.equal(providers.length, schema.properties.provider.enum.length, "a samples module per provider");
  assert.deepEqual([...new Set(events.map((e) => e.provider))].sort(), providers);
  const file = join(mkdtempSync(join(tmpdir(), "event-types-")), "events.ts");
  writeFileSync(file, `import type { SmsRelayEvent, Provider } from ${JSON.stringify(DTS.replace(/\.d\.ts$/, ""))};
export const events: SmsRelayEvent[] = ${JSON.stringify(events, null, 2)};
// A consumer narrows on type, and reads the provider from the extension attribute.
for (const event of events) {
  const provider: Provider = event.provider;
  void provider;
  if (event.type === "io.github.sms-relay.status_report") { const delivered: boolean = event.data.delivered; void delivered; }
  else if (event.type === "io.github.sms-relay.uplink") { const text: string = event.data.body; const id: string | null = event.data.message_id; void text; void id; }
  else { const reason: string = event.data.reason; void reason; }
}
`);
  const program = ts.createProgram([file], { strict: true, noEmit: true, types: [], target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022, moduleResolution: ts.ModuleResolutionKind.Node10 });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  assert.deepEqual(diagnostics, []);
});

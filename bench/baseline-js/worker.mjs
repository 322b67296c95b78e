// The honest baseline for `make bench`: the JavaScript Worker a competent Workers developer would
// write for sms-relay's contract on its hot path — Huawei status reports (one form body, or a
// JSON batch) and uplinks, verified with Huawei's SDK-HMAC-SHA256 through WebCrypto, turned into
// the same CloudEvents, sent to the queue with one sendBatch. It takes the same shortcuts a
// hand-written endpoint would (no KV, no unparsed events, no HTTP delivery), so the comparison
// flatters it if anything. `e2e/baseline-js.test.mjs` checks it emits the relay's exact events.
const encoder = new TextEncoder();
const SOURCE = "urn:huaweicloud:msgsms";
const ROUTES = { "/huawei/reports": "reports", "/huawei/uplink": "uplink" };
const CONNECTION_CANDIDATES = ["close", "keep-alive", "Keep-Alive"];
const REPORT_SOURCES = { 1: "sms_platform", 2: "sms_center", 3: "huawei_platform" };
const REPORT_FIELDS = new Set(["smsMsgId", "status", "statusDesc", "source", "updateTime", "total", "sequence", "extend", "to", "orgCode"]);
const UPLINK_FIELDS = new Set(["smsMsgId", "from", "to", "body", "createTime"]);
const DESCRIPTIONS = {
  DELIVRD: "Delivered to the handset",
  EXPIRED: "No delivery receipt from the carrier within 72 hours",
  DELETED: "Deleted by the carrier",
  UNDELIV: "Undeliverable",
  ACCEPTD: "Accepted by the carrier, no final state",
  UNKNOWN: "Unknown state",
  REJECTD: "Rejected by the carrier",
  MILIMIT: "Sending rate or volume limit reached",
  LIMIT: "Sending rate or volume limit reached",
  BEYONDN: "Sending rate or volume limit reached",
  CTLIMIT: "Sending rate or volume limit reached",
  KEYWORD: "Blocked by a keyword filter",
  BLACK: "Recipient is on a blacklist",
  TDBLACK: "Recipient is on a blacklist",
  TSBLACK: "Recipient is on a blacklist",
  MBBLACK: "Recipient is on a blacklist",
  E000628: "Rejected by the Huawei platform",
  E000629: "Rejected by the Huawei platform",
};

let keyCache; // access key → [{ key: CryptoKey, index }], built once per isolate

async function keys(env) {
  if (!keyCache) {
    keyCache = new Map();
    const entries = (env.HUAWEI_PUSH_KEYS ?? "").split(/[,\n]/).map((entry) => entry.trim()).filter(Boolean);
    for (const [position, entry] of entries.entries()) {
      const at = entry.indexOf(":");
      if (at < 0) continue;
      const secret = encoder.encode(entry.slice(at + 1).trim());
      const key = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
      const access = entry.slice(0, at).trim();
      keyCache.set(access, [...(keyCache.get(access) ?? []), { key, index: position + 1 }]);
    }
  }
  return keyCache;
}

const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
const sha256 = (data) => crypto.subtle.digest("SHA-256", typeof data === "string" ? encoder.encode(data) : data);
const answer = (status, error) => (error ? Response.json({ error }, { status }) : new Response(null, { status }));

function canonicalUri(path) {
  const segments = decodeURIComponent(path).split("/").map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase()));
  const uri = segments.join("/");
  return uri.endsWith("/") ? uri : uri + "/";
}

/** The access key that signed the push, or an error code. */
async function verify(request, url, body, env) {
  const match = /^SDK-HMAC-SHA256\s+Access=([^,]+),\s?SignedHeaders=([^,]+),\s?Signature=([0-9a-fA-F]{64})$/.exec(request.headers.get("authorization") ?? "");
  if (!match) return { error: "malformed_authorization" };
  const [, access, signedHeaders, signature] = match;
  const secrets = (await keys(env)).get(access);
  if (!secrets) return { error: "unknown_access_key" };
  const names = signedHeaders.split(";");
  if (!names.includes("x-sdk-date") || !names.includes("host")) return { error: "malformed_authorization" };
  const date = request.headers.get("x-sdk-date") ?? "";
  const at = Date.parse(date.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, "$1-$2-$3T$4:$5:$6Z"));
  if (!(Math.abs(Date.now() - at) <= 900_000)) return { error: "clock_skew" };
  const bodyHash = hex(await sha256(body));
  const signatureBytes = new Uint8Array(signature.match(/../g).map((h) => parseInt(h, 16)));
  const candidates = names.includes("connection") ? CONNECTION_CANDIDATES : [null];
  for (const connection of candidates) {
    const lines = names.map((name) => {
      let value = name === "connection" ? connection : name === "host" ? url.host : request.headers.get(name);
      if (name === "content-length" && value === null) value = String(body.byteLength);
      return `${name}:${(value ?? "").trim()}\n`;
    });
    const canonical = ["POST", canonicalUri(url.pathname), "", lines.join(""), signedHeaders, bodyHash].join("\n");
    const toSign = `SDK-HMAC-SHA256\n${date}\n${hex(await sha256(canonical))}`;
    for (const { key, index } of secrets) {
      if (await crypto.subtle.verify("HMAC", key, signatureBytes, encoder.encode(toSign))) return { access, index };
    }
  }
  return { error: "signature_mismatch" };
}

/** The relay's id: SHA-256 over the provider's and kind's letters, then every data field but
 * received_at, auth and the derived state, final and delivered (text length-prefixed, optional
 * values tagged, counts
 * four bytes little-endian, extra as names and JSON values), the first 16 bytes in hex. */
async function eventId(kind, data) {
  const bytes = [104, kind.charCodeAt(0)];
  const length = (n) => {
    do {
      bytes.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
      n >>>= 7;
    } while (n > 0);
  };
  const text = (value) => {
    const encoded = encoder.encode(value);
    length(encoded.length);
    for (const byte of encoded) bytes.push(byte);
  };
  const optional = (value) => (value === null ? bytes.push(0) : (bytes.push(1), text(value)));
  const count = (value) => (value === null ? bytes.push(0) : bytes.push(1, value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24));
  if (kind === "s") {
    text(data.message_id), text(data.status), optional(data.error_code);
    optional(data.status_description), optional(data.report_source), count(data.segment), count(data.segments);
    optional(data.recipient), optional(data.extend), optional(data.org_code), optional(data.updated_at), optional(data.sent_at);
  } else {
    optional(data.message_id), text(data.from), optional(data.to), text(data.body), optional(data.created_at);
  }
  const entries = Object.entries(data.extra);
  length(entries.length);
  for (const [name, value] of entries) text(name), text(JSON.stringify(value));
  return hex(await sha256(new Uint8Array(bytes))).slice(0, 32);
}

// Huawei's status codes in the relay's state model (docs/delivery-states.md).
const FAILED = ["failed", true];
const OUTCOMES = {
  DELIVRD: ["delivered", true], EXPIRED: ["expired", true], ACCEPTD: ["unknown", true], UNKNOWN: ["unknown", true],
  UNDELIV: FAILED, REJECTD: FAILED, DELETED: FAILED, MILIMIT: FAILED, LIMIT: FAILED, BEYONDN: FAILED, CTLIMIT: FAILED,
  KEYWORD: FAILED, BLACK: FAILED, TDBLACK: FAILED, TSBLACK: FAILED, MBBLACK: FAILED, E000628: FAILED, E000629: FAILED,
};
function outcome(status) {
  if (OUTCOMES[status]) return OUTCOMES[status];
  if (status.startsWith("MC:")) return ["expired", true];
  if (/^(E2|MA:|MB:|CA:|CB:|DA:|DB:|ID:|MK:|MN:|LT:|DJ:|UT:)/.test(status) || /^[0-9]+$/.test(status)) return FAILED;
  return ["unknown", false];
}

const time = (value) => (value ? new Date(decodeURIComponent(value)).toISOString().replace(".000Z", "Z") : null);
const extra = (fields, mapped) => Object.fromEntries(Object.entries(fields).filter(([name]) => !mapped.has(name)).sort(([a], [b]) => (a < b ? -1 : 1)));

async function statusReport(fields, receivedAt, auth) {
  const segment = Number(fields.sequence || 1);
  const updatedAt = time(fields.updateTime);
  const [state, final] = outcome(fields.status);
  const data = {
    message_id: fields.smsMsgId,
    status: fields.status,
    state,
    final,
    error_code: state === "delivered" ? null : fields.status,
    delivered: state === "delivered",
    status_description: fields.statusDesc || DESCRIPTIONS[fields.status] || null,
    report_source: REPORT_SOURCES[fields.source] ?? null,
    segment,
    segments: Number(fields.total || 1),
    recipient: fields.to ?? null,
    extend: fields.extend ?? null,
    org_code: fields.orgCode ?? null,
    updated_at: updatedAt,
    sent_at: null,
    received_at: receivedAt,
    auth,
    extra: extra(fields, REPORT_FIELDS),
  };
  const id = await eventId("s", data);
  return { specversion: "1.0", id, source: SOURCE, type: "io.github.sms-relay.status_report", subject: data.message_id, time: updatedAt ?? receivedAt, datacontenttype: "application/json", provider: "huawei", data };
}

async function uplink(fields, receivedAt, auth) {
  const createdAt = time(fields.createTime);
  const data = { message_id: fields.smsMsgId, from: fields.from, to: fields.to, body: fields.body, created_at: createdAt, received_at: receivedAt, auth, extra: extra(fields, UPLINK_FIELDS) };
  const id = await eventId("u", data);
  return { specversion: "1.0", id, source: SOURCE, type: "io.github.sms-relay.uplink", subject: data.message_id, time: createdAt ?? receivedAt, datacontenttype: "application/json", provider: "huawei", data };
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const endpoint = ROUTES[url.pathname];
    if (!endpoint) return answer(404, "not_found");
    if (request.method !== "POST") return answer(405, "method_not_allowed");
    const body = await request.arrayBuffer();
    if (body.byteLength > 65_536) return answer(413, "body_too_large");
    const verified = await verify(request, url, body, env);
    if (verified.error) return answer(401, verified.error);
    const auth = { scheme: "aksk", access_key: verified.access, key_index: verified.index };
    const receivedAt = new Date().toISOString();
    const text = new TextDecoder().decode(body);
    const isJson = (request.headers.get("content-type") ?? "").toLowerCase().startsWith("application/json");
    let events;
    if (endpoint === "reports" && isJson) {
      const list = JSON.parse(text).statusReportList ?? [];
      events = await Promise.all(list.map((entry) => statusReport(entry, receivedAt, auth)));
    } else {
      const fields = Object.fromEntries(new URLSearchParams(text));
      events = [await (endpoint === "reports" ? statusReport : uplink)(fields, receivedAt, auth)];
    }
    await env.EVENTS_QUEUE.sendBatch(events.map((event) => ({ body: event, contentType: "json" })));
    return answer(200);
  },
};

// Signs a request the way Huawei Cloud signs its SMS callback pushes (SDK-HMAC-SHA256, see
// docs/huawei-protocol.md §2.1). Used by the end-to-end tests and by `make send-sample`; checked against
// the signing vectors (tests/data/huawei-signing.json) in e2e/signer.test.mjs so it cannot drift from the worker's verifier.
import { createHash, createHmac } from "node:crypto";

const UNRESERVED = /[A-Za-z0-9\-_.~]/;

function percentDecode(text) {
  const bytes = [];
  const input = Buffer.from(text, "utf8");
  for (let i = 0; i < input.length; i++) {
    const hex = input.subarray(i + 1, i + 3).toString("latin1");
    if (input[i] === 0x25 && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(input[i]);
    }
  }
  return Buffer.from(bytes);
}

function encodeUnreserved(bytes) {
  let out = "";
  for (const byte of bytes) {
    const char = String.fromCharCode(byte);
    out += UNRESERVED.test(char) ? char : "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

function splitBytes(buffer, separator) {
  const parts = [];
  let start = 0;
  for (let i = 0; i <= buffer.length; i++) {
    if (i === buffer.length || buffer[i] === separator) {
      parts.push(buffer.subarray(start, i));
      start = i + 1;
    }
  }
  return parts;
}

export function canonicalUri(path) {
  const uri = splitBytes(percentDecode(path), 0x2f).map(encodeUnreserved).join("/");
  return uri.endsWith("/") ? uri : uri + "/";
}

export function canonicalQuery(query) {
  if (!query) return "";
  const pairs = query
    .split("&")
    .map((pair) => {
      const index = pair.indexOf("=");
      return index < 0 ? [pair, ""] : [pair.slice(0, index), pair.slice(index + 1)];
    })
    .filter(([name]) => name !== "")
    .map(([name, value]) => [percentDecode(name), percentDecode(value)]);
  pairs.sort((a, b) => Buffer.compare(a[0], b[0]) || Buffer.compare(a[1], b[1]));
  return pairs.map(([name, value]) => `${encodeUnreserved(name)}=${encodeUnreserved(value)}`).join("&");
}

/** `yyyyMMddTHHmmssZ` */
export function sdkDate(date = new Date()) {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

const sha256Hex = (data) => createHash("sha256").update(data).digest("hex");

/**
 * Returns the canonical request, string to sign and signature for a request whose `headers`
 * (an object, any case) already hold every header named in `signedHeaders`.
 */
export function signatureFor({ method, path, query = "", headers, body, secretKey, signedHeaders }) {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
  const names = signedHeaders.split(";");
  const canonicalHeaders = names.map((name) => `${name}:${(lower[name] ?? "").trim()}\n`).join("");
  const canonicalRequest = [
    method.toUpperCase(),
    canonicalUri(path),
    canonicalQuery(query),
    canonicalHeaders,
    signedHeaders,
    sha256Hex(body),
  ].join("\n");
  const stringToSign = `SDK-HMAC-SHA256\n${lower["x-sdk-date"]}\n${sha256Hex(canonicalRequest)}`;
  const signature = createHmac("sha256", Buffer.from(secretKey, "utf8")).update(stringToSign).digest("hex");
  return { canonicalRequest, stringToSign, signature };
}

/**
 * Builds the headers of a signed push exactly as Huawei sends them: Connection, Content-Length,
 * Content-Type, Host and X-Sdk-Date, signed with `accessKey`/`secretKey`.
 */
export function signedPushHeaders({ url, body, contentType, accessKey, secretKey, date = new Date(), connection = "close" }) {
  const target = new URL(url);
  const headers = {
    Connection: connection,
    "Content-Length": String(Buffer.byteLength(body)),
    "Content-Type": contentType,
    Host: target.host,
    "X-Sdk-Date": sdkDate(date),
  };
  const signedHeaders = "connection;content-length;content-type;host;x-sdk-date";
  const { signature } = signatureFor({
    method: "POST",
    path: target.pathname,
    query: target.search.replace(/^\?/, ""),
    headers,
    body,
    secretKey,
    signedHeaders,
  });
  headers.Authorization = `SDK-HMAC-SHA256 Access=${accessKey}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}

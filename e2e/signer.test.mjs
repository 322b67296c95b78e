// The JavaScript signer used by the tests and `make send-sample` must agree with every valid
// signing vector, or the end-to-end tests would prove nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { signatureFor } from "../scripts/huawei-signer.mjs";

const { vectors } = JSON.parse(readFileSync(new URL("../tests/data/huawei-signing.json", import.meta.url), "utf8"));

test("the JS signer reproduces every valid signing vector", () => {
  const valid = vectors.filter((vector) => vector.expect.valid && !vector.name.startsWith("edge-"));
  assert.ok(valid.length >= 5);
  for (const { name, keys, request, expect } of valid) {
    const auth = Object.fromEntries(request.headers).Authorization;
    const [, accessKey, signedHeaders] = auth.match(/Access=([^,]+),\s?SignedHeaders=([^,]+),/);
    const result = signatureFor({
      method: request.method,
      path: request.path,
      query: request.query,
      headers: Object.fromEntries(request.headers),
      body: Buffer.from(request.body_base64, "base64"),
      secretKey: keys[accessKey],
      signedHeaders,
    });
    assert.equal(result.canonicalRequest, expect.canonical_request, name);
    assert.equal(result.stringToSign, expect.string_to_sign, name);
    assert.equal(result.signature, expect.signature, name);
  }
});

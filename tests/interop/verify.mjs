// Verifies tokens minted by Tokenscope with an independent implementation (jose).
//
// stdin:  [{"alg", "token", "jwk", "spki"}]  (spki may be null, e.g. for HMAC `oct` keys)
// stdout: [{"alg", "jwk": {"ok", "error"?, "payload"?}, "spki": {"ok", "error"?} | null}]
// The JWK form goes through jwtVerify (signature and claims), the SPKI PEM through
// compactVerify (signature only). Exit 0 when the input was readable, whatever the verdicts.
import { readFileSync } from "node:fs";
import * as jose from "jose";

const cases = JSON.parse(readFileSync(0, "utf8"));

async function attempt(fn) {
  try {
    return { ok: true, ...(await fn()) };
  } catch (e) {
    return { ok: false, error: `${e.code ?? e.name}: ${e.message}` };
  }
}

const results = [];
for (const { alg, token, jwk, spki } of cases) {
  const viaJwk = await attempt(async () => {
    const key = await jose.importJWK(jwk, alg);
    const { payload, protectedHeader } = await jose.jwtVerify(token, key, { algorithms: [alg] });
    return { payload, header: protectedHeader };
  });
  const viaSpki = spki
    ? await attempt(async () => {
        const key = await jose.importSPKI(spki, alg);
        await jose.compactVerify(token, key, { algorithms: [alg] });
        return {};
      })
    : null;
  results.push({ alg, jwk: viaJwk, spki: viaSpki });
}
process.stdout.write(JSON.stringify(results) + "\n");

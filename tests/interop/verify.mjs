// Verifies tokens minted by Tokenscope with an independent implementation (jose).
//
// stdin:  [{"alg", "token", "jwk"?, "jwks"?, "spki"?}]  (each key form may be null or absent)
// stdout: [{"alg", "jwk": {"ok", "error"?, "payload"?} | null, "jwks": {…} | null, "spki": {"ok", "error"?} | null}]
// The JWK and the JWK Set (selected by kid, as a relying party would) go through jwtVerify
// (signature and claims), the SPKI PEM through compactVerify (signature only). Exit 0 when the
// input was readable, whatever the verdicts.
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
for (const { alg, token, jwk, jwks, spki } of cases) {
  const viaJwk = jwk
    ? await attempt(async () => {
        const key = await jose.importJWK(jwk, alg);
        const { payload, protectedHeader } = await jose.jwtVerify(token, key, { algorithms: [alg] });
        return { payload, header: protectedHeader };
      })
    : null;
  const viaJwks = jwks
    ? await attempt(async () => {
        const { payload } = await jose.jwtVerify(token, jose.createLocalJWKSet(jwks), { algorithms: [alg] });
        return { payload };
      })
    : null;
  const viaSpki = spki
    ? await attempt(async () => {
        const key = await jose.importSPKI(spki, alg);
        await jose.compactVerify(token, key, { algorithms: [alg] });
        return {};
      })
    : null;
  results.push({ alg, jwk: viaJwk, jwks: viaJwks, spki: viaSpki });
}
process.stdout.write(JSON.stringify(results) + "\n");

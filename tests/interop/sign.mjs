// Mints tokens with jose (an independent JOSE implementation) for Tokenscope to verify.
//
// Prints one JSON array on stdout: for every algorithm, a fresh key pair (or HMAC secret), its
// public forms (JWK, SPKI PEM, X.509-free), a signed token, and the same token with its claims
// tampered. Times are fixed so the Rust side can verify at a known "now".
import * as jose from 'jose';
import { randomBytes } from 'node:crypto';

const IAT = 1700000000;
const CLAIMS = { iss: 'https://jose.example', sub: 'interop', aud: 'tokenscope', scope: 'read' };

const ASYMMETRIC = [
  ['RS256', {}], ['RS384', {}], ['RS512', {}],
  ['PS256', {}], ['PS384', {}], ['PS512', {}],
  ['ES256', {}], ['ES384', {}], ['ES512', {}],
  ['EdDSA', { crv: 'Ed25519' }],
];
const HMAC = [['HS256', 32], ['HS384', 48], ['HS512', 64]];

function tamper(token) {
  const [h, p, s] = token.split('.');
  const claims = JSON.parse(Buffer.from(p, 'base64url'));
  claims.scope = 'read admin';
  return `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
}

async function mint(alg, key, kid) {
  return new jose.SignJWT(CLAIMS)
    .setProtectedHeader({ alg, kid, typ: 'JWT' })
    .setIssuedAt(IAT)
    .setExpirationTime(IAT + 600)
    .sign(key);
}

const cases = [];
for (const [alg, options] of ASYMMETRIC) {
  const { publicKey, privateKey } = await jose.generateKeyPair(alg, { ...options, extractable: true });
  const jwk = await jose.exportJWK(publicKey);
  const kid = await jose.calculateJwkThumbprint(jwk);
  const token = await mint(alg, privateKey, kid);
  cases.push({ alg, kid, token, tampered: tamper(token), jwk: { ...jwk, kid, alg, use: 'sig' }, spki: await jose.exportSPKI(publicKey) });
}
for (const [alg, bytes] of HMAC) {
  const secret = randomBytes(bytes);
  const token = await mint(alg, secret, `hmac-${alg}`);
  cases.push({ alg, kid: `hmac-${alg}`, token, tampered: tamper(token), secret_b64url: secret.toString('base64url') });
}
process.stdout.write(`${JSON.stringify({ now: IAT + 60, cases })}\n`);

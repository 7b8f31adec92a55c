// Mints tokens with jose (an independent JOSE implementation) for Tokenscope to verify.
//
// Prints one JSON object on stdout: for every algorithm, a fresh key pair (or HMAC secret), its
// public forms (JWK, SPKI PEM, PKCS#1 PEM for RSA, an X.509 certificate PEM), a signed token,
// and the same token with its claims tampered. Times are fixed so the Rust side can verify at a
// known "now".
//
// Neither jose nor node:crypto issues certificates, so the certificate is assembled here in DER
// (RFC 5280 §4.1, v1, no extensions) around node's SPKI export and signed sha256WithRSAEncryption
// by a throwaway CA key; node's own X509Certificate parses and checks each one before use.
import * as jose from 'jose';
import { generateKeyPairSync, KeyObject, randomBytes, sign, X509Certificate } from 'node:crypto';

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

/** One DER TLV (X.690 §8.1) with a definite length. */
function der(tag, ...parts) {
  const body = Buffer.concat(parts);
  const length = [];
  for (let n = body.length; n > 0; n >>= 8) length.unshift(n & 0xff);
  const head = body.length < 0x80 ? [body.length] : [0x80 | length.length, ...length];
  return Buffer.concat([Buffer.from([tag, ...head]), body]);
}

const CA = generateKeyPairSync('rsa', { modulusLength: 2048 });
const SHA256_WITH_RSA = der(0x30, der(0x06, Buffer.from('2a864886f70d01010b', 'hex')), der(0x05));
const NAME = der(0x30, der(0x31, der(0x30, der(0x06, Buffer.from('550403', 'hex')), der(0x0c, Buffer.from('jose interop')))));
const VALIDITY = der(0x30, der(0x17, Buffer.from('231101000000Z')), der(0x17, Buffer.from('491231235959Z')));

/** A certificate PEM for `publicKey` (a KeyObject), issued by CA. */
function certificate(publicKey) {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const tbs = der(0x30, der(0x02, Buffer.from([0x01])), SHA256_WITH_RSA, NAME, VALIDITY, NAME, spki);
  const signature = sign('sha256', tbs, CA.privateKey);
  const cert = der(0x30, tbs, SHA256_WITH_RSA, der(0x03, Buffer.from([0x00]), signature));
  const body = cert.toString('base64').match(/.{1,64}/g).join('\n');
  const pem = `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
  const parsed = new X509Certificate(pem);
  if (!parsed.verify(CA.publicKey) || !parsed.publicKey.equals(publicKey)) {
    throw new Error('the assembled certificate does not check out');
  }
  return pem;
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
  const keyObject = KeyObject.from(publicKey);
  cases.push({
    alg,
    kid,
    token,
    tampered: tamper(token),
    jwk: { ...jwk, kid, alg, use: 'sig' },
    spki: await jose.exportSPKI(publicKey),
    pkcs1: keyObject.asymmetricKeyType === 'rsa' ? keyObject.export({ type: 'pkcs1', format: 'pem' }) : null,
    certificate: certificate(keyObject),
  });
}
for (const [alg, bytes] of HMAC) {
  // Printable, so the same secret can be given as text (its UTF-8 bytes are the key).
  const text = randomBytes(bytes).toString('base64url');
  const token = await mint(alg, new TextEncoder().encode(text), `hmac-${alg}`);
  cases.push({ alg, kid: `hmac-${alg}`, token, tampered: tamper(token), secret_text: text });
}
process.stdout.write(`${JSON.stringify({ now: IAT + 60, cases })}\n`);

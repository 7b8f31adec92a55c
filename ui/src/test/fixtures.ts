// IPC replies (DecodedToken, VerifyResponse, TokenDiff, DiscoveryReport) shaped like the Rust side's output, for component tests.
import type { Claim } from "../lib/bindings/Claim";
import type { DecodedToken } from "../lib/bindings/DecodedToken";
import type { DiscoveryReport } from "../lib/bindings/DiscoveryReport";
import type { Exchange } from "../lib/bindings/Exchange";
import type { TokenComparison } from "../lib/bindings/TokenComparison";
import type { TokenDiff } from "../lib/bindings/TokenDiff";
import type { VerifyResponse } from "../lib/bindings/VerifyResponse";
import type { IpcError } from "../lib/bindings/IpcError";
import { SAMPLE_TOKEN } from "../lib/features/inspect/sample";

const [HEADER_B64 = "", PAYLOAD_B64 = "", SIGNATURE_B64 = ""] = SAMPLE_TOKEN.split(".");

function claim(name: string, value: Claim["value"], description: string, spec: string | null): Claim {
  return { name, value, description, spec, time: null };
}

/** What Rust returns for the RFC 7519 §3.1 example, decoded at `now`. */
export function sampleDecoded(now = 1_700_000_000): DecodedToken {
  return {
    format: "jws",
    header: { typ: "JWT", alg: "HS256" },
    payload: { iss: "joe", exp: 1300819380, "http://example.com/is_root": true },
    payload_text: null,
    signature: SIGNATURE_B64,
    claims: [
      claim("iss", "joe", "Issuer: who created and signed the token", "RFC 7519 §4.1.1"),
      {
        ...claim("exp", 1300819380, "Expiration time: reject the token on or after this time", "RFC 7519 §4.1.4"),
        time: { unix: 1300819380, iso8601: "2011-03-22T18:43:00Z", relative: "expired 12 y ago" },
      },
      claim("http://example.com/is_root", true, "Private or unregistered claim", null),
    ],
    header_params: [
      claim("typ", "JWT", "Media type of the complete token", "RFC 7519 §5.1"),
      claim("alg", "HS256", "Algorithm used to sign the token", "RFC 7515 §4.1.1"),
    ],
    findings: [{ severity: "error", code: "expired", message: "The token expired on 2011-03-22T18:43:00Z" }],
    segments: [
      { kind: "header", text: HEADER_B64 },
      { kind: "payload", text: PAYLOAD_B64 },
      { kind: "signature", text: SIGNATURE_B64 },
    ],
    now,
  };
}

/** A token whose payload is exactly `claims` (all as private claims). */
export function decodedWithClaims(claims: Claim[]): DecodedToken {
  const payload: Record<string, Claim["value"]> = {};
  for (const c of claims) payload[c.name] = c.value;
  return { ...sampleDecoded(), payload, claims, findings: [] };
}

export function jweDecoded(): DecodedToken {
  return {
    format: "jwe",
    header: { alg: "RSA-OAEP", enc: "A256GCM" },
    payload: null,
    payload_text: null,
    signature: null,
    claims: [],
    header_params: [
      claim("alg", "RSA-OAEP", "Key management algorithm", "RFC 7516 §4.1.1"),
      claim("enc", "A256GCM", "Content encryption algorithm", "RFC 7516 §4.1.2"),
    ],
    findings: [{ severity: "info", code: "encrypted", message: "The payload is encrypted" }],
    segments: [
      { kind: "header", text: "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ" },
      { kind: "encrypted_key", text: "OKOawDo13gRp2ojaHV7LFpZcgV7T6DVZKTyKOMTYUmKoTCVJRgckCL9kiMT03JGe" },
      { kind: "iv", text: "48V1_ALb6US04U3b" },
      { kind: "ciphertext", text: "5eym8TW_c8SuK0ltJ3rpYIzOeDQz7TALvtu6UG9oMo4vpzs9tX_EFShS8iB7j6ji" },
      { kind: "tag", text: "XFBoMYUZodetZdvTiFvSkQ" },
    ],
    now: 1_700_000_000,
  };
}

export function base64Error(): IpcError {
  return {
    code: "jwt.invalid_base64url",
    message: "invalid base64url in the payload at position 3: invalid symbol '!'",
    details: { segment: "payload", position: 3, offset: 7 },
    exchanges: [],
  };
}

/** A VerifyResponse shaped like Rust's for the RFC 7520 §4.4 token and its JWKS. */
export function validReport(overrides: Partial<VerifyResponse["report"]> = {}): VerifyResponse {
  return {
    report: {
      valid: true,
      alg: "HS256",
      key: {
        source: "jwks",
        kid: "018c0ae5-4d9b-471b-bfd6-eef314bc7037",
        kty: "oct",
        alg: "HS256",
        curve: null,
        size_bits: 256,
        thumbprint: null,
        index: null,
      },
      checks: [
        { name: "signature", status: "pass", message: "signature verified with a 256-bit shared secret", spec: "RFC 7515 §5.2" },
        { name: "alg", status: "pass", message: "HS256 is allowed and fits the key", spec: "RFC 8725 §3.1" },
        { name: "exp", status: "skipped", message: "no exp claim", spec: "RFC 7519 §4.1.4" },
      ],
      findings: [{ severity: "warning", code: "no-exp", message: "The token has no exp: it never expires" }],
      ...overrides,
    },
    exchanges: [],
  };
}

export function invalidReport(): VerifyResponse {
  const response = validReport();
  return {
    ...response,
    report: {
      ...response.report,
      valid: false,
      key: null,
      checks: response.report.checks.map((c) =>
        c.name === "signature" ? { ...c, status: "fail", message: "the signature does not match the key" } : c,
      ),
    },
  };
}

export function exchange(url: string, status: number | null = 200): Exchange {
  return {
    method: "GET",
    url,
    status,
    request_headers: [{ name: "accept", value: "application/json" }],
    response_headers: [{ name: "content-type", value: "application/json" }],
    duration_ms: 12,
    from_cache: false,
    error: status === null ? "connection refused" : null,
  };
}

/** What Rust's diff returns for exp +900 s and an added aud member. */
export function sampleDiff(): TokenDiff {
  return {
    header: [],
    payload: [
      { path: "/exp", change: "changed", before: 1900, after: 2800, delta_seconds: 900, delta_text: "+15 min", member: false, security: false },
      { path: "/aud", change: "added", before: null, after: "web", member: true, security: true },
      { path: "/aud", change: "removed", before: "old", after: null, member: true, security: true },
      { path: "/address/city", change: "removed", before: "Paris", after: null, member: false, security: false },
    ],
    signature_changed: true,
    lifetime: { before_seconds: 900, after_seconds: 1800, delta_seconds: 900 },
    format_before: "jws",
    format_after: "jws",
    payload_compared: true,
    notes: [],
    summary: "3 claims changed, exp +15 min, aud changed",
  };
}

/** `sampleDiff` with both tokens' members lined up, as Rust's compare_tokens returns it. */
export function sampleComparison(diff: TokenDiff = sampleDiff()): TokenComparison {
  return {
    diff,
    header_rows: [{ name: "alg", state: "same", before: "HS256", after: "HS256" }],
    payload_rows: [
      { name: "sub", state: "same", before: "u1", after: "u1" },
      { name: "exp", state: "changed", before: 1900, after: 2800 },
      { name: "aud", state: "changed", before: ["api", "old"], after: ["api", "web"] },
      { name: "address", state: "changed", before: { city: "Paris" }, after: {} },
      { name: "jti", state: "added", before: null, after: "j-2" },
    ],
  };
}

/** A discovery report for a loopback issuer with one EC key and two findings. */
export function sampleDiscovery(issuer = "http://127.0.0.1:8080"): DiscoveryReport {
  const metadata = {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ["code"],
    x_vendor: true,
  };
  return {
    issuer,
    fetched_from: `${issuer}/.well-known/openid-configuration`,
    source: {
      kind: "open-id",
      issuer,
      metadata_url: `${issuer}/.well-known/openid-configuration`,
      fetched_from: `${issuer}/.well-known/openid-configuration`,
      direct: false,
    },
    metadata,
    jwks: { keys: [{ kty: "EC", kid: "ec-1" }] },
    findings: [
      { severity: "warning", code: "pkce-without-s256", field: "code_challenge_methods_supported", message: "PKCE methods [\"plain\"] do not include S256 (RFC 7636 §4.2)" },
      { severity: "info", code: "loopback-http", field: "token_endpoint", message: "token_endpoint uses plain http on a loopback host" },
    ],
    fields: [
      { name: "issuer", value: issuer, group: "other", description: "The issuer identifier", spec: "OIDC Discovery 1.0 §3" },
      { name: "token_endpoint", value: `${issuer}/token`, group: "endpoints", description: "Where codes are exchanged for tokens", spec: "OIDC Discovery 1.0 §3" },
      { name: "response_types_supported", value: ["code"], group: "supported-values", description: "response_type values", spec: "OIDC Discovery 1.0 §3" },
      { name: "jwks_uri", value: `${issuer}/jwks`, group: "keys", description: "The JWK Set", spec: "OIDC Discovery 1.0 §3" },
      { name: "x_vendor", value: true, group: "other", description: null, spec: null },
    ],
    keys: [
      {
        kty: "EC",
        alg: "ES256",
        use: "sig",
        kid: "ec-1",
        size_bits: null,
        curve: "P-256",
        thumbprint: "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U",
        certificate: null,
        problems: [],
      },
      { kty: "RSA", alg: null, use: null, kid: null, size_bits: 1024, curve: null, thumbprint: null, certificate: null, problems: [] },
    ],
    exchanges: [exchange(`${issuer}/.well-known/openid-configuration`), exchange(`${issuer}/jwks`)],
  };
}

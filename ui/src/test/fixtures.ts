// DecodedToken values shaped like the Rust side's output, for component tests.
import type { Claim } from "../lib/bindings/Claim";
import type { DecodedToken } from "../lib/bindings/DecodedToken";
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
  };
}

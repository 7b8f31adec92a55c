// The JWS algorithms the core signs and verifies with (RFC 7518 §3.1 and RFC 8037), in the
// order the views list them. `none` is not here: only Encode offers it, explicitly as insecure.
export const SIGNING_ALGORITHMS = [
  "HS256",
  "HS384",
  "HS512",
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
] as const;

export type SigningAlg = (typeof SIGNING_ALGORITHMS)[number];

// State of the Encode view: the header and payload editors, the algorithm and key, and the latest
// token minted from them. Every change re-validates and re-signs once typing pauses; replies for
// older inputs are dropped. The state outlives the view (switching to Inspect and back keeps the
// editors) but lives in memory only; generated private keys never leave Rust unless exported.
import type { EcCurve } from "../../bindings/EcCurve";
import type { ClaimHelpers } from "../../bindings/ClaimHelpers";
import type { EncodedToken } from "../../bindings/EncodedToken";
import type { EncodeRequest } from "../../bindings/EncodeRequest";
import type { GeneratedKey } from "../../bindings/GeneratedKey";
import type { JsonProblem } from "../../bindings/JsonProblem";
import type { KeySpec } from "../../bindings/KeySpec";
import type { PrivateKeyFormat } from "../../bindings/PrivateKeyFormat";
import { ALGORITHM_KEYS, EC_CURVES, JWS_ALGORITHMS, RSA_KEY_SIZES } from "../../bindings/vocabulary";
import type { SigningKeySource } from "../../bindings/SigningKeySource";
import * as ipc from "../../ipc";
import { toIpcError, type IpcError } from "../../ipc";
import { Latest } from "../../latest";
import { session } from "../../session.svelte";

export const ENCODE_DEBOUNCE_MS = 150;

/** Every algorithm the core signs with, then the explicitly insecure `none`. */
export const ALGORITHMS = [...JWS_ALGORITHMS, "none"] as const;
export type Alg = (typeof ALGORITHMS)[number];

export type KeyKind = SigningKeySource["kind"];
/** Key kinds whose value the user types or pastes. */
export type TypedKeyKind = Exclude<KeyKind, "generated">;

export const KEY_KINDS: readonly { kind: KeyKind; label: string }[] = [
  { kind: "secret", label: "Shared secret (text)" },
  { kind: "secret_b64", label: "Shared secret (base64 / base64url)" },
  { kind: "private_key", label: "Private key: PEM or JWK" },
  { kind: "generated", label: "Generated key pair" },
];

export type Kty = KeySpec["kty"];
/** The generator's choices, from the core (`RSA_KEY_SIZES`, `EcCurve`). */
export const RSA_SIZES = RSA_KEY_SIZES;
export { EC_CURVES };
export type Curve = EcCurve;

export type KidMode = "default" | "set" | "omit";

export const isHmac = (alg: Alg): boolean => alg !== "none" && ALGORITHM_KEYS[alg].kty === "oct";

/** The key type and curve an algorithm needs (RFC 7518 §3.1), for the generator's defaults. */
export function keyTypeFor(alg: Alg): { kty: Kty; crv?: Curve } | null {
  if (alg === "none") return null;
  const { kty, crv } = ALGORITHM_KEYS[alg];
  if (kty === "oct") return null;
  return crv === null ? { kty } : { kty, crv };
}

export type Preset = {
  name: string;
  label: string;
  description: string;
  alg?: Alg;
  header: string;
  payload: string;
};

const claims = (extra: Record<string, unknown>): string =>
  JSON.stringify(
    { iss: "https://issuer.example", sub: "user-123", aud: "api://default", iat: "now", exp: "+15m", ...extra },
    null,
    2,
  );

/** Teaching tokens: each fills the editors (times are relative, expanded when signing). */
export const PRESETS: readonly Preset[] = [
  {
    name: "valid",
    label: "Valid",
    description: "Issued now, expires in 15 minutes, audience api://default",
    header: "{}",
    payload: claims({}),
  },
  {
    name: "expired",
    label: "Expired",
    description: "Issued two hours ago, expired one hour ago",
    header: "{}",
    payload: claims({ iat: "-2h", exp: "-1h" }),
  },
  {
    name: "wrong-audience",
    label: "Wrong audience",
    description: "Made for api://someone-else, so api://default must reject it",
    header: "{}",
    payload: claims({ aud: "api://someone-else" }),
  },
  {
    name: "alg-none",
    label: "alg: none",
    description: "Unsigned: anyone can forge it, and every verifier must reject it",
    alg: "none",
    header: "{}",
    payload: claims({}),
  },
];

export const DEFAULT_PAYLOAD = JSON.stringify(
  { sub: "user-123", name: "Ada Lovelace", iat: "now", exp: "+15m" },
  null,
  2,
);

export type Ipc = Pick<
  typeof ipc,
  "encodeToken" | "validateJson" | "applyPayloadHelpers" | "generateKey" | "exportPrivateKey"
>;

export class EncodeState {
  header = $state("{}");
  payload = $state(DEFAULT_PAYLOAD);
  alg: Alg = $state("HS256");
  keyKind: KeyKind = $state("secret");
  /** One value per typed kind, so switching kinds back and forth keeps what was typed. */
  keyValues: Record<TypedKeyKind, string> = $state({ secret: "", secret_b64: "", private_key: "" });
  kidMode: KidMode = $state("default");
  kidValue = $state("");
  relativeTimes = $state(true);

  /** What the generator makes next; follows the algorithm until the user picks otherwise. */
  genKty: Kty = $state("RSA");
  genBits: number = $state(2048);
  genCurve: Curve = $state("P-256");
  generated: GeneratedKey | null = $state.raw(null);
  generating = $state(false);
  generateError: IpcError | null = $state.raw(null);
  /** A private key the user asked to see, by format; cleared when the key changes. */
  revealed: { format: PrivateKeyFormat; text: string } | null = $state.raw(null);

  headerProblem: JsonProblem | null = $state.raw(null);
  payloadProblem: JsonProblem | null = $state.raw(null);
  encoded: EncodedToken | null = $state.raw(null);
  error: IpcError | null = $state.raw(null);
  helperError: IpcError | null = $state.raw(null);
  pending = $state(false);

  #ipc: Ipc;
  #debounceMs: number;
  // Only the newest request's replies are shown.
  #latest = new Latest();

  constructor(calls: Ipc = ipc, debounceMs = ENCODE_DEBOUNCE_MS) {
    this.#ipc = calls;
    this.#debounceMs = debounceMs;
  }

  get keyValue(): string {
    return this.keyKind === "generated" ? "" : this.keyValues[this.keyKind];
  }
  set keyValue(value: string) {
    if (this.keyKind !== "generated") this.keyValues[this.keyKind] = value;
  }

  get unsecured(): boolean {
    return this.alg === "none";
  }

  /** Why no token can be made yet, or null when the request is complete. */
  get missing(): string | null {
    if (this.unsecured) return null;
    if (this.keyKind === "generated") return this.generated ? null : "Generate a key pair to sign with.";
    if (this.keyValue === "") {
      return this.keyKind === "private_key" ? "Paste a private key (PEM or JWK) to sign with." : "Enter a secret to sign with.";
    }
    return null;
  }

  /** The request for the current inputs, or null while something is missing. */
  request(): EncodeRequest | null {
    if (this.missing !== null) return null;
    let key: SigningKeySource | null = null;
    if (!this.unsecured) {
      key =
        this.keyKind === "generated"
          ? { kind: "generated", value: this.generated?.handle ?? "" }
          : { kind: this.keyKind, value: this.keyValue };
    }
    return {
      header: this.header,
      payload: this.payload,
      alg: this.alg,
      key,
      kid:
        this.kidMode === "set"
          ? { kind: "set", value: this.kidValue }
          : this.kidMode === "omit"
            ? { kind: "omit" }
            : { kind: "default" },
      relative_times: this.relativeTimes,
    };
  }

  /** Call after any input changes: re-validates and re-signs once typing pauses. */
  changed(): void {
    this.#latest.debounce(() => {
      void this.encodeNow();
    }, this.#debounceMs);
  }

  setAlg(alg: Alg): void {
    this.alg = alg;
    // Offer a key that can sign this algorithm: secrets for HMAC, a key pair otherwise.
    if (isHmac(alg) && (this.keyKind === "generated" || this.keyKind === "private_key")) this.keyKind = "secret";
    const needs = keyTypeFor(alg);
    if (needs) {
      if (this.keyKind === "secret" || this.keyKind === "secret_b64") this.keyKind = "generated";
      this.genKty = needs.kty;
      if (needs.crv) this.genCurve = needs.crv;
    }
    this.changed();
  }

  setKeyKind(kind: KeyKind): void {
    this.keyKind = kind;
    this.changed();
  }

  /** Fills the editors with a teaching token. */
  applyPreset(name: string): void {
    const preset = PRESETS.find((p) => p.name === name);
    if (!preset) return;
    this.header = preset.header;
    this.payload = preset.payload;
    this.relativeTimes = true;
    if (preset.alg) this.alg = preset.alg;
    else if (this.alg === "none") this.alg = "HS256";
    void this.encodeNow();
  }

  /** Writes standard claims into the payload (Rust fills in times and jti), then re-signs. */
  async applyHelpers(helpers: Partial<ClaimHelpers>): Promise<void> {
    const full: ClaimHelpers = { iss: null, sub: null, aud: [], iat: null, nbf: null, exp: null, jti: false, ...helpers };
    const before = this.payload;
    try {
      const payload = await this.#ipc.applyPayloadHelpers(before, full);
      // Typing while the helper ran wins over the helper's result.
      if (this.payload !== before) return;
      this.payload = payload;
      this.helperError = null;
      await this.encodeNow();
    } catch (e) {
      this.helperError = toIpcError(e);
    }
  }

  /** Generates a key pair for the chosen algorithm (the JWK's `alg` is set when it fits). */
  async generate(): Promise<void> {
    const spec: KeySpec =
      this.genKty === "RSA"
        ? { kty: "RSA", bits: this.genBits }
        : this.genKty === "EC"
          ? { kty: "EC", crv: this.genCurve }
          : { kty: "OKP" };
    const needs = keyTypeFor(this.alg);
    const fits = needs !== null && needs.kty === spec.kty && (spec.kty !== "EC" || needs.crv === spec.crv);
    this.generating = true;
    this.generateError = null;
    try {
      this.generated = await this.#ipc.generateKey(spec, fits ? this.alg : null);
      this.revealed = null;
      this.keyKind = "generated";
      if (!fits && this.generated.public.alg !== this.alg) this.alg = this.generated.public.alg;
      await this.encodeNow();
    } catch (e) {
      this.generateError = toIpcError(e);
    } finally {
      this.generating = false;
    }
  }

  /** Shows the generated private key: only ever called from the clearly labelled buttons. */
  async revealPrivateKey(format: PrivateKeyFormat): Promise<void> {
    if (!this.generated) return;
    try {
      this.revealed = { format, text: await this.#ipc.exportPrivateKey(this.generated.handle, format) };
    } catch (e) {
      this.generateError = toIpcError(e);
    }
  }

  hidePrivateKey(): void {
    this.revealed = null;
  }

  /** Validates both editors and signs, at once. */
  async encodeNow(): Promise<void> {
    const current = this.#latest.begin();
    const request = this.request();
    this.pending = true;
    const validate = (text: string, part: "header" | "payload"): Promise<JsonProblem | null> =>
      this.#ipc.validateJson(text, part).catch(() => null);
    const [headerProblem, payloadProblem, result] = await Promise.all([
      validate(this.header, "header"),
      validate(this.payload, "payload"),
      request === null
        ? Promise.resolve(null)
        : this.#ipc.encodeToken(request).then(
            (encoded) => ({ encoded, error: null }),
            (e: unknown) => ({ encoded: null, error: toIpcError(e) }),
          ),
    ]);
    if (!current()) return;
    this.headerProblem = headerProblem;
    this.payloadProblem = payloadProblem;
    this.encoded = result?.encoded ?? null;
    // JSON errors are shown under their editor; the rest (key, alg, times) above the token.
    this.error = result?.error && !result.error.input ? result.error : null;
    this.pending = false;
  }

  /** Sends the token to Inspect and opens it. */
  openInInspect(): void {
    if (!this.encoded) return;
    session.token = this.encoded.token;
    session.open("inspect");
  }

  /** Opens Verify with the token and the key that verifies it: the public JWKS or the secret. */
  openInVerify(): void {
    if (!this.encoded) return;
    session.token = this.encoded.token;
    if (this.keyKind === "generated" && this.generated) {
      session.verifyKey = { kind: "key_text", value: JSON.stringify(this.generated.public.jwks, null, 2) };
    } else if (this.keyKind === "secret" || this.keyKind === "secret_b64") {
      session.verifyKey = { kind: this.keyKind, value: this.keyValues[this.keyKind] };
    }
    session.open("verify");
  }

  /** Opens Diff with the token as A. */
  diffWith(): void {
    if (this.encoded) session.diffWith(this.encoded.token);
  }

  dispose(): void {
    this.#latest.cancel();
  }
}

let kept: EncodeState | null = null;

/** The one Encode state, kept while the app runs so leaving the view does not lose the editors. */
export function encodeState(): EncodeState {
  kept ??= new EncodeState();
  return kept;
}

/** Forgets the kept state (tests). */
export function forgetEncodeState(): void {
  kept?.dispose();
  kept = null;
}

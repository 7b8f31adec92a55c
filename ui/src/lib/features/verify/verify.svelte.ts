// State of the Verify view: the token (shared with Inspect), the key source, the options, and the
// latest report. Local keys re-verify shortly after each change; network key sources wait for a
// longer pause (or the Verify button) so typing a URL does not fetch on every keystroke. Each
// verification runs as a Rust operation: a change cancels the one still running, and Cancel
// stops it (shown quietly as "Cancelled").
import type { DecodedToken } from "../../bindings/DecodedToken";
import type { KeySourceRequest } from "../../bindings/KeySourceRequest";
import type { VerifyRequest } from "../../bindings/VerifyRequest";
import type { VerifyResponse } from "../../bindings/VerifyResponse";
import { JWS_ALGORITHMS } from "../../bindings/vocabulary";
import { decodeToken, isCancelled, toIpcError, verifyToken, type IpcError } from "../../ipc";
import { Latest } from "../../latest";
import { OperationStream, type Canceller } from "../../operation";
import { session } from "../../session.svelte";

export type KeyKind = KeySourceRequest["kind"];

export const LOCAL_DEBOUNCE_MS = 250;
/** At least 600 ms: a network source fetches only once typing has clearly stopped. */
export const NETWORK_DEBOUNCE_MS = 800;

export const KEY_KINDS: readonly { kind: KeyKind; label: string; network: boolean }[] = [
  { kind: "secret", label: "Shared secret (text)", network: false },
  { kind: "secret_b64", label: "Shared secret (base64 / base64url)", network: false },
  { kind: "key_text", label: "Public key: PEM, JWK or JWKS", network: false },
  { kind: "jwks_url", label: "JWKS URL", network: true },
  { kind: "issuer", label: "Issuer (OIDC discovery)", network: true },
  { kind: "token_header", label: "The token's own header (untrusted)", network: true },
];

/** Every algorithm verification supports; none selected means "whatever fits the key". */
export const ALGORITHMS = JWS_ALGORITHMS;

export function isNetworkKind(kind: KeyKind): boolean {
  return KEY_KINDS.find((k) => k.kind === kind)?.network ?? false;
}

export type Verifier = (request: VerifyRequest, operationId: string) => Promise<VerifyResponse>;
export type Decoder = (token: string) => Promise<DecodedToken>;

/** "1300819000" or an ISO-8601 date → Unix seconds; "" → null (the app clock); NaN if unreadable. */
export function parseNow(text: string): number | null {
  const t = text.trim();
  if (t === "") return null;
  if (/^-?\d+$/.test(t)) return Number(t);
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? Number.NaN : Math.floor(ms / 1000);
}

/** Audiences typed one per line or comma-separated. */
export function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function orNull(text: string): string | null {
  return text.trim() === "" ? null : text.trim();
}

export class VerifyState {
  keyKind: KeyKind = $state("secret");
  /** One value per key kind, so switching kinds back and forth keeps what was typed. */
  keyValues: Record<KeyKind, string> = $state({
    secret: "",
    secret_b64: "",
    key_text: "",
    jwks_url: "",
    issuer: "",
    token_header: "",
  });
  allowedAlgs: string[] = $state([]);
  iss = $state("");
  aud = $state("");
  nonce = $state("");
  /** Seconds; null (an emptied field) means the default, 60. */
  leeway: number | null = $state(60);
  now = $state("");
  accessToken = $state("");
  code = $state("");
  allowHttp = $state(false);
  /** Check as an OpenID Connect ID token: iat, sub and azp rules apply. */
  idToken = $state(false);

  response: VerifyResponse | null = $state.raw(null);
  error: IpcError | null = $state.raw(null);
  pending = $state(false);
  /** True when the inputs changed after the shown report was made. */
  stale = $state(false);

  #verify: Verifier;
  #decode: Decoder;
  #latest = new Latest();
  #operation: OperationStream;

  constructor(verify: Verifier = verifyToken, decode: Decoder = decodeToken, cancel?: Canceller) {
    this.#verify = verify;
    this.#decode = decode;
    this.#operation = new OperationStream("verify", cancel);
    const handed = session.verifyKey;
    if (handed) {
      session.verifyKey = null;
      this.keyKind = handed.kind;
      if (handed.kind !== "token_header") this.keyValues[handed.kind] = handed.value;
      void this.verifyNow();
    } else if (session.token.trim() !== "") {
      this.changed();
    }
  }

  /** The token, shared with Inspect. */
  get token(): string {
    return session.token;
  }
  set token(value: string) {
    session.token = value;
  }

  get keyValue(): string {
    return this.keyValues[this.keyKind];
  }
  set keyValue(value: string) {
    this.keyValues[this.keyKind] = value;
  }

  get isNetwork(): boolean {
    return isNetworkKind(this.keyKind);
  }

  /** True when the last verification was stopped by Cancel. */
  get cancelled(): boolean {
    return isCancelled(this.error);
  }

  /** Why nothing can be verified yet, or null when the request is complete. */
  get missing(): string | null {
    if (this.token.trim() === "") return "Paste a token to verify.";
    if (this.keyKind !== "token_header" && this.keyValue.trim() === "") return "Give a key to verify with.";
    if (Number.isNaN(parseNow(this.now))) return "“Now” is neither Unix seconds nor a date.";
    return null;
  }

  setKind(kind: KeyKind): void {
    this.keyKind = kind;
    if (kind === "issuer" && this.keyValue.trim() === "") void this.fillIssuerFromToken();
    this.changed();
  }

  toggleAlg(alg: string): void {
    this.allowedAlgs = this.allowedAlgs.includes(alg)
      ? this.allowedAlgs.filter((a) => a !== alg)
      : ALGORITHMS.filter((a) => a === alg || this.allowedAlgs.includes(a));
    this.changed();
  }

  /** Puts the token's `iss` in the issuer field (decoded by Rust, not verified). */
  async fillIssuerFromToken(): Promise<void> {
    if (this.token.trim() === "") return;
    try {
      const decoded = await this.#decode(this.token);
      const iss = decoded.payload && typeof decoded.payload === "object" ? (decoded.payload as Record<string, unknown>).iss : null;
      if (typeof iss === "string" && this.keyValues.issuer.trim() === "") {
        this.keyValues.issuer = iss;
        this.changed();
      }
    } catch {
      // A token that does not decode has no iss to offer; verification will say what is wrong.
    }
  }

  /** Call after any input changes: re-verifies once typing pauses. */
  changed(): void {
    if (this.#operation.running) {
      // Its answer would be for the old input: drop it, and stop the fetch.
      this.#latest.begin();
      this.#operation.cancel();
      this.pending = false;
    }
    this.stale = this.response !== null || this.error !== null;
    const delay = this.isNetwork ? NETWORK_DEBOUNCE_MS : LOCAL_DEBOUNCE_MS;
    this.#latest.debounce(() => {
      void this.verifyNow();
    }, delay);
  }

  /** The request for the current inputs; `refresh` fetches network keys again, bypassing the cache. */
  request(refresh = false): VerifyRequest | null {
    if (this.missing !== null) return null;
    const key: KeySourceRequest =
      this.keyKind === "token_header" ? { kind: "token_header" } : { kind: this.keyKind, value: this.keyValue };
    return {
      token: this.token,
      key,
      allowed_algs: [...this.allowedAlgs],
      iss: orNull(this.iss),
      aud: splitList(this.aud),
      nonce: orNull(this.nonce),
      access_token: orNull(this.accessToken),
      code: orNull(this.code),
      leeway: this.leeway === null || !Number.isFinite(this.leeway) || this.leeway < 0 ? null : Math.floor(this.leeway),
      now: parseNow(this.now),
      allow_http: this.allowHttp,
      id_token: this.idToken,
      refresh,
    };
  }

  /**
   * Verifies the current inputs at once, cancelling a verification still running; a reply for
   * older inputs is dropped.
   */
  async verifyNow(refresh = false): Promise<void> {
    const request = this.request(refresh);
    const current = this.#latest.begin();
    if (request === null) {
      this.#operation.cancel();
      this.#show(null, null);
      return;
    }
    const operationId = this.#operation.begin();
    this.pending = true;
    let response: VerifyResponse | null = null;
    let error: IpcError | null = null;
    try {
      response = await this.#verify(request, operationId);
    } catch (e) {
      error = toIpcError(e);
    }
    this.#operation.end(operationId);
    if (!current()) return;
    this.#show(response, error);
  }

  /** The Cancel button: stops the running verification, which then shows as cancelled. */
  cancel(): void {
    this.#operation.cancel();
  }

  dispose(): void {
    this.#latest.dispose();
    this.#operation.cancel();
  }

  #show(response: VerifyResponse | null, error: IpcError | null): void {
    this.response = response;
    this.error = error;
    this.pending = false;
    this.stale = false;
  }
}

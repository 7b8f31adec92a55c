// State of the Inspect view: the user's input and the latest decode of it.
import type { DecodedToken } from "../../bindings/DecodedToken";
import { decodeToken, toIpcError, type IpcError } from "../../ipc";
import { Latest } from "../../latest";
import { session } from "../../session.svelte";
import { SAMPLE_TOKEN } from "./sample";

export const DECODE_DEBOUNCE_MS = 100;

export type Decoder = (token: string) => Promise<DecodedToken>;

export class InspectState {
  /** Exactly what the user typed or pasted; never rewritten by a decode. */
  input = $state("");
  /** The decode of the current input, or null while empty or after an error. */
  decoded: DecodedToken | null = $state.raw(null);
  /** Why the current input could not be decoded. */
  error: IpcError | null = $state.raw(null);
  /** The input the shown result or error belongs to (the echo marks error offsets in it). */
  decodedInput = $state("");
  pending = $state(false);

  #decode: Decoder;
  #debounceMs: number;
  // A reply is applied only if no newer request was made after it, so a slow answer for an
  // old input never overwrites the answer for what is in the box now.
  #latest = new Latest();
  // Re-decodes when the shown token's exp passes, so findings (`expired`) follow the countdown.
  #expiryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(decode: Decoder = decodeToken, debounceMs = DECODE_DEBOUNCE_MS) {
    this.#decode = decode;
    this.#debounceMs = debounceMs;
    // A token pasted in another view (Verify) is decoded on arrival.
    if (session.token !== "") {
      this.input = session.token;
      void this.decodeNow();
    }
  }

  /** Records new input and decodes it once typing pauses. */
  setInput(value: string): void {
    this.input = value;
    session.token = value;
    this.#latest.debounce(() => {
      void this.decodeNow();
    }, this.#debounceMs);
  }

  loadSample(): void {
    this.input = SAMPLE_TOKEN;
    session.token = SAMPLE_TOKEN;
    void this.decodeNow();
  }

  /** Decodes the current input immediately. */
  async decodeNow(): Promise<void> {
    const input = this.input;
    const current = this.#latest.begin();
    if (input.trim() === "") {
      this.#show(input, null, null);
      return;
    }
    this.pending = true;
    let decoded: DecodedToken | null = null;
    let error: IpcError | null = null;
    try {
      decoded = await this.#decode(input);
    } catch (e) {
      error = toIpcError(e);
    }
    if (!current()) return;
    this.#show(input, decoded, error);
  }

  /** Stops a pending debounce and the expiry timer; call when the view goes away. */
  dispose(): void {
    this.#latest.dispose();
    clearTimeout(this.#expiryTimer);
  }

  #show(input: string, decoded: DecodedToken | null, error: IpcError | null): void {
    this.decodedInput = input;
    this.decoded = decoded;
    this.error = error;
    this.pending = false;
    this.#scheduleExpiryDecode(decoded);
  }

  #scheduleExpiryDecode(decoded: DecodedToken | null): void {
    clearTimeout(this.#expiryTimer);
    const exp = decoded?.claims.find((c) => c.name === "exp")?.time?.unix;
    if (exp === undefined) return;
    // Just past exp (Rust calls a token expired once now ≥ exp); setTimeout holds at most ~24.8 days.
    const delay = exp * 1000 - Date.now() + 500;
    if (delay <= 0 || delay > 2 ** 31 - 1) return;
    this.#expiryTimer = setTimeout(() => void this.decodeNow(), delay);
  }
}

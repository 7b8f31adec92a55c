// State of the Diff view: tokens A and B and the latest comparison of them.
import type { TokenComparison } from "../../bindings/TokenComparison";
import { diffTokenPair, toIpcError, type IpcError } from "../../ipc";
import { Latest } from "../../latest";
import { session } from "../../session.svelte";

export const DIFF_DEBOUNCE_MS = 150;

export type Differ = (a: string, b: string) => Promise<TokenComparison>;

/** "changes": only what differs, path by path; "side": every member of both tokens lined up. */
export type DiffLayout = "changes" | "side";

export class DiffState {
  a = $state("");
  b = $state("");
  comparison: TokenComparison | null = $state.raw(null);
  layout: DiffLayout = $state("changes");
  error: IpcError | null = $state.raw(null);
  pending = $state(false);

  #differ: Differ;
  #debounceMs: number;
  #latest = new Latest();

  constructor(differ: Differ = diffTokenPair, debounceMs = DIFF_DEBOUNCE_MS) {
    this.#differ = differ;
    this.#debounceMs = debounceMs;
    // "Diff with…" from another view: that token is A; the user pastes B.
    if (session.diffA !== null) {
      this.a = session.diffA;
      session.diffA = null;
    }
  }

  /** Which input the current error is about ("a" or "b"), if any. */
  get errorInput(): string | null {
    return this.error?.input ?? null;
  }

  changed(): void {
    this.#latest.debounce(() => {
      void this.diffNow();
    }, this.#debounceMs);
  }

  swap(): void {
    [this.a, this.b] = [this.b, this.a];
    void this.diffNow();
  }

  async diffNow(): Promise<void> {
    const [a, b] = [this.a, this.b];
    const current = this.#latest.begin();
    if (a.trim() === "" || b.trim() === "") {
      this.#show(null, null);
      return;
    }
    this.pending = true;
    let comparison: TokenComparison | null = null;
    let error: IpcError | null = null;
    try {
      comparison = await this.#differ(a, b);
    } catch (e) {
      error = toIpcError(e);
    }
    if (!current()) return;
    this.#show(comparison, error);
  }

  dispose(): void {
    this.#latest.dispose();
  }

  #show(comparison: TokenComparison | null, error: IpcError | null): void {
    this.comparison = comparison;
    this.error = error;
    this.pending = false;
  }
}

/** "15 min" style lifetime, or "—" when unknown. */
export function lifetimeText(seconds: number | null): string {
  if (seconds === null) return "—";
  const abs = Math.abs(seconds);
  const sign = seconds < 0 ? "-" : "";
  if (abs % 86400 === 0 && abs >= 86400) return `${sign}${abs / 86400} d`;
  if (abs % 3600 === 0 && abs >= 3600) return `${sign}${abs / 3600} h`;
  if (abs % 60 === 0 && abs >= 60) return `${sign}${abs / 60} min`;
  return `${sign}${abs} s`;
}

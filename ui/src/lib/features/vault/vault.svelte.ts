// State of the Vault view: whether the OS keychain is usable, what Tokenscope stored in it
// (metadata only), and values revealed on request. A revealed value stays on screen for
// `REVEAL_MS` at most and is dropped from memory when hidden or when the view goes away.
import type { SecretKind } from "../../bindings/SecretKind";
import type { UnavailableReason } from "../../bindings/UnavailableReason";
import type { VaultEntry } from "../../bindings/VaultEntry";
import type { VaultStatus } from "../../bindings/VaultStatus";
import * as ipc from "../../ipc";
import { toIpcError, VAULT_UNAVAILABLE, type IpcError } from "../../ipc";

/** How long a revealed value stays shown. */
export const REVEAL_MS = 20_000;

/** An entry's key: `<profile>/<kind>`, its keychain account. */
export function entryKey(entry: { profile: string; kind: SecretKind }): string {
  return `${entry.profile}/${entry.kind}`;
}

/** What to do, by why the keychain is unavailable (the core's message adds the details). */
export const FIXES: Record<UnavailableReason, string> = {
  no_session_bus:
    "There is no D-Bus session bus to reach a keyring on. Run Tokenscope inside a desktop session, or start a session bus with a keyring, e.g. dbus-run-session -- sh -c 'gnome-keyring-daemon --unlock --components=secrets; tokenscope-app'.",
  no_secret_service:
    "Nothing provides the Secret Service on the session bus. Start a keyring (gnome-keyring-daemon --start --components=secrets, KWallet, or KeePassXC with its Secret Service integration), then press Retry.",
  locked:
    "The keyring is locked. Unlock it by logging in to your desktop session, or with gnome-keyring-daemon --unlock (type the password, then Ctrl-D), then press Retry.",
  denied:
    "Access was refused: the keyring's unlock prompt was dismissed or could not be shown. Unlock the keyring (or allow Tokenscope when asked), then press Retry.",
  timeout:
    "The keyring did not answer in time: it may be waiting on an unlock prompt nobody can see, or its daemon is stuck. Unlock it (gnome-keyring-daemon --unlock) or restart it, then press Retry.",
  platform: "The keychain could not be used. Check that the keyring is running and unlocked, then press Retry.",
};

export class VaultState {
  status: VaultStatus | null = $state.raw(null);
  entries: VaultEntry[] = $state.raw([]);
  loading = $state(false);
  /** A failure that is not the keychain being unavailable (that one is `status`). */
  error: IpcError | null = $state.raw(null);
  notice: string | null = $state(null);
  /** Revealed values by entry key; absent means masked. */
  revealed: Record<string, string> = $state({});
  /** The entry whose Delete asks for confirmation. */
  confirmingDelete: string | null = $state(null);
  confirmingForgetAll = $state(false);

  #revealMs: number;
  // Timers, not state: nothing renders them.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #timers = new Map<string, ReturnType<typeof setTimeout>>();
  #disposed = false;

  constructor(revealMs = REVEAL_MS) {
    this.#revealMs = revealMs;
  }

  /** The unavailable status, or null while the keychain is usable (or not asked yet). */
  get problem(): Extract<VaultStatus, { state: "unavailable" }> | null {
    return this.status?.state === "unavailable" ? this.status : null;
  }

  /** Asks whether the keychain is usable (`retry`: open it again first), then lists it. */
  async load(retry = false): Promise<void> {
    this.loading = true;
    this.error = null;
    try {
      this.status = await ipc.vaultStatus(retry);
      if (this.status.state === "available") this.entries = await ipc.vaultList();
      else this.#forgetShown();
    } catch (e) {
      await this.#failed(e);
    } finally {
      this.loading = false;
    }
  }

  isRevealed(entry: VaultEntry): boolean {
    return entryKey(entry) in this.revealed;
  }

  /** Shows the entry's value (asked of Rust now, on this click only) for `REVEAL_MS`. */
  async reveal(entry: VaultEntry): Promise<void> {
    const key = entryKey(entry);
    try {
      const value = await ipc.vaultReveal(entry.profile, entry.kind);
      if (this.#disposed) return;
      this.revealed = { ...this.revealed, [key]: value };
      clearTimeout(this.#timers.get(key));
      this.#timers.set(
        key,
        setTimeout(() => {
          this.hide(key);
        }, this.#revealMs),
      );
    } catch (e) {
      await this.#failed(e);
    }
  }

  /** Masks the value again and drops it. */
  hide(key: string): void {
    clearTimeout(this.#timers.get(key));
    this.#timers.delete(key);
    if (!(key in this.revealed)) return;
    const rest = { ...this.revealed };
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a record keyed by entry
    delete rest[key];
    this.revealed = rest;
  }

  askDelete(entry: VaultEntry): void {
    this.confirmingDelete = entryKey(entry);
  }

  cancelDelete(): void {
    this.confirmingDelete = null;
  }

  async remove(entry: VaultEntry): Promise<void> {
    this.confirmingDelete = null;
    try {
      await ipc.vaultDelete(entry.profile, entry.kind);
      this.hide(entryKey(entry));
      this.notice = `Deleted the ${entry.kind.replace("_", " ")} of ${entry.profile} from the OS keychain.`;
      this.entries = await ipc.vaultList();
    } catch (e) {
      await this.#failed(e);
    }
  }

  askForgetAll(): void {
    this.confirmingForgetAll = true;
  }

  cancelForgetAll(): void {
    this.confirmingForgetAll = false;
  }

  async forgetAll(): Promise<void> {
    this.confirmingForgetAll = false;
    try {
      const deleted = await ipc.vaultForgetAll();
      this.#forgetShown();
      this.notice = `Deleted ${deleted.length} ${deleted.length === 1 ? "entry" : "entries"} from the OS keychain.`;
      this.entries = await ipc.vaultList();
    } catch (e) {
      await this.#failed(e);
    }
  }

  dispose(): void {
    this.#disposed = true;
    this.#forgetShown();
  }

  /** Hides every revealed value. */
  #forgetShown(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.revealed = {};
  }

  /** An unavailable keychain shows as the banner (with the status Rust now holds); else an error. */
  async #failed(e: unknown): Promise<void> {
    const error = toIpcError(e);
    if (error.code !== VAULT_UNAVAILABLE) {
      this.error = error;
      return;
    }
    this.#forgetShown();
    try {
      this.status = await ipc.vaultStatus(false);
    } catch {
      this.status = { state: "unavailable", code: error.code, reason: null, message: error.message };
    }
    // The keychain call failed after all: the status says so even if Rust had not noted it.
    if (this.status.state === "available") {
      this.status = { state: "unavailable", code: error.code, reason: null, message: error.message };
    }
  }
}

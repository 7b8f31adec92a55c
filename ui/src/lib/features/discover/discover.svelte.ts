// State of the Discover view: the issuer asked about, the report, and a comparison with a second
// issuer. Recent issuers (URLs only, never tokens) are kept in localStorage. Each discovery runs
// as a Rust operation: a new one, or typing a new issuer, cancels the one still running, and
// Cancel stops it (shown quietly as "Cancelled").
import type { Change } from "../../bindings/Change";
import type { DiscoverRequest } from "../../bindings/DiscoverRequest";
import type { DiscoveryReport } from "../../bindings/DiscoveryReport";
import type { JsonValue } from "../../bindings/serde_json/JsonValue";
import { compareMetadata, discoverIssuer, isCancelled, toIpcError, type IpcError } from "../../ipc";
import { Latest } from "../../latest";
import { OperationStream, type Canceller } from "../../operation";

export const RECENT_KEY = "tokenscope.recent-issuers";
const MAX_RECENT = 8;

/** Well-known providers' issuer patterns; the `{…}` parts are for the user to replace. */
export const PRESETS: readonly { provider: string; issuer: string }[] = [
  { provider: "Google", issuer: "https://accounts.google.com" },
  { provider: "Microsoft Entra ID", issuer: "https://login.microsoftonline.com/{tenant}/v2.0" },
  { provider: "Okta", issuer: "https://{yourOktaDomain}/oauth2/default" },
  { provider: "Auth0", issuer: "https://{tenant}.auth0.com/" },
  { provider: "Keycloak", issuer: "https://{host}/realms/{realm}" },
  { provider: "GitLab", issuer: "https://gitlab.com" },
];

/** The `{placeholder}` still in a preset-derived URL, if any. */
export function placeholderIn(issuer: string): string | null {
  return /\{[^}]*\}/.exec(issuer)?.[0] ?? null;
}

export function loadRecent(): string[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(RECENT_KEY) ?? "[]");
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === "string").slice(0, MAX_RECENT) : [];
  } catch {
    return [];
  }
}

function saveRecent(list: string[]): void {
  try {
    localStorage.setItem(RECENT_KEY, JSON.stringify(list));
  } catch {
    // Storage full or disabled: recents are a convenience.
  }
}

export type Discoverer = (request: DiscoverRequest, operationId: string) => Promise<DiscoveryReport>;
export type Comparer = (before: JsonValue, after: JsonValue) => Promise<Change[]>;

export class DiscoverState {
  issuer = $state("");
  allowHttp = $state(false);
  oauth = $state(false);
  recent: string[] = $state(loadRecent());

  report: DiscoveryReport | null = $state.raw(null);
  error: IpcError | null = $state.raw(null);
  pending = $state(false);

  compareIssuer = $state("");
  comparison: { issuer: string; report: DiscoveryReport; changes: Change[] } | null = $state.raw(null);
  compareError: IpcError | null = $state.raw(null);
  comparing = $state(false);

  #discover: Discoverer;
  #compare: Comparer;
  #latest = new Latest();
  #latestCompare = new Latest();
  #operation: OperationStream;
  #compareOperation: OperationStream;

  constructor(discover: Discoverer = discoverIssuer, compare: Comparer = compareMetadata, cancel?: Canceller) {
    this.#discover = discover;
    this.#compare = compare;
    this.#operation = new OperationStream("discover", cancel);
    this.#compareOperation = new OperationStream("discover-compare", cancel);
  }

  /** True when the last discovery was stopped by Cancel. */
  get cancelled(): boolean {
    return isCancelled(this.error);
  }

  /** True when the last comparison's discovery was stopped by Cancel. */
  get compareCancelled(): boolean {
    return isCancelled(this.compareError);
  }

  /** Why the issuer cannot be fetched as typed, or null. */
  get problem(): string | null {
    if (this.issuer.trim() === "") return "Enter an issuer URL.";
    const placeholder = placeholderIn(this.issuer);
    if (placeholder) return `Replace ${placeholder} with your own value.`;
    return null;
  }

  #request(issuer: string, refresh: boolean): DiscoverRequest {
    return { issuer: issuer.trim(), oauth: this.oauth, allow_http: this.allowHttp, refresh };
  }

  /**
   * Fetches and lints the issuer's metadata, cancelling a discovery still running; a reply for
   * an older request is dropped.
   */
  async run(refresh = false): Promise<void> {
    if (this.problem !== null) return;
    const issuer = this.issuer.trim();
    const current = this.#latest.begin();
    const operationId = this.#operation.begin();
    this.pending = true;
    let report: DiscoveryReport | null = null;
    let error: IpcError | null = null;
    try {
      report = await this.#discover(this.#request(issuer, refresh), operationId);
    } catch (e) {
      error = toIpcError(e);
    }
    this.#operation.end(operationId);
    if (!current()) return;
    this.report = report;
    this.error = error;
    this.pending = false;
    this.comparison = null;
    this.compareError = null;
    if (report) this.#remember(issuer);
  }

  /** The issuer box changed: a discovery still running is for the old text, so it is stopped. */
  issuerChanged(): void {
    if (!this.#operation.running) return;
    this.#latest.begin();
    this.#operation.cancel();
    this.pending = false;
  }

  /** The Cancel button: stops the running discovery, which then shows as cancelled. */
  cancel(): void {
    this.#operation.cancel();
  }

  /** Cancel for the comparison's discovery. */
  cancelCompare(): void {
    this.#compareOperation.cancel();
  }

  /** Discovers a second issuer and lists how its metadata differs from the shown one. */
  async compareWith(): Promise<void> {
    const base = this.report;
    const other = this.compareIssuer.trim();
    if (!base || other === "" || placeholderIn(other)) return;
    const current = this.#latestCompare.begin();
    const operationId = this.#compareOperation.begin();
    this.comparing = true;
    let comparison: typeof this.comparison = null;
    let error: IpcError | null = null;
    try {
      const report = await this.#discover(this.#request(other, false), operationId);
      const changes = await this.#compare(base.metadata as JsonValue, report.metadata as JsonValue);
      comparison = { issuer: other, report, changes };
    } catch (e) {
      error = toIpcError(e);
    }
    this.#compareOperation.end(operationId);
    if (!current()) return;
    this.comparison = comparison;
    this.compareError = error;
    this.comparing = false;
  }

  dispose(): void {
    this.#latest.dispose();
    this.#latestCompare.dispose();
    this.#operation.cancel();
    this.#compareOperation.cancel();
  }

  #remember(issuer: string): void {
    this.recent = [issuer, ...this.recent.filter((r) => r !== issuer)].slice(0, MAX_RECENT);
    saveRecent(this.recent);
  }
}

// State of the Flows view: what to run (a profile, or an issuer and client id for a one-off flow),
// the code flow's live timeline and result, and the Refresh and Userinfo calls on a finished flow.
// One instance lives as long as the app (`flowsState()`), so a flow keeps running, and its tokens
// stay, while the user looks at them in Inspect or Verify; nothing of it is persisted. Each call
// runs as a Rust operation: Cancel stops it, shown quietly as "cancelled".
import type { Check } from "../../bindings/Check";
import type { CodeFlowRequest } from "../../bindings/CodeFlowRequest";
import type { FlowEvent } from "../../bindings/FlowEvent";
import type { FlowResult } from "../../bindings/FlowResult";
import type { IssuedTokens } from "../../bindings/IssuedTokens";
import type { PreviousTokensRequest } from "../../bindings/PreviousTokensRequest";
import type { Profile } from "../../bindings/Profile";
import type { Step } from "../../bindings/Step";
import type { UserinfoReply } from "../../bindings/UserinfoReply";
import type { UserinfoRequest } from "../../bindings/UserinfoRequest";
import type { VaultStatus } from "../../bindings/VaultStatus";
import * as ipc from "../../ipc";
import { isCancelled, toFlowFailure, toIpcError, VAULT_UNAVAILABLE, type FlowFailureReply, type IpcError } from "../../ipc";
import { OperationStream, type Canceller } from "../../operation";
import { session } from "../../session.svelte";
import { applyEvent, awaitingRedirect, EMPTY_TIMELINE, finish, splitScopes, type Timeline } from "./timeline";

export type FlowMode = "profile" | "issuer";

/** What a one-off flow asks for unless told otherwise (the core's defaults too). */
export const DEFAULT_SCOPES = "openid profile offline_access";

/** What a flow ran against: Refresh and Userinfo use the same. */
export type FlowTarget = { profile: string; issuer: string | null } | { profile: null; issuer: string; clientId: string };

export type CodeFlowStarter = (
  request: CodeFlowRequest,
  operationId: string,
  onEvent: (event: FlowEvent) => void,
) => Promise<FlowResult>;
export type Refresher = (
  profile: string,
  previous: PreviousTokensRequest,
  operationId: string,
  onEvent: (event: FlowEvent) => void,
) => Promise<FlowResult>;
export type UserinfoCaller = (request: UserinfoRequest, operationId: string) => Promise<UserinfoReply>;

export type FlowsDeps = {
  start: CodeFlowStarter;
  refresh: Refresher;
  userinfo: UserinfoCaller;
  listProfiles: () => Promise<{ profiles: Profile[] }>;
  vaultStatus: (retry: boolean) => Promise<VaultStatus>;
  /** The ID token's `sub`, for userinfo's comparison. */
  subjectOf: (idToken: string) => Promise<string | null>;
  cancel?: Canceller;
};

async function subjectOf(idToken: string): Promise<string | null> {
  const decoded = await ipc.decodeToken(idToken);
  const payload = decoded.payload;
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) return null;
  const sub = (payload as Record<string, unknown>).sub;
  return typeof sub === "string" ? sub : null;
}

const IPC_DEPS: FlowsDeps = {
  start: ipc.startCodeFlow,
  refresh: ipc.refreshFlow,
  userinfo: ipc.flowUserinfo,
  listProfiles: ipc.listProfiles,
  vaultStatus: ipc.vaultStatus,
  subjectOf,
};

/** One call's state: its live timeline, pending, answered, or failed (or cancelled). */
class Call<T> {
  timeline: Timeline = $state.raw(EMPTY_TIMELINE);
  pending = $state(false);
  result: T | null = $state.raw(null);
  error: FlowFailureReply | null = $state.raw(null);
  #operation: OperationStream;
  /** The operation whose answer and events are shown; older ones are dropped. */
  #current: string | null = null;

  constructor(prefix: string, cancel?: Canceller) {
    this.#operation = new OperationStream(prefix, cancel);
  }

  get cancelled(): boolean {
    return isCancelled(this.error);
  }

  /**
   * Runs `call` as a fresh operation (cancelling the one still running), its events feeding the
   * timeline; `finalSteps` picks the answer's steps, which replace the live ones.
   */
  async run(
    call: (operationId: string, onEvent: (event: FlowEvent) => void) => Promise<T>,
    finalSteps: (result: T) => Step[],
  ): Promise<void> {
    const operationId = this.#operation.begin();
    this.#current = operationId;
    let timeline: Timeline = EMPTY_TIMELINE;
    this.timeline = timeline;
    this.pending = true;
    this.result = null;
    this.error = null;
    const onEvent = (event: FlowEvent): void => {
      timeline = applyEvent(timeline, event);
      if (this.#current === operationId) this.timeline = timeline;
    };
    let result: T | null = null;
    let error: FlowFailureReply | null = null;
    try {
      result = await call(operationId, onEvent);
      timeline = finish(timeline, finalSteps(result));
    } catch (e) {
      error = toFlowFailure(e);
      timeline = finish(timeline, error.steps);
    }
    this.#operation.end(operationId);
    if (this.#current !== operationId) return;
    this.timeline = timeline;
    this.result = result;
    this.error = error;
    this.pending = false;
  }

  /** The user's Cancel: the call answers `operation.cancelled`, shown quietly. */
  cancel(): void {
    this.#operation.cancel();
  }

  /** Forgets the call, cancelling it if it still runs. */
  clear(): void {
    this.#operation.cancel();
    this.#current = null;
    this.timeline = EMPTY_TIMELINE;
    this.pending = false;
    this.result = null;
    this.error = null;
  }
}

export class FlowsState {
  mode: FlowMode = $state("profile");
  profiles: Profile[] = $state.raw([]);
  profilesLoaded = $state(false);
  profilesError: IpcError | null = $state.raw(null);
  /** The chosen profile's name. */
  profile = $state("");
  issuer = $state("");
  clientId = $state("");
  scopes = $state(DEFAULT_SCOPES);
  openBrowser = $state(true);
  /** Whether the keychain, which a profile flow needs, is usable (null: not asked yet). */
  vault: VaultStatus | null = $state.raw(null);
  vaultChecking = $state(false);

  readonly flow: Call<FlowResult>;
  readonly refreshCall: Call<FlowResult>;
  readonly userinfoCall: Call<UserinfoReply>;
  /** What the shown flow was started with. */
  target: FlowTarget | null = $state.raw(null);

  #deps: FlowsDeps;

  constructor(deps: Partial<FlowsDeps> = {}) {
    this.#deps = { ...IPC_DEPS, ...deps };
    this.flow = new Call("flow", this.#deps.cancel);
    this.refreshCall = new Call("flow-refresh", this.#deps.cancel);
    this.userinfoCall = new Call("flow-userinfo", this.#deps.cancel);
  }

  /** Lists the profiles (keeping the choice if it still exists) and asks about the keychain. */
  async load(): Promise<void> {
    try {
      const list = await this.#deps.listProfiles();
      this.profiles = list.profiles;
      this.profilesError = null;
      if (!this.profiles.some((p) => p.name === this.profile)) this.profile = this.profiles[0]?.name ?? "";
    } catch (e) {
      this.profilesError = toIpcError(e);
    }
    this.profilesLoaded = true;
    if (this.vault === null) await this.checkVault(false);
  }

  /** An issuer handed over from Discover: a one-off flow for it, the client id still to type. */
  takeHandOver(): void {
    const issuer = session.flowIssuer;
    if (issuer === null) return;
    session.flowIssuer = null;
    this.mode = "issuer";
    this.issuer = issuer;
  }

  /** Asks whether the keychain is usable; `retry` opens it again first (the banner's Retry). */
  async checkVault(retry: boolean): Promise<void> {
    this.vaultChecking = true;
    try {
      this.vault = await this.#deps.vaultStatus(retry);
    } catch (e) {
      const error = toIpcError(e);
      this.vault = { state: "unavailable", code: error.code, reason: null, message: error.message };
    } finally {
      this.vaultChecking = false;
    }
  }

  /** The keychain problem to show as a banner: only where it matters, for profile flows. */
  get vaultProblem(): Extract<VaultStatus, { state: "unavailable" }> | null {
    if (this.mode !== "profile") return null;
    return this.vault?.state === "unavailable" ? this.vault : null;
  }

  /** Why Start cannot run as filled in, or null. */
  get problem(): string | null {
    if (this.mode === "profile") {
      if (this.profilesLoaded && this.profiles.length === 0) return "No profiles yet: add one in Profiles, or start from an issuer.";
      if (this.profile === "") return "Choose a profile.";
      return null;
    }
    if (this.issuer.trim() === "") return "Enter the issuer.";
    if (this.clientId.trim() === "") return "Enter the client id (a public client: PKCE, no secret).";
    return null;
  }

  get awaitingRedirect(): boolean {
    return awaitingRedirect(this.flow.timeline);
  }

  /** The newest tokens: the refresh's when there was one, else the flow's. */
  get tokens(): IssuedTokens | null {
    return this.refreshCall.result?.tokens ?? this.flow.result?.tokens ?? null;
  }

  /** The newest tokens' ID token checks. */
  get checks(): Check[] {
    return (this.refreshCall.result ?? this.flow.result)?.id_token_checks ?? [];
  }

  /** The newest userinfo claims: the Userinfo button's, else the refresh's or the flow's. */
  get claims(): Record<string, unknown> | null {
    return this.userinfoCall.result?.claims ?? this.refreshCall.result?.userinfo ?? this.flow.result?.userinfo ?? null;
  }

  /** The issuer of the shown flow, for "Verify" with its keys; null when only endpoints are known. */
  get issuerOfFlow(): string | null {
    return this.target?.issuer ?? null;
  }

  /** Refresh needs a profile (its refresh token is in the keychain) and a finished flow. */
  get canRefresh(): boolean {
    return this.target?.profile != null && this.flow.result !== null && !this.refreshCall.pending;
  }

  get canCallUserinfo(): boolean {
    return this.target !== null && this.tokens !== null && !this.userinfoCall.pending;
  }

  /** Starts the code flow (cancelling one still running). */
  async start(): Promise<void> {
    if (this.problem !== null) return;
    const request: CodeFlowRequest =
      this.mode === "profile"
        ? { profile: this.profile, issuer: null, client_id: null, scopes: null, open_browser: this.openBrowser }
        : {
            profile: null,
            issuer: this.issuer.trim(),
            client_id: this.clientId.trim(),
            scopes: splitScopes(this.scopes),
            open_browser: this.openBrowser,
          };
    const chosen = this.profiles.find((p) => p.name === this.profile);
    this.target =
      this.mode === "profile"
        ? { profile: this.profile, issuer: chosen?.issuer ?? null }
        : { profile: null, issuer: this.issuer.trim(), clientId: this.clientId.trim() };
    this.refreshCall.clear();
    this.userinfoCall.clear();
    await this.flow.run(
      (id, onEvent) => this.#deps.start(request, id, onEvent),
      (r) => r.steps,
    );
    await this.#noteVault(this.flow.error);
  }

  cancel(): void {
    this.flow.cancel();
  }

  /** Refreshes the profile's tokens; the new ones are diffed with the ones shown. */
  async refresh(): Promise<void> {
    const target = this.target;
    if (target?.profile == null) return;
    const tokens = this.tokens;
    const previous: PreviousTokensRequest = { access_token: tokens?.access_token ?? null, id_token: tokens?.id_token ?? null };
    this.userinfoCall.clear();
    await this.refreshCall.run(
      (id, onEvent) => this.#deps.refresh(target.profile, previous, id, onEvent),
      (r) => r.steps,
    );
    await this.#noteVault(this.refreshCall.error);
  }

  cancelRefresh(): void {
    this.refreshCall.cancel();
  }

  /** Calls userinfo with the newest access token; its `sub` must be the ID token's. */
  async userinfo(): Promise<void> {
    const target = this.target;
    const tokens = this.tokens;
    if (target === null || tokens === null) return;
    let expected: string | null = null;
    if (tokens.id_token !== null) expected = await this.#deps.subjectOf(tokens.id_token).catch(() => null);
    const request: UserinfoRequest =
      target.profile !== null
        ? { profile: target.profile, issuer: null, client_id: null, access_token: tokens.access_token, expected_sub: expected }
        : { profile: null, issuer: target.issuer, client_id: target.clientId, access_token: tokens.access_token, expected_sub: expected };
    await this.userinfoCall.run(
      (id) => this.#deps.userinfo(request, id),
      (reply) => reply.steps,
    );
  }

  cancelUserinfo(): void {
    this.userinfoCall.cancel();
  }

  /** A keychain that turned out unavailable shows as the banner, with what to do. */
  async #noteVault(error: FlowFailureReply | null): Promise<void> {
    if (error?.code !== VAULT_UNAVAILABLE) return;
    await this.checkVault(false);
    if (this.vault?.state !== "unavailable") {
      this.vault = { state: "unavailable", code: error.code, reason: null, message: error.message };
    }
  }
}

let shared: FlowsState | null = null;

/** The app's one Flows state, made on first use. */
export function flowsState(): FlowsState {
  shared ??= new FlowsState();
  return shared;
}

/** Forgets the shared state (tests), cancelling whatever it was running. */
export function resetFlowsState(state: FlowsState | null = null): void {
  shared?.flow.clear();
  shared?.refreshCall.clear();
  shared?.userinfoCall.clear();
  shared = state;
}

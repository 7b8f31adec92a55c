// State of the Flows view: what to run (a grant — authorization code, client credentials, device —
// for a profile, or an issuer and client id for a one-off flow), the flow's live timeline and
// result, and the calls on a finished flow: Refresh, Userinfo, Revoke, Introspect, Call API and
// Export.
// One instance lives as long as the app (`flowsState()`), so a flow keeps running, and its tokens
// stay, while the user looks at them in Inspect or Verify; nothing of it is persisted. Each call
// runs as a Rust operation: Cancel stops it, shown quietly as "cancelled".
import type { ApiCallRequest } from "../../bindings/ApiCallRequest";
import type { ApiCallResult } from "../../bindings/ApiCallResult";
import type { Check } from "../../bindings/Check";
import type { ClientAuthMethod } from "../../bindings/ClientAuthMethod";
import type { ClientCredentialsRequest } from "../../bindings/ClientCredentialsRequest";
import type { DeviceFlowRequest } from "../../bindings/DeviceFlowRequest";
import type { ExportFormat } from "../../bindings/ExportFormat";
import type { IntrospectionResult } from "../../bindings/IntrospectionResult";
import type { IntrospectRequest } from "../../bindings/IntrospectRequest";
import type { RevocationResult } from "../../bindings/RevocationResult";
import type { RevokeRequest } from "../../bindings/RevokeRequest";
import type { TokenKind } from "../../bindings/TokenKind";
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
import { applyEvent, awaitingDevice, awaitingRedirect, EMPTY_TIMELINE, finish, splitScopes, type Timeline } from "./timeline";

export type FlowMode = "profile" | "issuer";

/** The grant the view runs. */
export type Grant = "code" | "client_credentials" | "device";

export const GRANTS: readonly { grant: Grant; label: string; spec: string }[] = [
  { grant: "code", label: "Authorization code", spec: "RFC 6749 §4.1 + PKCE" },
  { grant: "client_credentials", label: "Client credentials", spec: "RFC 6749 §4.4" },
  { grant: "device", label: "Device", spec: "RFC 8628" },
];

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
export type GrantStarter<R> = (request: R, operationId: string, onEvent: (event: FlowEvent) => void) => Promise<FlowResult>;

export type FlowsDeps = {
  start: CodeFlowStarter;
  refresh: Refresher;
  userinfo: UserinfoCaller;
  clientCredentials: GrantStarter<ClientCredentialsRequest>;
  device: GrantStarter<DeviceFlowRequest>;
  revoke: (request: RevokeRequest, operationId: string) => Promise<RevocationResult>;
  introspect: (request: IntrospectRequest, operationId: string) => Promise<IntrospectionResult>;
  callApi: (request: ApiCallRequest, operationId: string) => Promise<ApiCallResult>;
  exportFlow: (flow: string, format: ExportFormat, revealTokens: boolean) => Promise<string>;
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
  clientCredentials: ipc.startClientCredentials,
  device: ipc.startDeviceFlow,
  revoke: ipc.revokeToken,
  introspect: ipc.introspectToken,
  callApi: ipc.callApi,
  exportFlow: ipc.exportFlow,
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
  /** The operation id of the answer shown: the app keeps a flow under it (Export, Revoke). */
  answeredAs: string | null = $state(null);
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
    this.answeredAs = operationId;
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
    this.answeredAs = null;
  }
}

export class FlowsState {
  grant: Grant = $state("code");
  mode: FlowMode = $state("profile");
  profiles: Profile[] = $state.raw([]);
  profilesLoaded = $state(false);
  profilesError: IpcError | null = $state.raw(null);
  /** The chosen profile's name. */
  profile = $state("");
  issuer = $state("");
  clientId = $state("");
  scopes = $state(DEFAULT_SCOPES);
  /** Client credentials for an issuer: the secret, write-only, cleared once sent. */
  clientSecret = $state("");
  /** Client credentials: the method for this call only, or "" (the profile's, else the metadata's). */
  authMethod: "" | Exclude<ClientAuthMethod, "none"> = $state("");
  openBrowser = $state(true);
  /** Whether the keychain, which a profile flow needs, is usable (null: not asked yet). */
  vault: VaultStatus | null = $state.raw(null);
  vaultChecking = $state(false);

  readonly flow: Call<FlowResult>;
  readonly refreshCall: Call<FlowResult>;
  readonly userinfoCall: Call<UserinfoReply>;
  readonly revokeCall: Call<RevocationResult>;
  readonly introspectCall: Call<IntrospectionResult>;
  readonly apiCall: Call<ApiCallResult>;
  /** What the shown flow was started with. */
  target: FlowTarget | null = $state.raw(null);
  /** The grant the shown flow ran. */
  ranGrant: Grant = $state("code");

  /** Call API's request; the access token is the flow's newest. */
  apiUrl = $state("");
  apiMethod = $state("GET");
  apiBody = $state("");

  /** The calls made on the shown flow, in the order they last ran: the diagram follows them. */
  followUps: readonly Call<unknown>[] = $state.raw([]);

  /** Export: the text of the last export (shown read-only with Copy), or why it failed. */
  exportReveal = $state(false);
  exportText: string | null = $state(null);
  exportFormat: ExportFormat | null = $state(null);
  exportError: IpcError | null = $state.raw(null);

  #deps: FlowsDeps;

  constructor(deps: Partial<FlowsDeps> = {}) {
    this.#deps = { ...IPC_DEPS, ...deps };
    this.flow = new Call("flow", this.#deps.cancel);
    this.refreshCall = new Call("flow-refresh", this.#deps.cancel);
    this.userinfoCall = new Call("flow-userinfo", this.#deps.cancel);
    this.revokeCall = new Call("flow-revoke", this.#deps.cancel);
    this.introspectCall = new Call("flow-introspect", this.#deps.cancel);
    this.apiCall = new Call("flow-api", this.#deps.cancel);
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
      const chosen = this.profiles.find((p) => p.name === this.profile);
      if (this.grant === "client_credentials" && chosen?.client_auth === "none") {
        return "Client credentials need a confidential client: this profile has no client secret.";
      }
      return null;
    }
    if (this.issuer.trim() === "") return "Enter the issuer.";
    if (this.grant === "client_credentials") {
      if (this.clientId.trim() === "") return "Enter the client id (a confidential client).";
      if (this.clientSecret === "") return "Enter the client secret.";
      return null;
    }
    if (this.clientId.trim() === "") return "Enter the client id (a public client: PKCE, no secret).";
    return null;
  }

  get awaitingDevice(): boolean {
    return awaitingDevice(this.flow.timeline);
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
    return (
      this.target?.profile != null &&
      this.flow.result !== null &&
      !this.refreshCall.pending &&
      this.ranGrant !== "client_credentials" &&
      !this.refreshRevoked
    );
  }

  /** The flow the app keeps for Revoke, Introspect and Export: the shown flow's operation. */
  get flowId(): string | null {
    return this.flow.result !== null || this.flow.error !== null ? this.flow.answeredAs : null;
  }

  /** The profile's refresh token was revoked here (its keychain entry went with it). */
  get refreshRevoked(): boolean {
    return this.revokeCall.result?.token_type_hint === "refresh_token";
  }

  /** A refresh token to revoke: a profile flow that stored one, not revoked yet. */
  get canRevokeRefresh(): boolean {
    return this.target?.profile != null && this.tokens?.refresh_token_stored === true && !this.revokeCall.pending && !this.refreshRevoked;
  }

  get canCallUserinfo(): boolean {
    return this.target !== null && this.tokens !== null && !this.userinfoCall.pending;
  }

  /** Starts the chosen grant (cancelling a flow still running). */
  async start(): Promise<void> {
    if (this.problem !== null) return;
    if (this.grant === "client_credentials") return this.#startClientCredentials();
    if (this.grant === "device") return this.#startDevice();
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
    this.#begin("code");
    await this.flow.run(
      (id, onEvent) => this.#deps.start(request, id, onEvent),
      (r) => r.steps,
    );
    await this.#noteVault(this.flow.error);
  }

  async #startClientCredentials(): Promise<void> {
    const common = { auth_method: this.authMethod === "" ? null : this.authMethod, scopes: splitScopes(this.scopes) };
    const request: ClientCredentialsRequest =
      this.mode === "profile"
        ? { profile: this.profile, issuer: null, client_id: null, client_secret: null, ...common, scopes: null }
        : { profile: null, issuer: this.issuer.trim(), client_id: this.clientId.trim(), client_secret: this.clientSecret, ...common };
    // Write-only: the secret is in Rust now (kept with the flow for Revoke and Introspect).
    this.clientSecret = "";
    this.#begin("client_credentials");
    await this.flow.run(
      (id, onEvent) => this.#deps.clientCredentials(request, id, onEvent),
      (r) => r.steps,
    );
    await this.#noteVault(this.flow.error);
  }

  async #startDevice(): Promise<void> {
    const request: DeviceFlowRequest =
      this.mode === "profile"
        ? { profile: this.profile, issuer: null, client_id: null, scopes: null }
        : { profile: null, issuer: this.issuer.trim(), client_id: this.clientId.trim(), scopes: splitScopes(this.scopes) };
    this.#begin("device");
    await this.flow.run(
      (id, onEvent) => this.#deps.device(request, id, onEvent),
      (r) => r.steps,
    );
    await this.#noteVault(this.flow.error);
  }

  /** A new flow: its target, and the calls on the previous one forgotten. */
  #begin(grant: Grant): void {
    const chosen = this.profiles.find((p) => p.name === this.profile);
    this.target =
      this.mode === "profile"
        ? { profile: this.profile, issuer: chosen?.issuer ?? null }
        : { profile: null, issuer: this.issuer.trim(), clientId: this.clientId.trim() };
    this.ranGrant = grant;
    for (const call of [this.refreshCall, this.userinfoCall, this.revokeCall, this.introspectCall, this.apiCall]) call.clear();
    this.followUps = [];
    this.exportText = null;
    this.exportFormat = null;
    this.exportError = null;
  }

  /** Revokes the newest access token, or the profile's stored refresh token (RFC 7009). */
  async revoke(token: TokenKind): Promise<void> {
    const flow = this.flowId;
    const tokens = this.tokens;
    if (flow === null || tokens === null) return;
    const request: RevokeRequest = {
      flow,
      profile: null,
      token,
      access_token: token === "access_token" ? tokens.access_token : null,
    };
    this.#follow(this.revokeCall);
    await this.revokeCall.run(
      (id) => this.#deps.revoke(request, id),
      (r) => r.steps,
    );
    await this.#noteVault(this.revokeCall.error);
  }

  /** Introspects the newest access token with the flow's client (RFC 7662). */
  async introspect(): Promise<void> {
    const flow = this.flowId;
    const tokens = this.tokens;
    if (flow === null || tokens === null) return;
    const request: IntrospectRequest = { flow, profile: null, token: tokens.access_token, token_type_hint: "access_token" };
    this.#follow(this.introspectCall);
    await this.introspectCall.run(
      (id) => this.#deps.introspect(request, id),
      (r) => r.steps,
    );
    await this.#noteVault(this.introspectCall.error);
  }

  /** Why Call API cannot run, or null. */
  get apiProblem(): string | null {
    if (this.tokens === null) return "Run a flow first: the call sends its access token.";
    if (!/^https?:\/\//i.test(this.apiUrl.trim())) return "Enter the API's URL (https, or http on this machine).";
    return null;
  }

  /** Calls the API with the newest access token as a Bearer credential (RFC 6750 §2.1). */
  async callApi(): Promise<void> {
    const tokens = this.tokens;
    if (tokens === null || this.apiProblem !== null) return;
    const body = this.apiBody.trim() === "" ? null : this.apiBody;
    const request: ApiCallRequest = { url: this.apiUrl.trim(), method: this.apiMethod, body, access_token: tokens.access_token };
    this.#follow(this.apiCall);
    await this.apiCall.run(
      (id) => this.#deps.callApi(request, id),
      (r) => r.steps,
    );
  }

  /** The shown flow as Markdown or JSON, redacted unless "reveal tokens" is ticked. */
  async exportAs(format: ExportFormat): Promise<void> {
    const flow = this.flowId;
    if (flow === null) return;
    this.exportError = null;
    try {
      this.exportText = await this.#deps.exportFlow(flow, format, this.exportReveal);
      this.exportFormat = format;
    } catch (e) {
      this.exportText = null;
      this.exportFormat = null;
      this.exportError = toIpcError(e);
    }
  }

  /** Forgets the export's text (it may hold revealed tokens). */
  closeExport(): void {
    this.exportText = null;
    this.exportFormat = null;
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
    this.#follow(this.refreshCall);
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
    this.#follow(this.userinfoCall);
    await this.userinfoCall.run(
      (id) => this.#deps.userinfo(request, id),
      (reply) => reply.steps,
    );
  }

  cancelUserinfo(): void {
    this.userinfoCall.cancel();
  }

  /** Every step for the sequence diagram: the flow's, then each follow-up call's as they ran. */
  get diagramSteps(): Step[] {
    return [...this.flow.timeline.steps, ...this.followUps.flatMap((c) => c.timeline.steps)];
  }

  /** The live timeline for the diagram's "under way" arrows: the flow's, until a follow-up ran. */
  get diagramLive(): Timeline | null {
    return this.followUps.length === 0 ? this.flow.timeline : null;
  }

  /** `call` runs now: it moves to the end of the diagram. */
  #follow(call: Call<unknown>): void {
    this.followUps = [...this.followUps.filter((c) => c !== call), call];
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
  shared?.revokeCall.clear();
  shared?.introspectCall.clear();
  shared?.apiCall.clear();
  shared = state;
}

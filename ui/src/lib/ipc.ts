// The only module that talks to the Rust side. Every command gets a typed wrapper here, and every
// rejection comes out as an `IpcError` so views can branch on `code`, never on message text.
import { Channel, invoke } from "@tauri-apps/api/core";

import type { Change } from "./bindings/Change";
import type { ClaimHelpers } from "./bindings/ClaimHelpers";
import type { EncodedToken } from "./bindings/EncodedToken";
import type { EncodeRequest } from "./bindings/EncodeRequest";
import type { GeneratedKey } from "./bindings/GeneratedKey";
import type { JsonProblem } from "./bindings/JsonProblem";
import type { KeySpec } from "./bindings/KeySpec";
import type { PrivateKeyFormat } from "./bindings/PrivateKeyFormat";
import type { DecodedToken } from "./bindings/DecodedToken";
import type { DiscoverRequest } from "./bindings/DiscoverRequest";
import type { DiscoveryReport } from "./bindings/DiscoveryReport";
import type { ErrorLocation } from "./bindings/ErrorLocation";
import type { Exchange } from "./bindings/Exchange";
import type { IpcError } from "./bindings/IpcError";
import type { JsonValue } from "./bindings/serde_json/JsonValue";
import type { TokenComparison } from "./bindings/TokenComparison";
import type { VerifyRequest } from "./bindings/VerifyRequest";
import type { VerifyResponse } from "./bindings/VerifyResponse";
import type { PracticeLesson } from "./bindings/PracticeLesson";
import type { PracticeStartRequest } from "./bindings/PracticeStartRequest";
import type { PracticeStatus } from "./bindings/PracticeStatus";
import type { ImportConflict } from "./bindings/ImportConflict";
import type { ImportReport } from "./bindings/ImportReport";
import type { Profile } from "./bindings/Profile";
import type { ProfileList } from "./bindings/ProfileList";
import type { RemovedProfile } from "./bindings/RemovedProfile";
import type { SavedProfile } from "./bindings/SavedProfile";
import type { SaveProfileRequest } from "./bindings/SaveProfileRequest";
import type { SecretKind } from "./bindings/SecretKind";
import type { VaultEntry } from "./bindings/VaultEntry";
import type { VaultStatus } from "./bindings/VaultStatus";
import type { CodeFlowRequest } from "./bindings/CodeFlowRequest";
import type { FlowEvent } from "./bindings/FlowEvent";
import type { FlowFailureReply } from "./bindings/FlowFailureReply";
import type { FlowResult } from "./bindings/FlowResult";
import type { OAuthError } from "./bindings/OAuthError";
import type { PreviousTokensRequest } from "./bindings/PreviousTokensRequest";
import type { Step } from "./bindings/Step";
import type { UserinfoReply } from "./bindings/UserinfoReply";
import type { ApiCallRequest } from "./bindings/ApiCallRequest";
import type { ApiCallResult } from "./bindings/ApiCallResult";
import type { ClientCredentialsRequest } from "./bindings/ClientCredentialsRequest";
import type { DeviceFlowRequest } from "./bindings/DeviceFlowRequest";
import type { ExportFormat } from "./bindings/ExportFormat";
import type { IntrospectionResult } from "./bindings/IntrospectionResult";
import type { IntrospectRequest } from "./bindings/IntrospectRequest";
import type { RevocationResult } from "./bindings/RevocationResult";
import type { RevokeRequest } from "./bindings/RevokeRequest";
import type { UserinfoRequest } from "./bindings/UserinfoRequest";

export type { IpcError, FlowFailureReply };

/** Decodes a pasted token without verifying it; Rust strips quotes, `Bearer ` and whitespace. */
export async function decodeToken(token: string): Promise<DecodedToken> {
  return call<DecodedToken>("decode_token", { token });
}

/** The code a network command rejects with once `cancelOperation` stopped it: not a fault. */
export const CANCELLED = "operation.cancelled";

let operationCount = 0;

/** A fresh id for one network call, to pass to its command and, to stop it, to `cancelOperation`. */
export function newOperationId(prefix: string): string {
  operationCount += 1;
  return `${prefix}-${String(operationCount)}`;
}

/** True for the rejection of a call stopped by `cancelOperation`: show it quietly, not as an error. */
export function isCancelled(error: IpcError | null): boolean {
  return error?.code === CANCELLED;
}

/**
 * Verifies a token against a key source, as network operation `operationId` when the keys are
 * fetched; the reply carries the HTTP exchanges made for keys.
 */
export async function verifyToken(request: VerifyRequest, operationId: string): Promise<VerifyResponse> {
  return call<VerifyResponse>("verify_token", { request, operationId });
}

/** Compares token A with token B (neither verified); an error's `input` says which is bad. */
export async function diffTokenPair(a: string, b: string): Promise<TokenComparison> {
  return call<TokenComparison>("diff_token_pair", { a, b });
}

/** Fetches, explains and lints an issuer's metadata and JWKS, as network operation `operationId`. */
export async function discoverIssuer(request: DiscoverRequest, operationId: string): Promise<DiscoveryReport> {
  return call<DiscoveryReport>("discover_issuer", { request, operationId });
}

/** (Re)starts the built-in practice issuer on 127.0.0.1, staging `lesson` if given (issue 14). */
export async function practiceStart(request: PracticeStartRequest): Promise<PracticeStatus> {
  return call<PracticeStatus>("practice_start", { request });
}

/** Stops the practice issuer; true if one was running. */
export async function practiceStop(): Promise<boolean> {
  return call<boolean>("practice_stop", {});
}

/** The running practice issuer, or null. */
export async function practiceStatus(): Promise<PracticeStatus | null> {
  return call<PracticeStatus | null>("practice_status", {});
}

/** The practice issuer's lessons: each one's explanation and the checks it makes fail. */
export async function practiceLessons(): Promise<PracticeLesson[]> {
  return call<PracticeLesson[]>("practice_lessons", {});
}

/**
 * Stops network operation `operationId`: its command rejects at once with code `CANCELLED` and the
 * exchanges made so far. Stopping one that has finished does nothing.
 */
export async function cancelOperation(operationId: string): Promise<void> {
  await call<null>("cancel_operation", { operationId });
}

/** The structural differences between two metadata documents. */
export async function compareMetadata(before: JsonValue, after: JsonValue): Promise<Change[]> {
  return call<Change[]>("compare_metadata", { before, after });
}

/** Builds and signs a token; a JSON error's `input` names the editor ("header" or "payload"). */
export async function encodeToken(request: EncodeRequest): Promise<EncodedToken> {
  return call<EncodedToken>("encode_token", { request });
}

/** Checks header or payload JSON text as it is typed: null when usable, else where it breaks. */
export async function validateJson(text: string, part: "header" | "payload"): Promise<JsonProblem | null> {
  return call<JsonProblem | null>("validate_json", { text, part });
}

/** Writes standard claims (times on the Rust clock, a random jti) into payload text. */
export async function applyPayloadHelpers(payload: string, helpers: ClaimHelpers): Promise<string> {
  return call<string>("apply_payload_helpers", { payload, helpers });
}

/** Generates a key pair; the private half stays in Rust behind the returned handle. */
export async function generateKey(spec: KeySpec, alg: string | null): Promise<GeneratedKey> {
  return call<GeneratedKey>("generate_key", { spec, alg });
}

/** Reveals a generated private key. Call only from an explicit, clearly labelled user action. */
export async function exportPrivateKey(handle: string, format: PrivateKeyFormat): Promise<string> {
  return call<string>("export_private_key", { handle, format });
}

/** Every provider profile, sorted by name, and the file they are kept in. */
export async function listProfiles(): Promise<ProfileList> {
  return call<ProfileList>("list_profiles", {});
}

export async function getProfile(name: string): Promise<Profile> {
  return call<Profile>("get_profile", { name });
}

/**
 * Creates (`create: true`) or edits a profile. A client secret goes straight to the OS keychain
 * and is never sent back; with one, nothing is saved unless the keychain took it.
 */
export async function saveProfile(request: SaveProfileRequest): Promise<SavedProfile> {
  return call<SavedProfile>("save_profile", { request });
}

/** Copies a profile's settings (never its secrets) under a new name. */
export async function duplicateProfile(name: string, newName: string): Promise<Profile> {
  return call<Profile>("duplicate_profile", { name, newName });
}

/** Removes a profile and its keychain entries; without a keychain it stays (`vault.unavailable`). */
export async function removeProfile(name: string): Promise<RemovedProfile> {
  return call<RemovedProfile>("remove_profile", { name });
}

/** The named profiles (all when empty) as export text: the profile file's shape, no secrets. */
export async function exportProfiles(names: string[]): Promise<string> {
  return call<string>("export_profiles", { names });
}

/** Imports export text; `conflict` says what happens to profiles whose name exists already. */
export async function importProfiles(text: string, conflict: ImportConflict): Promise<ImportReport> {
  return call<ImportReport>("import_profiles", { text, conflict });
}

/** The code of every error that means "no usable OS keychain" (the Vault view's banner). */
export const VAULT_UNAVAILABLE = "vault.unavailable";

/** Whether the OS keychain is usable, and if not why; `retry` opens it again first. */
export async function vaultStatus(retry: boolean): Promise<VaultStatus> {
  return call<VaultStatus>("vault_status", { retry });
}

/** What is stored in the keychain: metadata only, never a value. */
export async function vaultList(): Promise<VaultEntry[]> {
  return call<VaultEntry[]>("vault_list", {});
}

/** One stored value. Call only from the Reveal button: it is the one way a value leaves Rust. */
export async function vaultReveal(profile: string, kind: SecretKind): Promise<string> {
  return call<string>("vault_reveal", { profile, kind });
}

/** Deletes one keychain entry; false when there was none. */
export async function vaultDelete(profile: string, kind: SecretKind): Promise<boolean> {
  return call<boolean>("vault_delete", { profile, kind });
}

/** Deletes every Tokenscope keychain entry ("Forget all"); returns what it deleted. */
export async function vaultForgetAll(): Promise<VaultEntry[]> {
  return call<VaultEntry[]>("vault_forget_all", {});
}

/**
 * Runs the authorization code flow with PKCE as network operation `operationId`. `onEvent` hears
 * of the authorization URL once the loopback listener is bound, then of each step as it ends.
 * Rejects with a `FlowFailureReply`: the code, the steps made, the provider's OAuth error.
 */
export async function startCodeFlow(
  request: CodeFlowRequest,
  operationId: string,
  onEvent: (event: FlowEvent) => void,
): Promise<FlowResult> {
  const channel = new Channel<FlowEvent>(onEvent);
  return callFlow<FlowResult>("start_code_flow", { request, operationId, onEvent: channel });
}

/** Refreshes a profile's tokens with its stored refresh token; the new ones are diffed with `previous`. */
export async function refreshFlow(
  profile: string,
  previous: PreviousTokensRequest,
  operationId: string,
  onEvent: (event: FlowEvent) => void,
): Promise<FlowResult> {
  const channel = new Channel<FlowEvent>(onEvent);
  return callFlow<FlowResult>("refresh_flow", { profile, previous, operationId, onEvent: channel });
}

/** Calls userinfo with a finished flow's access token; its `sub` is compared with `expected_sub`. */
export async function flowUserinfo(request: UserinfoRequest, operationId: string): Promise<UserinfoReply> {
  return callFlow<UserinfoReply>("flow_userinfo", { request, operationId });
}

/**
 * Client credentials (RFC 6749 §4.4) as network operation `operationId`; each step reaches
 * `onEvent` as it ends. The client secret goes to Rust and is never sent back.
 */
export async function startClientCredentials(
  request: ClientCredentialsRequest,
  operationId: string,
  onEvent: (event: FlowEvent) => void,
): Promise<FlowResult> {
  const channel = new Channel<FlowEvent>(onEvent);
  return callFlow<FlowResult>("start_client_credentials", { request, operationId, onEvent: channel });
}

/**
 * The device authorization grant (RFC 8628) as network operation `operationId`: `onEvent` hears
 * of the user code (`device_prompt`) as soon as the provider gives it, then of each step.
 */
export async function startDeviceFlow(
  request: DeviceFlowRequest,
  operationId: string,
  onEvent: (event: FlowEvent) => void,
): Promise<FlowResult> {
  const channel = new Channel<FlowEvent>(onEvent);
  return callFlow<FlowResult>("start_device_flow", { request, operationId, onEvent: channel });
}

/** Revokes a finished flow's access token, or its profile's stored refresh token (RFC 7009). */
export async function revokeToken(request: RevokeRequest, operationId: string): Promise<RevocationResult> {
  return callFlow<RevocationResult>("revoke_token", { request, operationId });
}

/** Introspects a token with a finished flow's client (RFC 7662), each member explained. */
export async function introspectToken(request: IntrospectRequest, operationId: string): Promise<IntrospectionResult> {
  return callFlow<IntrospectionResult>("introspect_token", { request, operationId });
}

/** Calls an API with the access token as a Bearer credential; a 4xx is a result, explained. */
export async function callApi(request: ApiCallRequest, operationId: string): Promise<ApiCallResult> {
  return callFlow<ApiCallResult>("call_api", { request, operationId });
}

/** A flow the app keeps (by its operation id) as Markdown or JSON, redacted unless `revealTokens`. */
export async function exportFlow(flow: string, format: ExportFormat, revealTokens: boolean): Promise<string> {
  return call<string>("export_flow", { flow, format, revealTokens });
}

async function callFlow<T>(command: string, args: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw toFlowFailure(e);
  }
}

/** Turns what a flow command rejected with into a `FlowFailureReply` (an `IpcError` and more). */
export function toFlowFailure(e: unknown): FlowFailureReply {
  const error = toIpcError(e);
  const steps = isRecord(e) && Array.isArray(e.steps) ? (e.steps as Step[]) : [];
  const oauth = isRecord(e) && isRecord(e.oauth_error) ? (e.oauth_error as OAuthError) : null;
  const deleted = isRecord(e) && e.refresh_token_deleted === true;
  return { ...error, steps, oauth_error: oauth, refresh_token_deleted: deleted };
}

async function call<T>(command: string, args: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    // Rejecting with a non-Error is the IPC contract: the payload is an `IpcError`.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw toIpcError(e);
  }
}

/** Turns whatever a command rejected with into an `IpcError`. */
export function toIpcError(e: unknown): IpcError {
  if (isRecord(e) && typeof e.code === "string" && typeof e.message === "string") {
    const error: IpcError = {
      code: e.code,
      message: e.message,
      details: toLocation(e.details),
      exchanges: Array.isArray(e.exchanges) ? (e.exchanges as Exchange[]) : [],
    };
    if (typeof e.input === "string") error.input = e.input;
    if (typeof e.token === "string") error.token = e.token;
    return error;
  }
  return { code: "ipc.unexpected", message: describe(e), details: null, exchanges: [] };
}

export function isIpcError(e: unknown): e is IpcError {
  return isRecord(e) && typeof e.code === "string" && typeof e.message === "string";
}

function toLocation(d: unknown): ErrorLocation | null {
  if (!isRecord(d)) return null;
  return {
    segment: typeof d.segment === "string" ? (d.segment as ErrorLocation["segment"]) : null,
    position: typeof d.position === "number" ? d.position : null,
    offset: typeof d.offset === "number" ? d.offset : null,
  };
}

function describe(e: unknown): string {
  // String() of a plain object says only "[object Object]"; its JSON says what came back.
  if (isRecord(e) && !(e instanceof Error)) {
    try {
      return JSON.stringify(e);
    } catch {
      // Cyclic or otherwise unserialisable: fall through.
    }
  }
  return String(e);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null;
}

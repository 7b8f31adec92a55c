import type { Channel } from "@tauri-apps/api/core";
import { mockIPC } from "@tauri-apps/api/mocks";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, beforeEach, expect, test } from "vitest";

import type { CodeFlowRequest } from "../../bindings/CodeFlowRequest";
import type { FlowEvent } from "../../bindings/FlowEvent";
import type { FlowFailureReply } from "../../bindings/FlowFailureReply";
import type { FlowResult } from "../../bindings/FlowResult";
import type { Profile } from "../../bindings/Profile";
import type { Step } from "../../bindings/Step";
import type { StepName } from "../../bindings/StepName";
import type { VaultStatus } from "../../bindings/VaultStatus";
import { session } from "../../session.svelte";
import Flows from "./Flows.svelte";
import { resetFlowsState } from "./flows.svelte";

const ISSUER = "http://127.0.0.1:9000";
// Three segments: a JWT as far as the buttons care (the core decodes, never this view).
const ACCESS = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.YWNjZXNz";
const ID_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSIsIm5vbmNlIjoibiJ9.aWQ";
const AUTH_URL = `${ISSUER}/auth?response_type=code&client_id=tokenscope-native&state=s1`;

function profile(name: string): Profile {
  return {
    name,
    issuer: ISSUER,
    endpoints: { authorization: null, token: null, userinfo: null, revocation: null, introspection: null, device: null, jwks: null },
    client_id: "tokenscope-native",
    client_auth: "none",
    scopes: ["openid", "profile", "offline_access"],
    extra_authorization_params: {},
    redirect: { host: "127.0.0.1", port: null, path: "/callback" },
    pkce: "S256",
  };
}

function step(name: StepName, status: Step["status"] = "ok"): Step {
  return {
    name,
    status,
    explanation: `The ${name} step, explained.`,
    spec: "RFC 6749 §4.1",
    request: {
      method: name === "token" ? "POST" : "GET",
      url: `${ISSUER}/${name}`,
      headers: [{ name: "accept", value: "application/json" }],
      params: name === "token" ? [{ name: "code", value: "[redacted]", redacted: true, meaning: "The code.", spec: "RFC 6749 §4.1.3" }] : [],
    },
    response: { status: 200, headers: [], body: { access_token: "[redacted]", token_type: "Bearer" } },
    exchanges: [],
    error: status === "failed" ? `the ${name} step failed` : null,
    notes: name === "authorization" ? ["the response's iss is the issuer (RFC 9207)"] : [],
    duration_ms: 42,
  };
}

const URL_EVENT: FlowEvent = {
  event: "authorization_url",
  url: AUTH_URL,
  params: [
    { name: "response_type", value: "code", redacted: false, meaning: "Asks for an authorization code.", spec: "RFC 6749 §4.1.1" },
    { name: "code_challenge_method", value: "S256", redacted: false, meaning: "How the challenge was derived.", spec: "RFC 7636 §4.3" },
  ],
  redirect_uri: "http://127.0.0.1:53123/callback",
};

const FLOW_STEPS: StepName[] = ["discovery", "authorization", "token", "jwks", "userinfo"];

function result(overrides: Partial<FlowResult> = {}): FlowResult {
  return {
    tokens: {
      access_token: ACCESS,
      token_type: "Bearer",
      expires_in: 3600,
      scope: "openid profile offline_access",
      id_token: ID_TOKEN,
      refresh_token_stored: true,
      refresh_token_fingerprint: "fp-old",
    },
    id_token_checks: [
      { name: "signature", status: "pass", message: "RS256 signature verified", spec: "RFC 7515" },
      { name: "nonce", status: "pass", message: "nonce matches", spec: "OIDC Core §3.1.3.7" },
    ],
    userinfo: { sub: "alice", name: "Alice" },
    steps: FLOW_STEPS.map((n) => step(n)),
    ...overrides,
  };
}

type Pending<T> = { resolve: (v: T) => void; reject: (e: unknown) => void };

/** The mocked Rust side: the commands the view calls, with flows answered when the test says. */
const AVAILABLE: VaultStatus = { state: "available" };

/** The one item a list must have by now. */
function only<T>(list: T[]): T {
  const [item] = list;
  if (list.length !== 1 || item === undefined) throw new Error(`expected one item, got ${list.length}`);
  return item;
}

function mockApp({ profiles = [profile("dev")], vault = AVAILABLE } = {}) {
  const calls: { cmd: string; args: Record<string, unknown> }[] = [];
  const flows: (Pending<FlowResult> & { send: (e: FlowEvent) => void; request: CodeFlowRequest })[] = [];
  const refreshes: (Pending<FlowResult> & { args: Record<string, unknown> })[] = [];
  mockIPC((cmd, raw) => {
    const args = (raw ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    switch (cmd) {
      case "list_profiles":
        return { file: "/tmp/profiles.json", profiles };
      case "vault_status":
        return vault;
      case "cancel_operation":
        return null;
      case "decode_token":
        return { payload: { sub: "alice" } };
      case "flow_userinfo":
        return { steps: [step("userinfo")], claims: { sub: "alice", email: "alice@example.com" } };
      case "start_code_flow":
        return new Promise((resolve, reject) => {
          const channel = args.onEvent as Channel<FlowEvent>;
          flows.push({ resolve, reject, send: (e) => { channel.onmessage(e); }, request: args.request as CodeFlowRequest });
        });
      case "refresh_flow":
        return new Promise((resolve, reject) => refreshes.push({ resolve, reject, args }));
      default:
        throw new Error(`unexpected command ${cmd}`);
    }
  });
  return { calls, flows, refreshes };
}

/** Renders Flows, starts the profile flow and plays its events up to the redirect. */
async function startFlow(app: ReturnType<typeof mockApp>) {
  render(Flows);
  await waitFor(() => {
    expect(screen.getByTestId("flows-start")).toBeEnabled();
  });
  await fireEvent.click(screen.getByTestId("flows-start"));
  await waitFor(() => {
    expect(app.flows).toHaveLength(1);
  });
  const flow = only(app.flows);
  flow.send({ event: "step", step: step("discovery") });
  flow.send(URL_EVENT);
  return flow;
}

beforeEach(() => {
  resetFlowsState();
});
afterEach(() => {
  resetFlowsState();
});

test("a profile flow shows the explained URL at once, the live timeline, then tokens, checks and userinfo", async () => {
  const app = mockApp();
  const flow = await startFlow(app);
  expect(flow.request).toEqual({ profile: "dev", issuer: null, client_id: null, scopes: null, open_browser: true });

  expect(await screen.findByTestId("flows-authorization-url")).toHaveTextContent(AUTH_URL);
  expect(screen.getByTestId("flows-redirect-uri")).toHaveTextContent("http://127.0.0.1:53123/callback");
  const method = screen.getByTestId("flows-param-code_challenge_method");
  for (const text of ["S256", "How the challenge was derived.", "RFC 7636 §4.3"]) expect(method).toHaveTextContent(text);
  expect(screen.getByTestId("flows-pending")).toHaveTextContent("Waiting for the redirect from the browser");
  expect(screen.getByTestId("flows-step-discovery-status")).toHaveTextContent("ok");
  expect(screen.queryByTestId("flows-step-authorization")).toBeNull();

  flow.send({ event: "browser_opened" });
  flow.send({ event: "step", step: step("authorization") });
  await waitFor(() => {
    expect(screen.getByTestId("flows-step-authorization")).toHaveTextContent("the response's iss is the issuer");
  });
  expect(screen.getByTestId("flows-browser-status")).toHaveTextContent("The system browser was asked to open it.");
  expect(screen.getByTestId("flows-pending")).toHaveTextContent("Running the flow");

  flow.resolve(result());
  await screen.findByTestId("flows-tokens");
  const cards = within(screen.getByTestId("flows-timeline")).getAllByRole("listitem").filter((li) => li.dataset.testid?.startsWith("flows-step-"));
  expect(cards.map((c) => c.dataset.testid)).toEqual(FLOW_STEPS.map((n) => `flows-step-${n}`));
  const token = screen.getByTestId("flows-step-token");
  expect(token).toHaveTextContent("42 ms");
  expect(token).toHaveTextContent("POST");
  expect(within(token).getByTestId("flows-step-token-param-code")).toHaveTextContent("[redacted]");

  expect(screen.getByTestId("flows-access-token-masked")).toBeInTheDocument();
  expect(document.body.textContent).not.toContain(ACCESS);
  await fireEvent.click(screen.getByTestId("flows-access-token-reveal"));
  expect(screen.getByTestId("flows-access-token-value")).toHaveTextContent(ACCESS);
  expect(screen.getByTestId("flows-refresh-stored")).toHaveTextContent("Refresh token stored in the OS keychain");
  expect(screen.getByTestId("flows-refresh-token")).toHaveTextContent("dev/refresh_token");
  expect(screen.getByTestId("check-status-signature")).toHaveTextContent("pass");
  expect(screen.getByTestId("flows-claims")).toHaveTextContent("Alice");
  expect(screen.queryByTestId("flows-pending")).toBeNull();
});

test("Cancel during the wait for the redirect shows cancelled, not an error", async () => {
  const app = mockApp();
  const flow = await startFlow(app);
  await screen.findByTestId("flows-authorization-url");
  await fireEvent.click(screen.getByTestId("flows-cancel"));
  const cancel = app.calls.find((c) => c.cmd === "cancel_operation");
  expect(cancel?.args.operationId).toMatch(/^flow-\d+$/);
  const cancelled: FlowFailureReply = {
    code: "operation.cancelled",
    message: "cancelled",
    details: null,
    exchanges: [],
    steps: [],
    oauth_error: null,
    refresh_token_deleted: false,
  };
  flow.reject(cancelled);
  await screen.findByTestId("flows-cancelled");
  expect(screen.queryByTestId("flows-error")).toBeNull();
  // What happened before the cancel stays on screen.
  expect(screen.getByTestId("flows-step-discovery")).toBeInTheDocument();
  expect(screen.getByTestId("flows-start")).toBeEnabled();
});

test("an access_denied redirect shows the provider's error, its hint and the timeline of the failed flow", async () => {
  const app = mockApp();
  const flow = await startFlow(app);
  flow.reject({
    code: "oauth.error_response",
    message: "the authorization server answered access_denied",
    details: null,
    exchanges: [],
    steps: [step("discovery"), step("authorization", "failed")],
    oauth_error: { error: "access_denied", error_description: "End-User aborted interaction", error_uri: null, hint: "The user refused consent." },
    refresh_token_deleted: false,
  });
  const oauth = await screen.findByTestId("flows-oauth-error");
  expect(oauth).toHaveTextContent("access_denied");
  expect(oauth).toHaveTextContent("End-User aborted interaction");
  expect(screen.getByTestId("flows-oauth-hint")).toHaveTextContent("The user refused consent.");
  expect(screen.getByTestId("flows-error")).toHaveTextContent("oauth.error_response");
  expect(screen.getByTestId("flows-step-authorization-status")).toHaveTextContent("failed");
  expect(screen.getByTestId("flows-step-authorization-error")).toHaveTextContent("the authorization step failed");
  expect(screen.queryByTestId("flows-tokens")).toBeNull();
});

test("Refresh sends the shown tokens, then shows the rotation and the diff summary", async () => {
  const app = mockApp();
  const flow = await startFlow(app);
  flow.resolve(result());
  await screen.findByTestId("flows-tokens");
  await fireEvent.click(screen.getByTestId("flows-refresh"));
  await waitFor(() => {
    expect(app.refreshes).toHaveLength(1);
  });
  const refresh = only(app.refreshes);
  expect(refresh.args.profile).toBe("dev");
  expect(refresh.args.previous).toEqual({ access_token: ACCESS, id_token: ID_TOKEN });
  refresh.resolve(
    result({
      tokens: { ...result().tokens, refresh_token_fingerprint: "fp-new" },
      steps: [step("discovery"), step("refresh"), step("jwks"), step("userinfo")],
      rotated: true,
      rotation: { previous_fingerprint: "fp-old", new_fingerprint: "fp-new" },
      changes: {
        access_token: {
          header: [],
          payload: [{ path: "/iat", change: "changed", before: 1, after: 2, delta_seconds: 1, delta_text: "+1 s", member: false, security: false }],
          signature_changed: true,
          lifetime: null,
          format_before: "jws",
          format_after: "jws",
          payload_compared: true,
          notes: [],
          summary: "1 claim changed, iat +1 s",
        },
        id_token: null,
      },
    }),
  );
  expect(await screen.findByTestId("flows-rotated")).toHaveTextContent("Rotated");
  expect(screen.getByTestId("flows-previous-fingerprint")).toHaveTextContent("fp-old");
  expect(screen.getByTestId("flows-new-fingerprint")).toHaveTextContent("fp-new");
  expect(screen.getByTestId("flows-access-diff-summary")).toHaveTextContent("1 claim changed, iat +1 s");
  expect(screen.getByTestId("flows-id-diff")).toHaveTextContent("not compared");
  expect(screen.getByTestId("flows-refresh-step-refresh-status")).toHaveTextContent("ok");
  expect(screen.getByTestId("flows-tokens")).toHaveTextContent("Tokens (refreshed)");
});

test("Userinfo calls with the newest access token and the ID token's sub", async () => {
  const app = mockApp();
  const flow = await startFlow(app);
  flow.resolve(result());
  await fireEvent.click(await screen.findByTestId("flows-userinfo-run"));
  await waitFor(() => {
    expect(screen.getByTestId("flows-claims")).toHaveTextContent("alice@example.com");
  });
  const call = app.calls.find((c) => c.cmd === "flow_userinfo");
  expect(call?.args.request).toEqual({ profile: "dev", issuer: null, client_id: null, access_token: ACCESS, expected_sub: "alice" });
  expect(screen.getByTestId("flows-userinfo-step-userinfo")).toBeInTheDocument();
});

test("tokens open in Inspect and in Verify with the issuer's keys", async () => {
  const app = mockApp();
  const flow = await startFlow(app);
  flow.resolve(result());
  await fireEvent.click(await screen.findByTestId("flows-id-token-verify"));
  expect(session.view).toBe("verify");
  expect(session.token).toBe(ID_TOKEN);
  expect(session.verifyKey).toEqual({ kind: "issuer", value: ISSUER });
  await fireEvent.click(screen.getByTestId("flows-access-token-inspect"));
  expect(session.view).toBe("inspect");
  expect(session.token).toBe(ACCESS);
  await fireEvent.click(screen.getByTestId("flows-access-token-diff"));
  expect(session.view).toBe("diff");
  expect(session.diffA).toBe(ACCESS);
});

test("without a keychain a banner says so for profile flows, Retry asks again, and a one-off flow is unaffected", async () => {
  const app = mockApp({
    vault: { state: "unavailable", code: "vault.unavailable", reason: "no_secret_service", message: "org.freedesktop.secrets is not provided" },
  });
  render(Flows);
  const banner = await screen.findByTestId("flows-vault-unavailable");
  expect(banner).toHaveTextContent("Start a keyring");
  expect(banner).toHaveTextContent("org.freedesktop.secrets");
  await fireEvent.click(screen.getByTestId("flows-vault-retry"));
  await waitFor(() => {
    expect(app.calls.filter((c) => c.cmd === "vault_status").map((c) => c.args.retry)).toEqual([false, true]);
  });
  await fireEvent.click(screen.getByTestId("flows-mode-issuer"));
  expect(screen.queryByTestId("flows-vault-unavailable")).toBeNull();
});

test("a one-off flow sends the typed issuer, client id and scopes, and cannot Refresh", async () => {
  const app = mockApp({ profiles: [] });
  render(Flows);
  await screen.findByTestId("flows-problem");
  await fireEvent.click(screen.getByTestId("flows-mode-issuer"));
  expect(screen.getByTestId("flows-start")).toBeDisabled();
  await fireEvent.input(screen.getByTestId("flows-issuer"), { target: { value: ` ${ISSUER} ` } });
  await fireEvent.input(screen.getByTestId("flows-client-id"), { target: { value: "tokenscope-native" } });
  await fireEvent.input(screen.getByTestId("flows-scopes"), { target: { value: "openid email" } });
  await fireEvent.click(screen.getByTestId("flows-open-browser"));
  await fireEvent.click(screen.getByTestId("flows-start"));
  await waitFor(() => {
    expect(app.flows).toHaveLength(1);
  });
  expect(only(app.flows).request).toEqual({
    profile: null,
    issuer: ISSUER,
    client_id: "tokenscope-native",
    scopes: ["openid", "email"],
    open_browser: false,
  });
  only(app.flows).resolve(result({ tokens: { ...result().tokens, refresh_token_stored: false } }));
  await screen.findByTestId("flows-tokens");
  expect(screen.getByTestId("flows-refresh")).toBeDisabled();
  expect(screen.getByTestId("flows-refresh-token")).toHaveTextContent("a one-off flow stores nothing");
});

test("Discover's hand-over opens a one-off flow with the issuer filled in", () => {
  mockApp();
  session.flowWithIssuer(ISSUER);
  expect(session.view).toBe("flows");
  render(Flows);
  expect(screen.getByTestId<HTMLInputElement>("flows-issuer").value).toBe(ISSUER);
  expect(screen.getByTestId("flows-mode-issuer")).toBeChecked();
  expect(session.flowIssuer).toBeNull();
});

test("the flow survives leaving the view: coming back shows it", async () => {
  const app = mockApp();
  const flow = await startFlow(app);
  flow.resolve(result());
  await screen.findByTestId("flows-tokens");
  document.body.innerHTML = "";
  render(Flows);
  expect(await screen.findByTestId("flows-tokens")).toBeInTheDocument();
  // Masked again: a token revealed before is hidden when the view comes back.
  expect(screen.getByTestId("flows-id-token-masked")).toBeInTheDocument();
});

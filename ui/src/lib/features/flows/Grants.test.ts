// The Flows view's issue 13 parts against a mocked Rust side: the grant picker (client credentials
// with its write-only secret, the device flow's code and QR code), Revoke, Introspect, Call API,
// Export and the sequence diagram.
import type { Channel } from "@tauri-apps/api/core";
import { mockIPC } from "@tauri-apps/api/mocks";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, beforeEach, expect, test } from "vitest";

import type { ApiCallResult } from "../../bindings/ApiCallResult";
import type { FlowEvent } from "../../bindings/FlowEvent";
import type { FlowResult } from "../../bindings/FlowResult";
import type { IntrospectionResult } from "../../bindings/IntrospectionResult";
import type { Step } from "../../bindings/Step";
import type { StepName } from "../../bindings/StepName";
import Flows from "./Flows.svelte";
import { resetFlowsState } from "./flows.svelte";

const ISSUER = "http://127.0.0.1:9000";
const ACCESS = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjbGllbnQifQ.YWNjZXNz";
const SECRET = "s3cret-value";

function step(name: StepName, status: Step["status"] = "ok"): Step {
  return {
    name,
    status,
    explanation: `The ${name} step.`,
    spec: "RFC 8628",
    request: { method: "POST", url: `${ISSUER}/${name}`, headers: [], params: [] },
    response: { status: status === "ok" ? 200 : 401, headers: [], body: null },
    exchanges: [],
    error: status === "failed" ? "refused" : null,
    notes: [],
    duration_ms: 5,
  };
}

function result(steps: StepName[]): FlowResult {
  return {
    tokens: { access_token: ACCESS, token_type: "Bearer", expires_in: 600, scope: "api:read", id_token: null, refresh_token_stored: false },
    id_token_checks: [],
    userinfo: null,
    steps: steps.map((n) => step(n)),
  };
}

type Flow = { cmd: string; request: Record<string, unknown>; operationId: string; send: (e: FlowEvent) => void; resolve: (r: FlowResult) => void };

function mockApp() {
  const calls: { cmd: string; args: Record<string, unknown> }[] = [];
  const flows: Flow[] = [];
  mockIPC((cmd, raw) => {
    const args = (raw ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    switch (cmd) {
      case "list_profiles":
        return { file: "/tmp/profiles.json", profiles: [] };
      case "vault_status":
        return { state: "available" };
      case "cancel_operation":
        return null;
      case "start_client_credentials":
      case "start_device_flow":
        return new Promise((resolve) => {
          const channel = args.onEvent as Channel<FlowEvent>;
          flows.push({
            cmd,
            request: args.request as Record<string, unknown>,
            operationId: args.operationId as string,
            send: (e) => { channel.onmessage(e); },
            resolve,
          });
        });
      case "introspect_token":
        return {
          active: true,
          members: [
            { name: "active", value: true, meaning: "Whether the token is currently usable.", rendered: null },
            { name: "exp", value: 1_900_000_000, meaning: "When the token expires (NumericDate).", rendered: "2030-03-17T17:46:40Z (in 3 years)" },
          ],
          steps: [step("introspection")],
        } satisfies IntrospectionResult;
      case "revoke_token":
        return { token_type_hint: "access_token", keychain_entry_deleted: false, steps: [step("revocation")] };
      case "call_api":
        return {
          status: 401,
          headers: [],
          body: { error: "invalid_token" },
          challenge: { realm: null, error: "invalid_token", error_description: "token revoked", scope: null },
          explanation: "401 invalid_token: the resource does not accept this token.",
          steps: [step("api_call", "failed")],
        } satisfies ApiCallResult;
      case "export_flow":
        return `# Tokenscope export\n\naccess token \`[sha256:0123456789abcdef]\`\n`;
      default:
        throw new Error(`unexpected command ${cmd}`);
    }
  });
  return { calls, flows };
}

async function oneOff(grant: string, clientId: string) {
  render(Flows);
  await fireEvent.click(screen.getByTestId(`flows-grant-${grant}`));
  await fireEvent.click(screen.getByTestId("flows-mode-issuer"));
  await fireEvent.input(screen.getByTestId("flows-issuer"), { target: { value: ISSUER } });
  await fireEvent.input(screen.getByTestId("flows-client-id"), { target: { value: clientId } });
}

beforeEach(() => {
  resetFlowsState();
});
afterEach(() => {
  resetFlowsState();
});

test("client credentials sends the typed secret once, clears the field and asks for a confidential client", async () => {
  const app = mockApp();
  await oneOff("client_credentials", "confidential");
  expect(screen.queryByTestId("flows-open-browser")).toBeNull();
  expect(screen.getByTestId("flows-start")).toBeDisabled();
  expect(screen.getByTestId("flows-problem")).toHaveTextContent("client secret");
  const secret = screen.getByTestId("flows-client-secret");
  expect(secret).toHaveAttribute("type", "password");
  await fireEvent.input(secret, { target: { value: SECRET } });
  await fireEvent.change(screen.getByTestId("flows-auth-method"), { target: { value: "client_secret_post" } });
  await fireEvent.input(screen.getByTestId("flows-scopes"), { target: { value: "api:read" } });
  await fireEvent.click(screen.getByTestId("flows-start"));
  await waitFor(() => {
    expect(app.flows).toHaveLength(1);
  });
  const [flow] = app.flows;
  expect(flow?.cmd).toBe("start_client_credentials");
  expect(flow?.request).toEqual({
    profile: null,
    issuer: ISSUER,
    client_id: "confidential",
    client_secret: SECRET,
    auth_method: "client_secret_post",
    scopes: ["api:read"],
  });
  expect(screen.getByTestId("flows-client-secret")).toHaveValue("");
  flow?.send({ event: "step", step: step("discovery") });
  flow?.resolve(result(["discovery", "token"]));
  await screen.findByTestId("flows-tokens");
  expect(screen.getByTestId("flows-refresh-token")).toHaveTextContent("never issue one");
  expect(screen.queryByTestId("flows-userinfo-run")).toBeNull();
  expect(document.body.innerHTML).not.toContain(SECRET);
});

test("the device flow shows the user code, the verification URI and a QR code as soon as they exist", async () => {
  const app = mockApp();
  await oneOff("device", "tokenscope-native");
  await fireEvent.click(screen.getByTestId("flows-start"));
  await waitFor(() => {
    expect(app.flows).toHaveLength(1);
  });
  const flow = app.flows[0];
  expect(flow?.cmd).toBe("start_device_flow");
  expect(flow?.request).toEqual({ profile: null, issuer: ISSUER, client_id: "tokenscope-native", scopes: ["openid", "profile", "offline_access"] });
  flow?.send({ event: "step", step: step("discovery") });
  flow?.send({ event: "step", step: step("device_authorization") });
  flow?.send({
    event: "device_prompt",
    prompt: { user_code: "WDJB-MJHT", verification_uri: `${ISSUER}/device`, verification_uri_complete: `${ISSUER}/device?user_code=WDJB-MJHT`, expires_in: 600, interval: 5 },
  });
  expect(await screen.findByTestId("flows-user-code")).toHaveTextContent("WDJB-MJHT");
  expect(screen.getByTestId("flows-verification-uri")).toHaveTextContent(`${ISSUER}/device`);
  const qr = screen.getByTestId("flows-device-qr");
  expect(qr.tagName.toLowerCase()).toBe("svg");
  expect(qr.querySelectorAll("rect").length).toBeGreaterThan(50);
  expect(qr.querySelector("image")).toBeNull();
  expect(screen.getByTestId("flows-pending")).toHaveTextContent("Waiting for the approval on the other device");
  // The diagram: what is under way, highlighted.
  const current = screen.getAllByTestId("flows-arrow").filter((a) => a.dataset.current === "true");
  expect(current.map((a) => `${a.dataset.from}>${a.dataset.to}`)).toEqual(["user>browser", "tokenscope>as"]);

  flow?.resolve(result(["discovery", "device_authorization", "device_poll"]));
  await screen.findByTestId("flows-tokens");
  const last = screen.getAllByTestId("flows-arrow").filter((a) => a.dataset.current === "true");
  expect(last.map((a) => `${a.dataset.from}>${a.dataset.to}`)).toEqual(["user>browser", "browser>as", "tokenscope>as", "as>tokenscope"]);
});

test("on a finished flow: Introspect, Revoke and Call API name the flow, and Export shows the redacted text", async () => {
  const app = mockApp();
  await oneOff("device", "tokenscope-native");
  await fireEvent.click(screen.getByTestId("flows-start"));
  await waitFor(() => {
    expect(app.flows).toHaveLength(1);
  });
  const flow = app.flows[0];
  flow?.resolve(result(["discovery", "device_authorization", "device_poll"]));
  await screen.findByTestId("flows-tokens");
  const flowId = flow?.operationId;

  await fireEvent.click(screen.getByTestId("flows-introspect-run"));
  const table = await screen.findByTestId("flows-introspection");
  expect(screen.getByTestId("flows-introspection-active")).toHaveTextContent("active");
  expect(within(table).getByTestId("flows-introspection-member-exp")).toHaveTextContent("in 3 years");
  expect(within(table).getByTestId("flows-introspection-member-exp")).toHaveTextContent("When the token expires");
  expect(app.calls.find((c) => c.cmd === "introspect_token")?.args.request).toEqual({
    flow: flowId,
    profile: null,
    token: ACCESS,
    token_type_hint: "access_token",
  });

  await fireEvent.click(screen.getByTestId("flows-revoke-access"));
  await screen.findByTestId("flows-revoked");
  expect(app.calls.find((c) => c.cmd === "revoke_token")?.args.request).toEqual({ flow: flowId, profile: null, token: "access_token", access_token: ACCESS });
  expect(screen.queryByTestId("flows-revoke-refresh")).toBeNull();

  expect(screen.getByTestId("flows-api-run")).toBeDisabled();
  await fireEvent.input(screen.getByTestId("flows-api-url"), { target: { value: "http://127.0.0.1:9100/orders" } });
  await fireEvent.change(screen.getByTestId("flows-api-method"), { target: { value: "POST" } });
  await fireEvent.input(screen.getByTestId("flows-api-body"), { target: { value: '{"n":1}' } });
  await fireEvent.click(screen.getByTestId("flows-api-run"));
  expect(await screen.findByTestId("flows-api-status")).toHaveTextContent("HTTP 401");
  expect(screen.getByTestId("flows-api-explanation")).toHaveTextContent("invalid_token");
  expect(screen.getByTestId("flows-api-challenge-error_description")).toHaveTextContent("token revoked");
  expect(app.calls.find((c) => c.cmd === "call_api")?.args.request).toEqual({
    url: "http://127.0.0.1:9100/orders",
    method: "POST",
    body: '{"n":1}',
    access_token: ACCESS,
  });
  // The diagram ends on the API call.
  const current = screen.getAllByTestId("flows-arrow").filter((a) => a.dataset.current === "true");
  expect(current.map((a) => a.dataset.to)).toEqual(["api", "tokenscope"]);

  expect(screen.getByTestId("flows-export-reveal")).not.toBeChecked();
  await fireEvent.click(screen.getByTestId("flows-export-markdown"));
  expect(await screen.findByTestId("flows-export-text")).toHaveValue("# Tokenscope export\n\naccess token `[sha256:0123456789abcdef]`\n");
  expect(app.calls.find((c) => c.cmd === "export_flow")?.args).toEqual({ flow: flowId, format: "markdown", revealTokens: false });
  await fireEvent.click(screen.getByTestId("flows-export-close"));
  expect(screen.queryByTestId("flows-export-text")).toBeNull();
});

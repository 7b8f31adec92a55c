import type { Channel } from "@tauri-apps/api/core";
import { mockIPC } from "@tauri-apps/api/mocks";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, expect, test } from "vitest";

import type { Check } from "../../../bindings/Check";
import type { CodeFlowRequest } from "../../../bindings/CodeFlowRequest";
import type { FlowEvent } from "../../../bindings/FlowEvent";
import type { FlowResult } from "../../../bindings/FlowResult";
import type { PracticeLesson } from "../../../bindings/PracticeLesson";
import type { PracticeStartRequest } from "../../../bindings/PracticeStartRequest";
import type { PracticeStatus } from "../../../bindings/PracticeStatus";
import Flows from "../Flows.svelte";
import { resetFlowsState } from "../flows.svelte";
import { resetPracticeState } from "./practice.svelte";

const LESSONS: PracticeLesson[] = [
  {
    name: "expired-id-token",
    title: "the ID token expired ten minutes ago",
    explanation: "The issuer hands out an expired ID token.",
    what_you_see: "exp fails.",
    failing_checks: ["exp"],
    error_code: null,
  },
  {
    name: "alg-none",
    title: "the ID token is unsigned (alg none)",
    explanation: "The ID token has alg none and no signature.",
    what_you_see: "The flow's ID token checks: signature and alg fail.",
    failing_checks: ["signature", "alg", "at_hash"],
    error_code: null,
  },
];

function check(name: Check["name"], status: Check["status"]): Check {
  return { name, status, message: `${name}: ${status}`, spec: "OIDC Core §3.1.3.7" };
}

function result(checks: Check[]): FlowResult {
  return {
    tokens: {
      access_token: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.YWNjZXNz",
      token_type: "Bearer",
      expires_in: 300,
      scope: "openid profile",
      id_token: "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.",
      refresh_token_stored: false,
      refresh_token_fingerprint: null,
    },
    id_token_checks: checks,
    userinfo: null,
    steps: [],
  } as unknown as FlowResult;
}

function mockApp() {
  let port = 40000;
  const starts: PracticeStartRequest[] = [];
  const flows: { request: CodeFlowRequest; resolve: (r: FlowResult) => void; send: (e: FlowEvent) => void }[] = [];
  let running: PracticeStatus | null = null;
  mockIPC((cmd, raw) => {
    const args = (raw ?? {}) as Record<string, unknown>;
    switch (cmd) {
      case "list_profiles":
        return { file: "/tmp/profiles.json", profiles: [] };
      case "vault_status":
        return { state: "available" };
      case "cancel_operation":
        return null;
      case "practice_lessons":
        return LESSONS;
      case "practice_status":
        return running;
      case "practice_stop":
        running = null;
        return true;
      case "practice_start": {
        const request = args.request as PracticeStartRequest;
        starts.push(request);
        port += 1;
        running = {
          issuer: `http://127.0.0.1:${port}`,
          lesson: request.lesson,
          alg: "RS256",
          native_client_id: "practice-native",
          service_client_id: "practice-service",
          users: ["alice", "bob", "admin"],
        };
        return running;
      }
      case "start_code_flow":
        return new Promise((resolve) => {
          const channel = args.onEvent as Channel<FlowEvent>;
          flows.push({ request: args.request as CodeFlowRequest, resolve, send: (e) => { channel.onmessage(e); } });
        });
      default:
        return null;
    }
  });
  return { starts, flows };
}

beforeEach(() => {
  resetFlowsState();
  resetPracticeState();
});

afterEach(() => {
  resetFlowsState();
  resetPracticeState();
});

test("Start flow starts the practice issuer and runs a one-off code flow with its public client", async () => {
  const app = mockApp();
  render(Flows);
  await screen.findByText(/Not running/);
  await fireEvent.click(screen.getByTestId("practice-start-flow"));
  await waitFor(() => {
    expect(app.flows).toHaveLength(1);
  });
  expect(app.starts).toEqual([{ lesson: null, alg: null }]);
  expect(screen.getByTestId("practice-issuer-url")).toHaveTextContent("http://127.0.0.1:40001");
  const [flow] = app.flows;
  expect(flow?.request).toMatchObject({ profile: null, issuer: "http://127.0.0.1:40001", client_id: "practice-native" });
  expect(flow?.request.scopes).toEqual(["openid", "profile", "offline_access"]);

  flow?.resolve(result([check("signature", "pass"), check("exp", "pass")]));
  await screen.findByTestId("check-row-signature");
  expect(screen.queryByTestId("check-highlight-signature")).toBeNull();
  expect(screen.queryByTestId("practice-lesson-outcome")).toBeNull();
});

test("choosing alg-none restarts the issuer, explains the lesson and highlights the failed signature check", async () => {
  const app = mockApp();
  render(Flows);
  await screen.findByRole("option", { name: /alg-none/ });
  await fireEvent.change(screen.getByTestId("practice-lesson"), { target: { value: "alg-none" } });
  await waitFor(() => {
    expect(screen.getByTestId("practice-running-lesson")).toHaveTextContent("alg-none");
  });
  expect(app.starts).toEqual([{ lesson: "alg-none", alg: null }]);
  expect(screen.getByTestId("practice-lesson-explanation")).toHaveTextContent("alg none and no signature");
  expect(screen.getByTestId("practice-lesson-expect")).toHaveTextContent("Expect the signature, alg and at_hash checks of the ID token to fail.");

  await fireEvent.click(screen.getByTestId("practice-start-flow"));
  await waitFor(() => {
    expect(app.flows).toHaveLength(1);
  });
  expect(app.starts).toHaveLength(1); // already running the chosen lesson: not restarted
  expect(app.flows[0]?.request.issuer).toBe("http://127.0.0.1:40001");
  app.flows[0]?.resolve(result([check("signature", "fail"), check("alg", "fail"), check("at_hash", "fail"), check("iss", "pass")]));

  const row = await screen.findByTestId("check-row-signature");
  expect(row).toHaveAttribute("data-highlighted", "true");
  expect(screen.getByTestId("check-highlight-signature")).toBeInTheDocument();
  expect(screen.getByTestId("check-row-iss")).not.toHaveAttribute("data-highlighted");
  expect(screen.getByTestId("practice-lesson-outcome")).toHaveTextContent("Seen: the signature, alg, at_hash checks failed");
});

test("a flow against an issuer that has since been restarted is not judged by the new lesson", async () => {
  const app = mockApp();
  render(Flows);
  await screen.findByRole("option", { name: /alg-none/ });
  await fireEvent.click(screen.getByTestId("practice-start-flow"));
  await waitFor(() => {
    expect(app.flows).toHaveLength(1);
  });
  app.flows[0]?.resolve(result([check("signature", "pass"), check("exp", "fail")]));
  await screen.findByTestId("check-row-exp");
  await fireEvent.change(screen.getByTestId("practice-lesson"), { target: { value: "expired-id-token" } });
  await waitFor(() => {
    expect(screen.getByTestId("practice-running-lesson")).toHaveTextContent("expired-id-token");
  });
  expect(screen.getByTestId("check-row-exp")).not.toHaveAttribute("data-highlighted");
  expect(screen.queryByTestId("practice-lesson-outcome")).toBeNull();
});

test("a practice issuer that cannot start says why", async () => {
  mockIPC((cmd) => {
    switch (cmd) {
      case "practice_lessons":
        return LESSONS;
      case "practice_status":
        return null;
      case "list_profiles":
        return { file: "/tmp/profiles.json", profiles: [] };
      case "vault_status":
        return { state: "available" };
      case "practice_start":
        // The IPC contract: commands reject with an IpcError, not an Error.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        return Promise.reject({ code: "practice.bind_failed", message: "cannot listen on 127.0.0.1:0: denied", details: null, exchanges: [] });
      default:
        return null;
    }
  });
  render(Flows);
  await fireEvent.click(await screen.findByTestId("practice-start-issuer"));
  expect(await screen.findByTestId("practice-error")).toHaveTextContent("practice.bind_failed");
});

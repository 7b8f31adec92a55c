import { mockIPC } from "@tauri-apps/api/mocks";
import { expect, test } from "vitest";

import { sampleDecoded } from "../test/fixtures";
import type { Channel } from "@tauri-apps/api/core";

import type { FlowEvent } from "./bindings/FlowEvent";
import {
  CANCELLED,
  cancelOperation,
  compareMetadata,
  decodeToken,
  diffTokenPair,
  discoverIssuer,
  isCancelled,
  newOperationId,
  startCodeFlow,
  toFlowFailure,
  toIpcError,
  verifyToken,
} from "./ipc";

test("decodeToken invokes decode_token with the raw input", async () => {
  const calls: unknown[] = [];
  mockIPC((cmd, args) => {
    calls.push({ cmd, args });
    return sampleDecoded();
  });
  const result = await decodeToken("Bearer a.b.c");
  expect(result.format).toBe("jws");
  expect(calls).toEqual([{ cmd: "decode_token", args: { token: "Bearer a.b.c" } }]);
});

test("a structured rejection comes through as that IpcError", async () => {
  // Tauri rejects with the command's serialised error value, not an Error.
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
  mockIPC(() => Promise.reject({ code: "jwt.segment_count", message: "wrong number of segments", details: null, exchanges: [] }));
  await expect(decodeToken("abc")).rejects.toEqual({
    code: "jwt.segment_count",
    message: "wrong number of segments",
    details: null,
    exchanges: [],
  });
});

test("a string rejection becomes ipc.unexpected", async () => {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
  mockIPC(() => Promise.reject("command decode_token not found"));
  await expect(decodeToken("x")).rejects.toEqual({
    code: "ipc.unexpected",
    message: "command decode_token not found",
    details: null,
    exchanges: [],
  });
});

test("an Error rejection becomes ipc.unexpected", async () => {
  mockIPC(() => Promise.reject(new Error("command decode_token not found")));
  await expect(decodeToken("x")).rejects.toEqual({
    code: "ipc.unexpected",
    message: "Error: command decode_token not found",
    details: null,
    exchanges: [],
  });
});

test("odd rejections are normalised", () => {
  expect(toIpcError("boom")).toEqual({ code: "ipc.unexpected", message: "boom", details: null, exchanges: [] });
  expect(toIpcError(undefined)).toEqual({ code: "ipc.unexpected", message: "undefined", details: null, exchanges: [] });
  expect(toIpcError(null)).toEqual({ code: "ipc.unexpected", message: "null", details: null, exchanges: [] });
  expect(toIpcError({ code: 7, message: "x" })).toEqual({
    code: "ipc.unexpected",
    message: '{"code":7,"message":"x"}',
    details: null,
    exchanges: [],
  });
});

test("malformed details are dropped field by field, not trusted", () => {
  expect(
    toIpcError({ code: "jwt.invalid_json", message: "bad", details: { segment: "header", offset: "3" } }),
  ).toEqual({
    code: "jwt.invalid_json",
    message: "bad",
    details: { segment: "header", position: null, offset: null },
    exchanges: [],
  });
  expect(toIpcError({ code: "c", message: "m", details: "nope" }).details).toBeNull();
});

test("exchanges and the input an error is about come through", () => {
  const exchange = {
    method: "GET",
    url: "https://idp.example/jwks",
    status: 404,
    request_headers: [],
    response_headers: [],
    duration_ms: 4,
    from_cache: false,
    error: null,
  };
  const error = toIpcError({ code: "http.status", message: "404", details: null, exchanges: [exchange], input: "b" });
  expect(error.exchanges).toEqual([exchange]);
  expect(error.input).toBe("b");
  expect(toIpcError({ code: "c", message: "m", exchanges: "x" }).exchanges).toEqual([]);
});

test("each command is invoked with its named arguments", async () => {
  const calls: { cmd: string; args: unknown }[] = [];
  mockIPC((cmd, args) => {
    calls.push({ cmd, args });
    return null;
  });
  const request = {
    token: "t",
    key: { kind: "token_header" as const },
    allowed_algs: [],
    iss: null,
    aud: [],
    nonce: null,
    access_token: null,
    code: null,
    leeway: null,
    now: null,
    allow_http: false,
    refresh: false,
    id_token: false,
  };
  await verifyToken(request, "verify-1");
  await diffTokenPair("a", "b");
  await discoverIssuer({ issuer: "https://i", oauth: false, allow_http: false, refresh: false }, "discover-2");
  await compareMetadata({ x: 1 }, { x: 2 });
  await cancelOperation("discover-2");
  expect(calls).toEqual([
    // Tauri maps a command's `operation_id` argument to `operationId`.
    { cmd: "verify_token", args: { request, operationId: "verify-1" } },
    { cmd: "diff_token_pair", args: { a: "a", b: "b" } },
    {
      cmd: "discover_issuer",
      args: { request: { issuer: "https://i", oauth: false, allow_http: false, refresh: false }, operationId: "discover-2" },
    },
    { cmd: "compare_metadata", args: { before: { x: 1 }, after: { x: 2 } } },
    { cmd: "cancel_operation", args: { operationId: "discover-2" } },
  ]);
});

test("operation ids are fresh, and a cancellation is recognised by its code", () => {
  const a = newOperationId("verify");
  const b = newOperationId("verify");
  expect(a).toMatch(/^verify-\d+$/);
  expect(b).not.toBe(a);
  expect(isCancelled({ code: CANCELLED, message: "m", details: null, exchanges: [] })).toBe(true);
  expect(isCancelled({ code: "http.timeout", message: "m", details: null, exchanges: [] })).toBe(false);
  expect(isCancelled(null)).toBe(false);
});

test("startCodeFlow hands Rust a channel whose events reach the callback", async () => {
  const seen: FlowEvent[] = [];
  let args: Record<string, unknown> = {};
  mockIPC((cmd, a) => {
    args = a as Record<string, unknown>;
    (args.onEvent as Channel<FlowEvent>).onmessage({ event: "browser_opened" });
    return { steps: [] };
  });
  const request = { profile: "dev", issuer: null, client_id: null, scopes: null, open_browser: true };
  await startCodeFlow(request, "flow-1", (e) => seen.push(e));
  expect(args.request).toEqual(request);
  expect(args.operationId).toBe("flow-1");
  expect(seen).toEqual([{ event: "browser_opened" }]);
});

test("a flow's rejection keeps its steps and OAuth error; anything else becomes one without", () => {
  const oauth = { error: "access_denied", error_description: null, error_uri: null, hint: "refused" };
  const failure = toFlowFailure({ code: "oauth.error_response", message: "m", details: null, exchanges: [], steps: [{ name: "discovery" }], oauth_error: oauth, refresh_token_deleted: true });
  expect(failure.code).toBe("oauth.error_response");
  expect(failure.steps).toHaveLength(1);
  expect(failure.oauth_error).toEqual(oauth);
  expect(failure.refresh_token_deleted).toBe(true);
  expect(toFlowFailure("boom")).toEqual({
    code: "ipc.unexpected",
    message: "boom",
    details: null,
    exchanges: [],
    steps: [],
    oauth_error: null,
    refresh_token_deleted: false,
  });
});

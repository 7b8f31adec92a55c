import { mockIPC } from "@tauri-apps/api/mocks";
import { expect, test } from "vitest";

import { sampleDecoded } from "../test/fixtures";
import { decodeToken, toIpcError } from "./ipc";

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
  mockIPC(() => Promise.reject({ code: "jwt.segment_count", message: "wrong number of segments", details: null }));
  await expect(decodeToken("abc")).rejects.toEqual({
    code: "jwt.segment_count",
    message: "wrong number of segments",
    details: null,
  });
});

test("a string rejection becomes ipc.unexpected", async () => {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
  mockIPC(() => Promise.reject("command decode_token not found"));
  await expect(decodeToken("x")).rejects.toEqual({
    code: "ipc.unexpected",
    message: "command decode_token not found",
    details: null,
  });
});

test("an Error rejection becomes ipc.unexpected", async () => {
  mockIPC(() => Promise.reject(new Error("command decode_token not found")));
  await expect(decodeToken("x")).rejects.toEqual({
    code: "ipc.unexpected",
    message: "Error: command decode_token not found",
    details: null,
  });
});

test("odd rejections are normalised", () => {
  expect(toIpcError("boom")).toEqual({ code: "ipc.unexpected", message: "boom", details: null });
  expect(toIpcError(undefined)).toEqual({ code: "ipc.unexpected", message: "undefined", details: null });
  expect(toIpcError(null)).toEqual({ code: "ipc.unexpected", message: "null", details: null });
  expect(toIpcError({ code: 7, message: "x" })).toEqual({
    code: "ipc.unexpected",
    message: '{"code":7,"message":"x"}',
    details: null,
  });
});

test("malformed details are dropped field by field, not trusted", () => {
  expect(
    toIpcError({ code: "jwt.invalid_json", message: "bad", details: { segment: "header", offset: "3" } }),
  ).toEqual({
    code: "jwt.invalid_json",
    message: "bad",
    details: { segment: "header", position: null, offset: null },
  });
  expect(toIpcError({ code: "c", message: "m", details: "nope" }).details).toBeNull();
});

import { mockIPC } from "@tauri-apps/api/mocks";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, expect, test } from "vitest";

import type { ClaimHelpers } from "../../bindings/ClaimHelpers";
import type { EncodedToken } from "../../bindings/EncodedToken";
import type { EncodeRequest } from "../../bindings/EncodeRequest";
import type { GeneratedKey } from "../../bindings/GeneratedKey";
import type { JsonProblem } from "../../bindings/JsonProblem";
import { session } from "../../session.svelte";
import Encode from "./Encode.svelte";
import { EncodeState, forgetEncodeState, type Ipc } from "./encode.svelte";

const b64 = (value: unknown): string => btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");

/** What Rust would answer for `request` (the signature is a stand-in). */
function minted(request: EncodeRequest, extra: Partial<EncodedToken> = {}): EncodedToken {
  const header = { alg: request.alg, typ: "JWT" };
  const payload = JSON.parse(request.payload) as Record<string, unknown>;
  const unsecured = request.alg === "none";
  return {
    token: `${b64(header)}.${b64(payload)}.${unsecured ? "" : "c2lnbmF0dXJl"}`,
    header,
    payload,
    alg: request.alg,
    kid: null,
    unsecured,
    findings: unsecured ? [{ severity: "error", code: "alg-none", message: "the token is unsigned" }] : [],
    ...extra,
  };
}

const GENERATED: GeneratedKey = {
  handle: "key-1",
  public: {
    kid: "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs",
    thumbprint: "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs",
    kty: "EC",
    alg: "ES256",
    curve: "P-256",
    size_bits: 256,
    jwk: { kty: "EC", crv: "P-256", x: "xx", y: "yy", use: "sig", alg: "ES256", kid: "NzbL" },
    jwks: { keys: [{ kty: "EC", crv: "P-256", x: "xx", y: "yy", use: "sig", alg: "ES256", kid: "NzbL" }] },
    pem: "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n",
  },
};

type Calls = { cmd: string; args: Record<string, unknown> }[];

/** Mocks every Encode command; `encode` and `problem` can be overridden per test. */
function mockEncode(
  options: {
    encode?: (request: EncodeRequest) => EncodedToken | Promise<EncodedToken>;
    problem?: (text: string, part: string) => JsonProblem | null;
  } = {},
): Calls {
  const calls: Calls = [];
  mockIPC((cmd, raw) => {
    const args = raw as Record<string, unknown>;
    calls.push({ cmd, args });
    switch (cmd) {
      case "validate_json":
        return options.problem?.(args.text as string, args.part as string) ?? null;
      case "encode_token":
        return (options.encode ?? minted)(args.request as EncodeRequest);
      case "apply_payload_helpers": {
        const helpers = args.helpers as ClaimHelpers;
        const payload = JSON.parse(args.payload as string) as Record<string, unknown>;
        if (helpers.exp === "+1h") payload.exp = 1_700_003_600;
        return JSON.stringify(payload, null, 2);
      }
      case "generate_key":
        return GENERATED;
      case "export_private_key":
        return "-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n";
      default:
        throw new Error(`unexpected command ${cmd}`);
    }
  });
  return calls;
}

const encodeRequests = (calls: Calls): EncodeRequest[] =>
  calls.filter((c) => c.cmd === "encode_token").map((c) => c.args.request as EncodeRequest);

async function input(testid: string, value: string): Promise<void> {
  await fireEvent.input(screen.getByTestId(testid), { target: { value } });
}

async function choose(testid: string, value: string): Promise<void> {
  await fireEvent.change(screen.getByTestId(testid), { target: { value } });
}

beforeEach(() => {
  forgetEncodeState();
});

test("typing a payload and a secret mints the token live, debounced into one request", async () => {
  const calls = mockEncode();
  render(Encode);
  expect(await screen.findByTestId("encode-missing")).toHaveTextContent("Enter a secret");

  await input("encode-key-value", "a-string-secret-at-least-256-bits-long");
  await input("encode-payload", '{"sub": "u1"}');
  const token = await screen.findByTestId("encode-token");
  const expected = minted({
    header: "{}",
    payload: '{"sub": "u1"}',
    alg: "HS256",
    key: null,
    kid: { kind: "default" },
    relative_times: true,
  }).token;
  expect(token.textContent).toBe(expected);
  expect(token.querySelector('[data-segment="payload"]')).toHaveClass("seg-payload");

  const requests = encodeRequests(calls);
  expect(requests).toHaveLength(1);
  expect(requests[0]).toEqual({
    header: "{}",
    payload: '{"sub": "u1"}',
    alg: "HS256",
    key: { kind: "secret", value: "a-string-secret-at-least-256-bits-long" },
    kid: { kind: "default" },
    relative_times: true,
  });
  expect(screen.getByTestId("encode-signed-payload")).toHaveTextContent('"sub": "u1"');
});

test("a JSON error shows its line and column under the editor, not as a token error", async () => {
  const message = "line 2, column 3: expected `,` or `}`";
  mockEncode({
    problem: (text, part) =>
      part === "payload" && text.includes("oops")
        ? { code: "encode.invalid_json", message, line: 2, column: 3 }
        : null,
    encode: (request) => {
      if (request.payload.includes("oops")) {
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw { code: "encode.invalid_json", message: `the payload ${message}`, details: null, input: "payload", exchanges: [] };
      }
      return minted(request);
    },
  });
  render(Encode);
  await input("encode-key-value", "secret");
  await input("encode-payload", '{\n  oops\n}');

  expect(await screen.findByTestId("encode-payload-error")).toHaveTextContent(message);
  expect(screen.getByTestId("encode-payload")).toHaveAttribute("aria-invalid", "true");
  expect(screen.queryByTestId("encode-header-error")).toBeNull();
  expect(screen.queryByTestId("encode-error")).toBeNull();
  expect(screen.queryByTestId("encode-token")).toBeNull();

  await input("encode-payload", "{}");
  await screen.findByTestId("encode-token");
  expect(screen.queryByTestId("encode-payload-error")).toBeNull();
});

test("a key that does not fit the algorithm is shown as the token error", async () => {
  mockEncode({
    encode: () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw { code: "key.invalid", message: "the secret is not valid base64", details: null, exchanges: [] };
    },
  });
  render(Encode);
  await choose("encode-key-kind", "secret_b64");
  await input("encode-key-value", "not base64!");
  expect(await screen.findByTestId("encode-error")).toHaveTextContent("the secret is not valid base64");
  expect(screen.getByTestId("encode-error")).toHaveTextContent("key.invalid");
});

test("a slow reply for older input never replaces the reply for the current input", async () => {
  let releaseFirst: (() => void) | undefined;
  const firstGate = new Promise<void>((resolve) => (releaseFirst = resolve));
  const state = new EncodeState(
    {
      validateJson: () => Promise.resolve(null),
      encodeToken: async (request: EncodeRequest) => {
        if (request.payload === '{"n": 1}') await firstGate;
        return minted(request);
      },
    } as Partial<Ipc> as Ipc,
    0,
  );
  state.keyValue = "secret";
  state.payload = '{"n": 1}';
  const first = state.encodeNow();
  state.payload = '{"n": 2}';
  await state.encodeNow();
  expect(state.encoded?.payload).toEqual({ n: 2 });
  releaseFirst?.();
  await first;
  expect(state.encoded?.payload).toEqual({ n: 2 });
});

test("presets fill the editors; alg none is labelled insecure and sends no key", async () => {
  const calls = mockEncode();
  render(Encode);
  await input("encode-key-value", "secret");

  await fireEvent.click(screen.getByTestId("encode-preset-expired"));
  const payload = screen.getByTestId<HTMLTextAreaElement>("encode-payload");
  await waitFor(() => {
    expect(payload.value).toContain('"exp": "-1h"');
  });
  expect(payload.value).toContain('"iat": "-2h"');

  await fireEvent.click(screen.getByTestId("encode-preset-wrong-audience"));
  await waitFor(() => {
    expect(payload.value).toContain("api://someone-else");
  });

  await fireEvent.click(screen.getByTestId("encode-preset-alg-none"));
  expect(await screen.findByTestId("encode-finding-alg-none")).toHaveClass("error");
  expect(screen.getByTestId<HTMLSelectElement>("encode-alg").value).toBe("none");
  expect(screen.getByTestId("encode-none-warning")).toHaveTextContent("unsigned");
  expect(screen.queryByTestId("encode-key-kind")).toBeNull();
  const last = encodeRequests(calls).at(-1);
  expect(last?.alg).toBe("none");
  expect(last?.key).toBeNull();
  expect(screen.getByTestId("encode-token").textContent).toMatch(/\.$/);

  const noneOption = [...screen.getByTestId<HTMLSelectElement>("encode-alg").options].find((o) => o.value === "none");
  expect(noneOption?.textContent).toContain("insecure");
});

test("generating a key signs by handle, shows the public half, and reveals the private key only on request", async () => {
  const calls = mockEncode();
  render(Encode);
  await choose("encode-alg", "ES256");
  expect(screen.getByTestId<HTMLSelectElement>("encode-key-kind").value).toBe("generated");
  expect(await screen.findByTestId("encode-missing")).toHaveTextContent("Generate a key pair");

  await fireEvent.click(screen.getByTestId("encode-generate"));
  expect(await screen.findByTestId("encode-generated-kid")).toHaveTextContent(GENERATED.public.kid);
  expect(screen.getByTestId("encode-public-jwks")).toHaveTextContent('"crv": "P-256"');
  const generate = calls.find((c) => c.cmd === "generate_key");
  expect(generate?.args).toEqual({ spec: { kty: "EC", crv: "P-256" }, alg: "ES256" });

  await screen.findByTestId("encode-token");
  expect(encodeRequests(calls).at(-1)?.key).toEqual({ kind: "generated", value: "key-1" });
  expect(calls.some((c) => c.cmd === "export_private_key")).toBe(false);
  expect(screen.queryByTestId("encode-private-key")).toBeNull();

  await fireEvent.click(screen.getByTestId("encode-export-private-pem"));
  expect(await screen.findByTestId("encode-private-key")).toHaveTextContent("BEGIN PRIVATE KEY");
  expect(calls.find((c) => c.cmd === "export_private_key")?.args).toEqual({ handle: "key-1", format: "pem" });
});

test("Verify gets the token with the generated key's public JWKS; Inspect and Diff get the token", async () => {
  mockEncode();
  render(Encode);
  await choose("encode-alg", "ES256");
  await fireEvent.click(screen.getByTestId("encode-generate"));
  const token = (await screen.findByTestId("encode-token")).textContent;

  await fireEvent.click(screen.getByTestId("encode-verify"));
  expect(session.view).toBe("verify");
  expect(session.token).toBe(token);
  expect(session.verifyKey?.kind).toBe("key_text");
  expect(JSON.parse(session.verifyKey?.kind === "key_text" ? session.verifyKey.value : "null")).toEqual(GENERATED.public.jwks);

  session.token = "";
  await fireEvent.click(screen.getByTestId("encode-open-inspect"));
  expect(session.view).toBe("inspect");
  expect(session.token).toBe(token);

  await fireEvent.click(screen.getByTestId("encode-diff-with"));
  expect(session.view).toBe("diff");
  expect(session.diffA).toBe(token);
});

test("a secret goes to Verify as the same kind of secret", async () => {
  mockEncode();
  render(Encode);
  await input("encode-key-value", "s3cret");
  await screen.findByTestId("encode-token");
  await fireEvent.click(screen.getByTestId("encode-verify"));
  expect(session.verifyKey).toEqual({ kind: "secret", value: "s3cret" });
});

test("claim helpers rewrite the payload through Rust and re-sign", async () => {
  const calls = mockEncode();
  render(Encode);
  await input("encode-key-value", "secret");
  await input("encode-payload", '{"sub": "u1"}');
  await screen.findByTestId("encode-token");

  await fireEvent.click(screen.getByTestId("encode-helper-exp-1h"));
  await waitFor(() => {
    expect(screen.getByTestId<HTMLTextAreaElement>("encode-payload").value).toContain('"exp": 1700003600');
  });
  const helper = calls.find((c) => c.cmd === "apply_payload_helpers");
  expect((helper?.args.helpers as ClaimHelpers).exp).toBe("+1h");
  await waitFor(() => {
    expect(encodeRequests(calls).at(-1)?.payload).toContain("1700003600");
  });
});

test("claim values and findings are rendered as text, never as HTML", async () => {
  const evil = '<img src=x onerror="window.pwned=1">';
  mockEncode({
    encode: (request) =>
      minted(request, { findings: [{ severity: "warning", code: "weak-secret", message: evil }] }),
  });
  const { container } = render(Encode);
  await input("encode-key-value", "secret");
  await input("encode-payload", JSON.stringify({ name: evil }));
  expect(await screen.findByTestId("encode-finding-weak-secret")).toHaveTextContent(evil);
  expect(screen.getByTestId("encode-signed-payload")).toHaveTextContent("onerror");
  expect(container.querySelector("img")).toBeNull();
});

test("the editors survive leaving the view and coming back", async () => {
  mockEncode();
  const first = render(Encode);
  await input("encode-payload", '{"kept": true}');
  first.unmount();
  render(Encode);
  expect(screen.getByTestId<HTMLTextAreaElement>("encode-payload").value).toBe('{"kept": true}');
});

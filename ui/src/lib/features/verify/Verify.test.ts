import { mockIPC } from "@tauri-apps/api/mocks";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { expect, test, vi } from "vitest";

import type { VerifyRequest } from "../../bindings/VerifyRequest";
import type { VerifyResponse } from "../../bindings/VerifyResponse";
import { exchange, invalidReport, sampleDecoded, validReport } from "../../../test/fixtures";
import { session } from "../../session.svelte";
import Verify from "./Verify.svelte";
import { NETWORK_DEBOUNCE_MS, parseNow, splitList } from "./verify.svelte";

const JWKS = '{"keys":[{"kty":"oct","k":"AAAA"}]}';

/** Records each verify_token request and answers with `reply`. */
function mockVerify(reply: (request: VerifyRequest) => VerifyResponse | Promise<VerifyResponse>): VerifyRequest[] {
  const requests: VerifyRequest[] = [];
  mockIPC((cmd, args) => {
    if (cmd === "decode_token") return sampleDecoded();
    if (cmd === "cancel_operation") return null;
    if (cmd !== "verify_token") throw new Error(`unexpected command ${cmd}`);
    const request = (args as { request: VerifyRequest }).request;
    requests.push(request);
    return reply(request);
  });
  return requests;
}

async function input(testid: string, value: string): Promise<void> {
  await fireEvent.input(screen.getByTestId(testid), { target: { value } });
}

async function chooseKind(kind: string): Promise<void> {
  await fireEvent.change(screen.getByTestId("verify-key-kind"), { target: { value: kind } });
}

test("a pasted JWKS gives a report: verdict, key used, checks and findings", async () => {
  const requests = mockVerify(() => validReport());
  render(Verify);

  await input("verify-token", "a.b.c");
  await chooseKind("key_text");
  await input("verify-key-value", JWKS);

  expect(await screen.findByTestId("verify-verdict")).toHaveTextContent(/^VALID$/);
  expect(requests).toHaveLength(1);
  expect(requests[0]).toEqual({
    token: "a.b.c",
    key: { kind: "key_text", value: JWKS },
    allowed_algs: [],
    iss: null,
    aud: [],
    nonce: null,
    access_token: null,
    code: null,
    leeway: 60,
    now: null,
    allow_http: false,
    refresh: false,
    id_token: false,
  });
  expect(screen.getByTestId("check-status-signature").textContent).toBe("pass");
  expect(screen.getByTestId("check-row-signature")).toHaveClass("pass");
  expect(screen.getByTestId("check-status-exp").textContent).toBe("skipped");
  expect(screen.getByTestId("check-message-alg")).toHaveTextContent("HS256 is allowed");
  expect(within(screen.getByTestId("check-row-exp")).getByText("RFC 7519 §4.1.4")).toBeInTheDocument();
  const key = screen.getByTestId("verify-key-used");
  expect(key).toHaveTextContent("JWK Set");
  expect(key).toHaveTextContent("018c0ae5-4d9b-471b-bfd6-eef314bc7037");
  expect(key).toHaveTextContent("oct · 256 bits · HS256");
  expect(screen.getByTestId("finding-no-exp")).toHaveClass("warning");
});

test("a failed check makes the verdict INVALID and the row red", async () => {
  mockVerify(() => invalidReport());
  render(Verify);
  await input("verify-token", "a.b.c");
  await input("verify-key-value", "secret");
  expect(await screen.findByTestId("verify-verdict")).toHaveTextContent(/^INVALID$/);
  expect(screen.getByTestId("check-status-signature").textContent).toBe("fail");
  expect(screen.getByTestId("check-row-signature")).toHaveClass("fail");
  expect(screen.getByTestId("verify-key-used")).toHaveTextContent("No key verified the signature");
});

test("options travel in the request", async () => {
  const requests = mockVerify(() => validReport());
  render(Verify);
  await input("verify-token", "a.b.c");
  await chooseKind("secret_b64");
  await input("verify-key-value", "c2VjcmV0");
  await fireEvent.click(screen.getByTestId("verify-alg-RS256"));
  await fireEvent.click(screen.getByTestId("verify-alg-HS256"));
  await input("verify-iss", " https://issuer ");
  await input("verify-aud", "api\nweb, mobile");
  await input("verify-nonce", "n-1");
  await input("verify-leeway", "0");
  await input("verify-now", "1300819000");
  await input("verify-access-token", "at");
  await input("verify-code", "c");
  await waitFor(() => {
    expect(requests.at(-1)).toMatchObject({
      key: { kind: "secret_b64", value: "c2VjcmV0" },
      allowed_algs: ["HS256", "RS256"],
      iss: "https://issuer",
      aud: ["api", "web", "mobile"],
      nonce: "n-1",
      leeway: 0,
      now: 1300819000,
      access_token: "at",
      code: "c",
    });
  });
});

test("a core error is shown with its message and code", async () => {
  mockIPC((cmd) => {
    if (cmd !== "verify_token") return sampleDecoded();
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    return Promise.reject({
      code: "key.invalid",
      message: "invalid key: the secret is not base64 or base64url",
      details: null,
      exchanges: [],
    });
  });
  render(Verify);
  await input("verify-token", "a.b.c");
  await chooseKind("secret_b64");
  await input("verify-key-value", "!!");
  const error = await screen.findByTestId("verify-error");
  expect(error).toHaveTextContent("the secret is not base64 or base64url");
  expect(error).toHaveTextContent("key.invalid");
  expect(screen.queryByTestId("verify-verdict")).not.toBeInTheDocument();
});

test("a network key source waits for a pause, or the Verify button", async () => {
  vi.useFakeTimers();
  const requests = mockVerify(() => ({ ...validReport(), exchanges: [exchange("https://idp.example/jwks")] }));
  render(Verify);
  await input("verify-token", "a.b.c");
  await chooseKind("jwks_url");
  for (const partial of ["https://i", "https://idp.ex", "https://idp.example/jwks"]) {
    await input("verify-key-value", partial);
    await vi.advanceTimersByTimeAsync(300);
  }
  expect(requests).toHaveLength(0);
  await vi.advanceTimersByTimeAsync(NETWORK_DEBOUNCE_MS);
  expect(requests.map((r) => r.key)).toEqual([{ kind: "jwks_url", value: "https://idp.example/jwks" }]);
  expect(NETWORK_DEBOUNCE_MS).toBeGreaterThanOrEqual(600);

  await vi.advanceTimersByTimeAsync(10);
  const row = screen.getByTestId("exchange-row-0");
  expect(row).toHaveTextContent("GET");
  expect(row).toHaveTextContent("https://idp.example/jwks");
  expect(row).toHaveTextContent("200");
  expect(row).toHaveTextContent("accept");

  await fireEvent.click(screen.getByTestId("verify-run"));
  await vi.advanceTimersByTimeAsync(10);
  expect(requests).toHaveLength(2);
});

test("Refresh keys re-verifies a network source bypassing the cache", async () => {
  const requests = mockVerify(() => validReport());
  render(Verify);
  await input("verify-token", "a.b.c");
  await input("verify-key-value", "secret");
  await screen.findByTestId("verify-verdict");
  expect(screen.queryByTestId("verify-refresh")).toBeNull();

  for (const kind of ["jwks_url", "issuer", "token_header"]) {
    await chooseKind(kind);
    if (kind !== "token_header") await input("verify-key-value", "https://idp.example");
    const before = requests.length;
    await fireEvent.click(screen.getByTestId("verify-refresh"));
    await waitFor(() => {
      expect(requests.slice(before).filter((r) => r.refresh && r.key.kind === kind)).toHaveLength(1);
    });
  }
  // Ordinary re-verification keeps using the cache.
  await fireEvent.click(screen.getByTestId("verify-run"));
  await waitFor(() => {
    expect(requests.at(-1)?.refresh).toBe(false);
  });
  expect(requests.filter((r) => r.refresh)).toHaveLength(3);
});

test("the ID token option asks Rust to check the token as an ID token", async () => {
  const requests = mockVerify(() => validReport());
  render(Verify);
  await input("verify-token", "a.b.c");
  await input("verify-key-value", "secret");
  await screen.findByTestId("verify-verdict");
  expect(requests.at(-1)?.id_token).toBe(false);

  await fireEvent.click(screen.getByTestId("verify-id-token"));
  await waitFor(() => {
    expect(requests.at(-1)?.id_token).toBe(true);
  });
});

test("exchanges of a failed fetch are shown with the error", async () => {
  mockIPC((cmd) => {
    if (cmd !== "verify_token") return sampleDecoded();
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    return Promise.reject({
      code: "http.status",
      message: "https://idp.example/jwks returned HTTP 404 Not Found, expected 200 with a JSON document",
      details: null,
      exchanges: [exchange("https://idp.example/jwks", 404)],
    });
  });
  render(Verify);
  await input("verify-token", "a.b.c");
  await chooseKind("jwks_url");
  await input("verify-key-value", "https://idp.example/jwks");
  await fireEvent.click(screen.getByTestId("verify-run"));
  expect(await screen.findByTestId("verify-error")).toHaveTextContent("404 Not Found");
  expect(screen.getByTestId("exchange-status-0")).toHaveTextContent("404");
});

test("a slower reply for older input never overwrites the newer one", async () => {
  const pending = new Map<string, (r: VerifyResponse) => void>();
  mockVerify((request) => new Promise((resolve) => pending.set(request.token, resolve)));
  render(Verify);
  await input("verify-key-value", "secret");
  await input("verify-token", "old.token.x");
  await waitFor(() => {
    expect(pending.has("old.token.x")).toBe(true);
  });
  await input("verify-token", "new.token.y");
  await waitFor(() => {
    expect(pending.has("new.token.y")).toBe(true);
  });
  pending.get("new.token.y")?.(invalidReport());
  expect(await screen.findByTestId("verify-verdict")).toHaveTextContent(/^INVALID$/);
  pending.get("old.token.x")?.(validReport());
  await new Promise((r) => setTimeout(r, 20));
  expect(screen.getByTestId("verify-verdict")).toHaveTextContent(/^INVALID$/);
});

test("nothing is sent until there is a token and a key", async () => {
  const requests = mockVerify(() => validReport());
  render(Verify);
  await input("verify-token", "a.b.c");
  await new Promise((r) => setTimeout(r, 300));
  expect(requests).toHaveLength(0);
  expect(screen.getByTestId("verify-missing")).toHaveTextContent("Give a key");
  expect(screen.getByTestId("verify-run")).toBeDisabled();
});

test("the issuer source is prefilled from the token's iss", async () => {
  mockVerify(() => validReport());
  render(Verify);
  await input("verify-token", "a.b.c");
  await chooseKind("issuer");
  // sampleDecoded's payload says iss "joe".
  await waitFor(() => {
    expect(screen.getByTestId<HTMLInputElement>("verify-key-value").value).toBe("joe");
  });
});

test("an issuer handed over from Discover is verified at once", async () => {
  session.token = "a.b.c";
  session.verifyKey = { kind: "issuer", value: "https://idp.example" };
  const requests = mockVerify(() => validReport());
  render(Verify);
  expect(screen.getByTestId<HTMLSelectElement>("verify-key-kind").value).toBe("issuer");
  expect(screen.getByTestId<HTMLInputElement>("verify-key-value").value).toBe("https://idp.example");
  await screen.findByTestId("verify-verdict");
  expect(requests[0]?.key).toEqual({ kind: "issuer", value: "https://idp.example" });
  expect(session.verifyKey).toBeNull();
});

test("markup in messages and kids is shown as literal text", async () => {
  const evil = "<img src=x onerror=alert(1)>";
  const response = validReport();
  mockVerify(() => ({
    ...response,
    report: {
      ...response.report,
      key: response.report.key && { ...response.report.key, kid: evil },
      checks: [{ name: "signature", status: "pass", message: evil, spec: "" }],
    },
  }));
  const { container } = render(Verify);
  await input("verify-token", "a.b.c");
  await input("verify-key-value", "s");
  expect((await screen.findByTestId("check-message-signature")).textContent).toBe(evil);
  expect(screen.getByTestId("verify-key-used")).toHaveTextContent(evil);
  expect(container.querySelector("img")).toBeNull();
});

test("now accepts Unix seconds or a date, and audiences split on lines and commas", () => {
  expect(parseNow("")).toBeNull();
  expect(parseNow("1300819000")).toBe(1300819000);
  expect(parseNow("2011-03-22T18:43:00Z")).toBe(1300819380);
  expect(parseNow("soon")).toBeNaN();
  expect(splitList(" a ,b\n\nc ")).toEqual(["a", "b", "c"]);
});

test("Diff with… hands the token to Diff as A", async () => {
  mockVerify(() => validReport());
  render(Verify);
  expect(screen.queryByTestId("verify-diff-with")).toBeNull();
  await input("verify-token", "a.b.c");
  await fireEvent.click(screen.getByTestId("verify-diff-with"));
  expect(session.diffA).toBe("a.b.c");
  expect(session.view).toBe("diff");
});

/**
 * verify_token calls that wait until cancel_operation names their operation, then reject as Rust
 * does, with the cancelled code and the unfinished exchange.
 */
function mockCancellableVerify(): { calls: { request: VerifyRequest; operationId: string }[]; cancelled: string[] } {
  const calls: { request: VerifyRequest; operationId: string }[] = [];
  const cancelled: string[] = [];
  const rejecters = new Map<string, (reason: unknown) => void>();
  mockIPC((cmd, args) => {
    const { request, operationId } = args as { request: VerifyRequest; operationId: string };
    if (cmd === "decode_token") return sampleDecoded();
    if (cmd === "cancel_operation") {
      cancelled.push(operationId);
      rejecters.get(operationId)?.({
        code: "operation.cancelled",
        message: "cancelled before it finished",
        details: null,
        exchanges: [{ ...exchange("https://idp.example/jwks", null), error: "cancelled: the operation was stopped before the response was complete" }],
      });
      return null;
    }
    if (cmd !== "verify_token") throw new Error(`unexpected command ${cmd}`);
    calls.push({ request, operationId });
    return new Promise((_resolve, reject) => rejecters.set(operationId, reject));
  });
  return { calls, cancelled };
}

async function startNetworkVerification(url = "https://idp.example/jwks"): Promise<void> {
  await input("verify-token", "a.b.c");
  await chooseKind("jwks_url");
  await input("verify-key-value", url);
  await fireEvent.click(screen.getByTestId("verify-run"));
}

test("a network verification shows a spinner with Cancel, which stops it quietly", async () => {
  const { calls, cancelled } = mockCancellableVerify();
  render(Verify);
  await startNetworkVerification();
  expect(await screen.findByTestId("verify-pending")).toHaveTextContent("Fetching keys and verifying…");
  expect(calls).toHaveLength(1);

  await fireEvent.click(screen.getByTestId("verify-cancel"));
  expect(cancelled).toEqual([calls[0]?.operationId]);
  expect(await screen.findByTestId("verify-cancelled")).toHaveTextContent("Cancelled.");
  expect(screen.queryByTestId("verify-pending")).not.toBeInTheDocument();
  // Not an error: no alert, no error box; the unfinished exchange is still shown.
  expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  expect(screen.queryByTestId("verify-error")).not.toBeInTheDocument();
  expect(screen.getByTestId("exchange-row-0")).toHaveTextContent("https://idp.example/jwks");
});

test("changing the key source while keys are fetched cancels that verification", async () => {
  const { calls, cancelled } = mockCancellableVerify();
  render(Verify);
  await startNetworkVerification();
  await screen.findByTestId("verify-pending");

  await input("verify-key-value", "https://idp.example/other-jwks");
  expect(cancelled).toEqual([calls[0]?.operationId]);
  // Superseded, not cancelled by the user: nothing says "Cancelled".
  await new Promise((r) => setTimeout(r, 20));
  expect(screen.queryByTestId("verify-cancelled")).not.toBeInTheDocument();

  // Verifying again cancels the one still running too, under a new operation id.
  await fireEvent.click(screen.getByTestId("verify-run"));
  await fireEvent.click(screen.getByTestId("verify-run"));
  expect(calls).toHaveLength(3);
  expect(new Set(calls.map((c) => c.operationId)).size).toBe(3);
  expect(cancelled).toEqual([calls[0]?.operationId, calls[1]?.operationId]);
  expect(screen.getByTestId("verify-pending")).toBeInTheDocument();
});

import { mockIPC } from "@tauri-apps/api/mocks";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { expect, test, vi } from "vitest";

import type { DecodedToken } from "../../bindings/DecodedToken";
import { base64Error, decodedWithClaims, jweDecoded, sampleDecoded } from "../../../test/fixtures";
import Inspect from "./Inspect.svelte";
import { SAMPLE_TOKEN } from "./sample";

async function typeToken(value: string): Promise<void> {
  await fireEvent.input(screen.getByTestId("token-input"), { target: { value } });
}

test("decodes typed input and shows header, claims, descriptions and findings", async () => {
  const tokens: unknown[] = [];
  mockIPC((cmd, args) => {
    if (cmd !== "decode_token") throw new Error(`unexpected command ${cmd}`);
    tokens.push((args as { token: string }).token);
    return sampleDecoded();
  });
  render(Inspect);

  await typeToken(`Bearer ${SAMPLE_TOKEN}`);
  expect(await screen.findByTestId("token-format")).toHaveTextContent("JWS");
  // The raw input goes to Rust untouched: normalising is its job.
  expect(tokens).toEqual([`Bearer ${SAMPLE_TOKEN}`]);

  expect(screen.getByTestId("claim-value-iss").textContent).toBe("joe");
  expect(screen.getByTestId("claim-value-exp").textContent).toBe("1300819380");
  expect(screen.getByTestId("claim-value-http://example.com/is_root").textContent).toBe("true");
  expect(screen.getByTestId("claim-description-iss")).toHaveTextContent("Issuer");
  expect(within(screen.getByTestId("claim-row-exp")).getByText("RFC 7519 §4.1.4")).toBeInTheDocument();
  expect(screen.getByTestId("claim-time-exp")).toHaveTextContent("2011-03-22T18:43:00Z");
  expect(screen.getByTestId("finding-expired")).toHaveTextContent("The token expired on 2011-03-22T18:43:00Z");
  expect(screen.getByTestId("finding-expired")).toHaveClass("error");
  expect(screen.getByTestId("header-param-description-alg")).toHaveTextContent("Algorithm used to sign");
  expect(screen.getByTestId("decoded-signature")).toHaveTextContent(sampleDecoded().signature ?? "");

  // The echo is the normalised token from Rust, segment by segment.
  const echo = screen.getByTestId("token-echo");
  expect(echo.textContent).toBe(SAMPLE_TOKEN);
  expect(echo.querySelector('[data-segment="payload"]')).toHaveClass("seg-payload");

  // Header keys stay in token order (typ before alg), not sorted.
  const header = screen.getByTestId("decoded-header").textContent;
  expect(header.indexOf('"typ"')).toBeGreaterThanOrEqual(0);
  expect(header.indexOf('"typ"')).toBeLessThan(header.indexOf('"alg"'));
  expect(header).toContain('"typ": "JWT"');
});

test("load-sample fills in the RFC 7519 example and decodes it", async () => {
  const tokens: string[] = [];
  mockIPC((_cmd, args) => {
    tokens.push((args as { token: string }).token);
    return sampleDecoded();
  });
  render(Inspect);

  await fireEvent.click(screen.getByTestId("load-sample"));
  expect(screen.getByTestId<HTMLTextAreaElement>("token-input").value).toBe(SAMPLE_TOKEN);
  await screen.findByTestId("claim-row-iss");
  expect(tokens).toEqual([SAMPLE_TOKEN]);
});

test("an error shows its message, names and marks the bad segment, and keeps the input", async () => {
  // Tauri rejects with the command's serialised error value, not an Error.
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
  mockIPC(() => Promise.reject(base64Error()));
  render(Inspect);

  const input = "aaa.bbb!bb.ccc";
  await typeToken(input);
  const error = await screen.findByTestId("decode-error");
  expect(error).toHaveTextContent("invalid base64url in the payload at position 3");
  expect(error).toHaveTextContent("Payload");
  expect(screen.getByTestId<HTMLTextAreaElement>("token-input").value).toBe(input);

  const echo = screen.getByTestId("token-echo");
  expect(echo.textContent).toBe(input);
  const bad = Array.from(echo.querySelectorAll(".bad")).map((e) => e.textContent).join("");
  expect(bad).toBe("bbb!bb");
  expect(echo.querySelector("[data-error-mark]")?.textContent).toBe("!");
  expect(screen.queryByTestId("decoded-header")).not.toBeInTheDocument();
});

test("a pasted Authorization header still gets the bad character marked", async () => {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
  mockIPC(() => Promise.reject({ ...base64Error(), token: "aaa.bbb!bb.ccc" }));
  render(Inspect);
  await typeToken("Authorization: Bearer aaa.bbb!bb.ccc");
  await screen.findByTestId("decode-error");
  const echo = screen.getByTestId("token-echo");
  expect(echo.textContent).toBe("aaa.bbb!bb.ccc");
  expect(echo.querySelector("[data-error-mark]")?.textContent).toBe("!");
});

test("a slower reply for older input never overwrites the newer one", async () => {
  const pending = new Map<string, (value: DecodedToken) => void>();
  mockIPC((_cmd, args) => {
    const token = (args as { token: string }).token;
    return new Promise<DecodedToken>((resolve) => pending.set(token, resolve));
  });
  render(Inspect);

  await typeToken("old.token.x");
  await waitFor(() => {
    expect(pending.has("old.token.x")).toBe(true);
  });
  await typeToken("new.token.y");
  await waitFor(() => {
    expect(pending.has("new.token.y")).toBe(true);
  });

  pending.get("new.token.y")?.(decodedWithClaims([{ name: "sub", value: "new", description: "Subject", spec: null, time: null }]));
  expect(await screen.findByTestId("claim-value-sub")).toHaveTextContent("new");

  pending.get("old.token.x")?.(decodedWithClaims([{ name: "sub", value: "old", description: "Subject", spec: null, time: null }]));
  await new Promise((r) => setTimeout(r, 20));
  expect(screen.getByTestId("claim-value-sub")).toHaveTextContent("new");
});

test("typing quickly sends one request for the final input", async () => {
  const tokens: string[] = [];
  mockIPC((_cmd, args) => {
    tokens.push((args as { token: string }).token);
    return sampleDecoded();
  });
  render(Inspect);

  await typeToken("e");
  await typeToken("ey");
  await typeToken("eyJ");
  await screen.findByTestId("token-format");
  expect(tokens).toEqual(["eyJ"]);
});

test("markup-looking claim values and names are shown as literal text", async () => {
  const evil = "<img src=x onerror=alert(1)>";
  mockIPC(() =>
    decodedWithClaims([
      { name: "note", value: evil, description: evil, spec: null, time: null },
      { name: "nested", value: { html: "<b>bold</b>" }, description: "Private claim", spec: null, time: null },
    ]),
  );
  const { container } = render(Inspect);

  await typeToken("a.b.c");
  expect((await screen.findByTestId("claim-value-note")).textContent).toBe(evil);
  expect(screen.getByTestId("claim-description-note").textContent).toBe(evil);
  expect(screen.getByTestId("claim-value-nested").textContent).toBe('{"html":"<b>bold</b>"}');
  expect(screen.getByTestId("decoded-payload")).toHaveTextContent(evil);
  expect(container.querySelector("img")).toBeNull();
  expect(container.querySelector("b")).toBeNull();
});

test("a kid with a right-to-left override shows its hidden character instead of reading as exe.png", async () => {
  const kid = "\u202egnp.exe";
  const message = `header parameter "kid" contains hidden characters ⟨U+202E⟩ that reorder or hide text (Trojan Source, CVE-2021-42574): what you read may not be what the token says`;
  mockIPC(() => {
    const decoded = decodedWithClaims([{ name: "name\u200b", value: "Mallory\u2066", description: "Private claim", spec: null, time: null }]);
    return {
      ...decoded,
      header: { typ: "JWT", alg: "HS256", kid },
      header_params: [...decoded.header_params, { name: "kid", value: kid, description: "Key ID", spec: "RFC 7515 §4.1.4", time: null }],
      findings: [{ severity: "warning", code: "hidden-characters", message }],
    } satisfies DecodedToken;
  });
  const { container } = render(Inspect);

  await typeToken("a.b.c");
  const value = await screen.findByTestId("header-param-value-kid");
  expect(value.textContent).toBe("⟨U+202E⟩gnp.exe");
  expect(value.querySelector(".hidden-char")?.textContent).toBe("⟨U+202E⟩");
  expect(screen.getByTestId("decoded-header")).toHaveTextContent('"kid": "⟨U+202E⟩gnp.exe"');
  expect(screen.getByTestId("claim-row-name\u200b")).toHaveTextContent("name⟨U+200B⟩");
  expect(screen.getByTestId("claim-value-name\u200b").textContent).toBe("Mallory⟨U+2066⟩");
  expect(screen.getByTestId("decoded-payload")).toHaveTextContent('"name⟨U+200B⟩": "Mallory⟨U+2066⟩"');
  expect(screen.getByTestId("finding-hidden-characters")).toHaveTextContent(message);
  // Nothing hidden reaches the page's text.
  expect(container.textContent).not.toMatch(/[\u202e\u2066\u200b]/u);
});

test("the exp countdown ticks every second from the clock", async () => {
  const start = Date.UTC(2026, 0, 1, 12, 0, 0);
  vi.useFakeTimers({ now: start });
  const exp = start / 1000 + 14 * 60 + 3;
  mockIPC(() =>
    decodedWithClaims([
      {
        name: "exp",
        value: exp,
        description: "Expiration time",
        spec: "RFC 7519 §4.1.4",
        time: { unix: exp, iso8601: "2026-01-01T12:14:03Z", relative: "expires in 14 min" },
      },
      {
        name: "iat",
        value: exp - 3600,
        description: "Issued at",
        spec: "RFC 7519 §4.1.6",
        time: { unix: exp - 3600, iso8601: "2026-01-01T11:14:03Z", relative: "issued 45 min ago" },
      },
    ]),
  );
  render(Inspect);

  await typeToken("a.b.c");
  await vi.advanceTimersByTimeAsync(100);
  const time = screen.getByTestId("claim-time-exp");
  expect(time).toHaveTextContent("expires in 14 min 03 s");
  expect(time).toHaveTextContent("2026-01-01T12:14:03Z");

  await vi.advanceTimersByTimeAsync(1000);
  expect(time).toHaveTextContent("expires in 14 min 02 s");

  await vi.advanceTimersByTimeAsync((14 * 60 + 2) * 1000 + 3 * 3600 * 1000);
  expect(time).toHaveTextContent("expired 3 h 00 min ago");

  // Other NumericDate claims show Rust's relative text.
  expect(screen.getByTestId("claim-time-iat")).toHaveTextContent("issued 45 min ago");
});

test("the expired badge appears when the countdown passes exp, without new input", async () => {
  const start = Date.UTC(2026, 0, 1, 12, 0, 0);
  vi.useFakeTimers({ now: start });
  const exp = start / 1000 + 5;
  let decodes = 0;
  mockIPC(() => {
    decodes += 1;
    const decoded = decodedWithClaims([
      {
        name: "exp",
        value: exp,
        description: "Expiration time",
        spec: "RFC 7519 §4.1.4",
        time: { unix: exp, iso8601: "2026-01-01T12:00:05Z", relative: "expires in 5 s" },
      },
    ]);
    // Like Rust: expired once the clock reaches exp.
    if (Date.now() >= exp * 1000) {
      decoded.findings = [{ severity: "error", code: "expired", message: "The token expired" }];
    }
    return decoded;
  });
  render(Inspect);

  await typeToken("a.b.c");
  await vi.advanceTimersByTimeAsync(100);
  expect(screen.queryByTestId("finding-expired")).toBeNull();
  expect(decodes).toBe(1);

  await vi.advanceTimersByTimeAsync(6000);
  expect(decodes).toBe(2);
  expect(screen.getByTestId("finding-expired")).toHaveTextContent("The token expired");
});

test("a JWE says plainly that its payload is encrypted", async () => {
  mockIPC(() => jweDecoded());
  render(Inspect);

  await typeToken("a.b.c.d.e");
  expect(await screen.findByTestId("token-format")).toHaveTextContent("JWE");
  expect(screen.getByTestId("decoded-payload")).toHaveTextContent("payload is encrypted");
  expect(screen.getByTestId("finding-encrypted")).toHaveClass("info");
  expect(screen.queryByTestId(/^claim-row-/)).not.toBeInTheDocument();
  const echo = screen.getByTestId("token-echo");
  expect(Array.from(echo.querySelectorAll("[data-segment]")).map((e) => e.getAttribute("data-segment"))).toEqual([
    "header",
    "encrypted_key",
    "iv",
    "ciphertext",
    "tag",
  ]);
});

test("clearing the input clears the result without calling Rust", async () => {
  const tokens: string[] = [];
  mockIPC((_cmd, args) => {
    tokens.push((args as { token: string }).token);
    return sampleDecoded();
  });
  render(Inspect);

  await typeToken("a.b.c");
  await screen.findByTestId("token-format");
  await typeToken("   ");
  await waitFor(() => {
    expect(screen.queryByTestId("token-format")).not.toBeInTheDocument();
  });
  expect(tokens).toEqual(["a.b.c"]);
});

test("integer-like claim names keep the token's order in the tree and in Copy JSON", async () => {
  // JS objects list "10" before "b"; the claims list from Rust has the token's order.
  const decoded = decodedWithClaims([
    { name: "b", value: 1, description: "Private claim", spec: null, time: null },
    { name: "10", value: { z: 1, a: 2 }, description: "Private claim", spec: null, time: null },
  ]);
  expect(Object.keys(decoded.payload ?? {})).toEqual(["10", "b"]);
  mockIPC(() => decoded);
  const writeText = vi.fn(() => Promise.resolve());
  Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
  render(Inspect);
  await typeToken("a.b.c");
  const payload = (await screen.findByTestId("decoded-payload")).textContent;
  expect(payload.indexOf('"b"')).toBeLessThan(payload.indexOf('"10"'));
  // Deeper levels keep the order received.
  expect(payload.indexOf('"z"')).toBeLessThan(payload.indexOf('"a"'));

  const copy = within(screen.getByTestId("decoded-payload").parentElement as HTMLElement).getByRole("button", {
    name: "Copy JSON",
  });
  await fireEvent.click(copy);
  await waitFor(() => {
    expect(writeText).toHaveBeenCalledWith('{\n  "b": 1,\n  "10": {\n    "z": 1,\n    "a": 2\n  }\n}');
  });
});

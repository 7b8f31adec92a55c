import { mockIPC } from "@tauri-apps/api/mocks";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { expect, test } from "vitest";

import type { DiscoverRequest } from "../../bindings/DiscoverRequest";
import type { DiscoveryFinding } from "../../bindings/DiscoveryFinding";
import type { DiscoveryReport } from "../../bindings/DiscoveryReport";
import type { FindingCode } from "../../bindings/FindingCode";
import { FINDING_CODES } from "../../bindings/vocabulary";
import { exchange, sampleDiscovery } from "../../../test/fixtures";
import { session } from "../../session.svelte";
import Discover from "./Discover.svelte";
import { loadRecent, placeholderIn, RECENT_KEY } from "./discover.svelte";

/** The shared sample report, with findings the core really emits, worded as it words them. */
function sampleReport(issuer: string): DiscoveryReport {
  return {
    ...sampleDiscovery(issuer),
    findings: [
      {
        severity: "warning",
        code: "pkce-without-s256",
        field: "code_challenge_methods_supported",
        message:
          'PKCE methods ["plain"] do not include S256, the only method that protects the code if the authorization request leaks (RFC 7636 §4.2, RFC 9700 §2.1.1)',
      },
      {
        severity: "info",
        code: "loopback-http",
        field: "token_endpoint",
        message: `"token_endpoint" uses plain http on a loopback host (${issuer}/token): fine for local testing, never for a deployed provider (OIDC Discovery 1.0 §3, RFC 8252 §8.3)`,
      },
    ],
  };
}

function mockDiscover(reply: (r: DiscoverRequest) => DiscoveryReport | Promise<DiscoveryReport>): DiscoverRequest[] {
  const requests: DiscoverRequest[] = [];
  mockIPC((cmd, args) => {
    if (cmd === "compare_metadata") {
      return [{ path: "/token_endpoint", change: "changed", before: "a", after: "b", member: false, security: false }];
    }
    if (cmd === "cancel_operation") return null;
    if (cmd !== "discover_issuer") throw new Error(`unexpected command ${cmd}`);
    const request = (args as { request: DiscoverRequest }).request;
    requests.push(request);
    return reply(request);
  });
  return requests;
}

async function discover(issuer: string): Promise<void> {
  await fireEvent.input(screen.getByTestId("discover-issuer"), { target: { value: issuer } });
  await fireEvent.click(screen.getByTestId("discover-run"));
}

test("a discovery shows findings, grouped fields, key cards, raw JSON and exchanges", async () => {
  const requests = mockDiscover((r) => sampleReport(r.issuer));
  render(Discover);
  await fireEvent.click(screen.getByTestId("discover-allow-http"));
  await discover(" http://127.0.0.1:8080 ");

  const finding = await screen.findByTestId("discovery-finding-pkce-without-s256");
  expect(requests).toEqual([{ issuer: "http://127.0.0.1:8080", oauth: false, allow_http: true, refresh: false }]);
  expect(finding).toHaveClass("warning");
  expect(finding).toHaveTextContent("code_challenge_methods_supported");
  expect(finding).toHaveTextContent("do not include S256");
  expect(screen.getByTestId("discovery-finding-loopback-http")).toHaveClass("info");

  const token = screen.getByTestId("discover-field-token_endpoint");
  expect(token).toHaveTextContent("http://127.0.0.1:8080/token");
  expect(token).toHaveTextContent("Where codes are exchanged for tokens");
  expect(token.closest("table")?.querySelector("caption")).toHaveTextContent("Endpoints");
  expect(screen.getByTestId("discover-field-x_vendor")).toHaveTextContent("Not in the catalog");

  const card = screen.getByTestId("key-card-ec-1");
  for (const text of ["EC", "P-256", "ES256", "use: sig", "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U"]) {
    expect(card).toHaveTextContent(text);
  }
  // A key without a kid is named by its position.
  expect(screen.getByTestId("key-card-1")).toHaveTextContent("1024 bits");

  expect(screen.getByTestId("exchange-row-1")).toHaveTextContent("http://127.0.0.1:8080/jwks");
  expect(screen.getByText("Raw JSON")).toBeInTheDocument();
});

test("a wrong URL shows the core's message and the exchange that failed", async () => {
  mockIPC(() =>
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    Promise.reject({
      code: "http.not_json",
      message: "https://idp.example/.well-known/openid-configuration returned HTML (text/html), expected JSON: is this a login page, or the wrong URL?",
      details: null,
      exchanges: [exchange("https://idp.example/.well-known/openid-configuration", 200)],
    }),
  );
  render(Discover);
  await discover("https://idp.example");
  const error = await screen.findByTestId("discover-error");
  expect(error).toHaveTextContent("returned HTML");
  expect(error).toHaveTextContent("http.not_json");
  expect(screen.getByTestId("exchange-row-0")).toBeInTheDocument();
  expect(screen.queryByTestId("discover-use-for-verify")).not.toBeInTheDocument();
});

test("a preset's placeholder must be replaced before fetching", async () => {
  const requests = mockDiscover((r) => sampleReport(r.issuer));
  render(Discover);
  await fireEvent.change(screen.getByTestId("discover-preset"), {
    target: { value: "https://login.microsoftonline.com/{tenant}/v2.0" },
  });
  expect(screen.getByTestId<HTMLInputElement>("discover-issuer").value).toBe("https://login.microsoftonline.com/{tenant}/v2.0");
  expect(screen.getByTestId("discover-problem")).toHaveTextContent("Replace {tenant}");
  expect(screen.getByTestId("discover-run")).toBeDisabled();
  expect(requests).toEqual([]);
  expect(placeholderIn("https://{host}/realms/{realm}")).toBe("{host}");
  expect(placeholderIn("https://accounts.google.com")).toBeNull();
});

test("issuers discovered are remembered as recent, tokens never", async () => {
  mockDiscover((r) => sampleReport(r.issuer));
  render(Discover);
  await discover("https://a.example");
  await screen.findByTestId("discover-use-for-verify");
  await discover("https://b.example");
  await waitFor(() => {
    expect(loadRecent()).toEqual(["https://b.example", "https://a.example"]);
  });
  expect(localStorage.getItem(RECENT_KEY)).not.toContain("eyJ");
  const options = Array.from(document.querySelectorAll("#discover-issuers option")).map((o) => o.getAttribute("value"));
  expect(options.slice(0, 2)).toEqual(["https://b.example", "https://a.example"]);
  expect(options).toContain("https://accounts.google.com");
});

test("Use for Verify hands the issuer to Verify", async () => {
  mockDiscover((r) => sampleReport(r.issuer));
  render(Discover);
  await discover("https://idp.example");
  await fireEvent.click(await screen.findByTestId("discover-use-for-verify"));
  expect(session.view).toBe("verify");
  expect(session.verifyKey).toEqual({ kind: "issuer", value: "https://idp.example" });
});

test("Use for a flow hands the issuer to Flows", async () => {
  mockDiscover((r) => sampleReport(r.issuer));
  render(Discover);
  await discover("https://idp.example");
  await fireEvent.click(await screen.findByTestId("discover-use-for-flow"));
  expect(session.view).toBe("flows");
  expect(session.flowIssuer).toBe("https://idp.example");
});

test("Compare with… lists how a second issuer's metadata differs", async () => {
  const requests = mockDiscover((r) => sampleReport(r.issuer));
  render(Discover);
  await discover("https://prod.example");
  await screen.findByTestId("discover-use-for-verify");
  await fireEvent.input(screen.getByTestId("discover-compare-issuer"), { target: { value: "https://staging.example" } });
  await fireEvent.click(screen.getByTestId("discover-compare-run"));
  const row = await screen.findByTestId("diff-row-metadata-token_endpoint");
  expect(within(row).getByText("a")).toBeInTheDocument();
  expect(requests.map((r) => r.issuer)).toEqual(["https://prod.example", "https://staging.example"]);
});

test("a slower reply for an older issuer never overwrites the newer one", async () => {
  const pending = new Map<string, (r: DiscoveryReport) => void>();
  mockDiscover((r) => new Promise((resolve) => pending.set(r.issuer, resolve)));
  render(Discover);
  await discover("https://old.example");
  await discover("https://new.example");
  await waitFor(() => {
    expect(pending.size).toBe(2);
  });
  pending.get("https://new.example")?.(sampleReport("https://new.example"));
  expect(await screen.findByRole("heading", { level: 1 })).toHaveTextContent("https://new.example");
  pending.get("https://old.example")?.(sampleReport("https://old.example"));
  await new Promise((r) => setTimeout(r, 20));
  expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("https://new.example");
});

test("markup from the server is shown as literal text", async () => {
  const evil = "<img src=x onerror=alert(1)>";
  mockDiscover((r) => {
    const report = sampleReport(r.issuer);
    return {
      ...report,
      findings: [{ severity: "info", code: "unknown-field", field: evil, message: evil }],
      fields: [{ name: "op_policy_uri", value: evil, group: "other", description: evil, spec: null }],
    };
  });
  const { container } = render(Discover);
  await discover("https://idp.example");
  expect(await screen.findByTestId("discover-field-op_policy_uri")).toHaveTextContent(evil);
  expect(screen.getByTestId("discovery-finding-unknown-field")).toHaveTextContent(evil);
  expect(container.querySelector("img")).toBeNull();
});

test("strings from the server show their hidden characters", async () => {
  const kid = "\u202eyek-gnidrom";
  const message = `the JWK Set at /keys/0/kid contains hidden characters ⟨U+202E⟩ that reorder or hide text (Trojan Source, CVE-2021-42574): what you read may not be what the server says`;
  mockDiscover((r) => {
    const report = sampleReport(r.issuer);
    const key = report.keys[0];
    return {
      ...report,
      findings: [{ severity: "warning", code: "hidden-characters", field: "jwks_uri", message }],
      fields: report.fields.map((f) => (f.name === "token_endpoint" ? { ...f, value: `${r.issuer}/to\u200bken` } : f)),
      keys: key ? [{ ...key, kid }] : [],
    };
  });
  const { container } = render(Discover);
  await discover("https://idp.example");
  expect(await screen.findByTestId("discovery-finding-hidden-characters")).toHaveTextContent(message);
  expect(screen.getByTestId("discover-field-token_endpoint")).toHaveTextContent("https://idp.example/to⟨U+200B⟩ken");
  expect(screen.getByTestId(`key-card-${kid}`)).toHaveTextContent("⟨U+202E⟩yek-gnidrom");
  expect(container.textContent).not.toMatch(/[\u202e\u200b]/u);
});

test("the finding codes mocked here are ones the core emits", () => {
  // The mocks are typed DiscoveryReports, so a code the core's FindingCode enum does not have
  // fails svelte-check; the test ids looked up by code are checked against the generated list.
  const lookedUp: FindingCode[] = ["unknown-field", "hidden-characters"];
  const codes = [...sampleReport("https://idp.example").findings.map((f) => f.code), ...lookedUp];
  for (const code of codes) {
    expect(FINDING_CODES, code).toContain(code);
  }
});

/** discover_issuer calls that wait until cancel_operation names them, then reject as Rust does. */
function mockCancellableDiscover(): { calls: { issuer: string; operationId: string }[]; cancelled: string[] } {
  const calls: { issuer: string; operationId: string }[] = [];
  const cancelled: string[] = [];
  const rejecters = new Map<string, (reason: unknown) => void>();
  mockIPC((cmd, args) => {
    const { request, operationId } = args as { request: DiscoverRequest; operationId: string };
    if (cmd === "cancel_operation") {
      cancelled.push(operationId);
      rejecters.get(operationId)?.({
        code: "operation.cancelled",
        message: "cancelled before it finished",
        details: null,
        exchanges: [{ ...exchange("https://slow.example/.well-known/openid-configuration", null), error: "cancelled" }],
      });
      return null;
    }
    if (cmd !== "discover_issuer") throw new Error(`unexpected command ${cmd}`);
    calls.push({ issuer: request.issuer, operationId });
    return new Promise((_resolve, reject) => rejecters.set(operationId, reject));
  });
  return { calls, cancelled };
}

test("a discovery shows a spinner with Cancel, which stops it quietly", async () => {
  const { calls, cancelled } = mockCancellableDiscover();
  render(Discover);
  await discover("https://slow.example");
  expect(await screen.findByTestId("discover-pending")).toHaveTextContent("Fetching the metadata and keys…");

  await fireEvent.click(screen.getByTestId("discover-cancel"));
  expect(cancelled).toEqual([calls[0]?.operationId]);
  expect(await screen.findByTestId("discover-cancelled")).toHaveTextContent("Cancelled.");
  expect(screen.queryByTestId("discover-pending")).not.toBeInTheDocument();
  expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  expect(screen.getByTestId("exchange-row-0")).toHaveTextContent("https://slow.example/.well-known/openid-configuration");
});

test("typing another issuer, or discovering again, cancels the discovery still running", async () => {
  const { calls, cancelled } = mockCancellableDiscover();
  render(Discover);
  await discover("https://slow.example");
  await screen.findByTestId("discover-pending");
  await fireEvent.input(screen.getByTestId("discover-issuer"), { target: { value: "https://other.example" } });
  expect(cancelled).toEqual([calls[0]?.operationId]);
  expect(screen.queryByTestId("discover-pending")).not.toBeInTheDocument();
  await new Promise((r) => setTimeout(r, 20));
  expect(screen.queryByTestId("discover-cancelled")).not.toBeInTheDocument();

  await fireEvent.click(screen.getByTestId("discover-run"));
  await fireEvent.click(screen.getByTestId("discover-run"));
  expect(calls.map((c) => c.issuer)).toEqual(["https://slow.example", "https://other.example", "https://other.example"]);
  expect(cancelled).toEqual([calls[0]?.operationId, calls[1]?.operationId]);
  expect(screen.getByTestId("discover-pending")).toBeInTheDocument();
});

test("the same finding about many endpoints is one row listing them, expandable", async () => {
  mockDiscover((r) => {
    const report = sampleReport(r.issuer);
    const loopback = (field: string): DiscoveryFinding => ({
      severity: "info",
      code: "loopback-http",
      field,
      message: `"${field}" uses plain http on a loopback host`,
    });
    return { ...report, findings: [...report.findings, loopback("jwks_uri"), loopback("userinfo_endpoint")] };
  });
  render(Discover);
  await discover("http://127.0.0.1:8080");

  await screen.findByTestId("discovery-finding-loopback-http");
  const rows = within(screen.getByRole("list", { name: "Findings" })).getAllByRole("listitem");
  expect(rows.map((r) => r.dataset.testid)).toEqual(["discovery-finding-pkce-without-s256", "discovery-finding-loopback-http"]);
  const loopbackRow = screen.getByTestId("discovery-finding-loopback-http");
  expect(loopbackRow).toHaveTextContent("token_endpoint");
  expect(screen.getByText("1 info")).toBeInTheDocument();
  expect(screen.queryByTestId("discovery-finding-loopback-http-fields")).not.toBeInTheDocument();

  const more = within(loopbackRow).getByTestId("discovery-finding-loopback-http-more");
  expect(more).toHaveTextContent("+2 more fields");
  expect(more).toHaveAttribute("aria-expanded", "false");
  await fireEvent.click(more);
  expect(more).toHaveAttribute("aria-expanded", "true");
  const fields = screen.getByTestId("discovery-finding-loopback-http-fields");
  expect(fields).toHaveTextContent("jwks_uri");
  expect(fields).toHaveTextContent("userinfo_endpoint");
});

test("starting a discovery closes the recent-issuers suggestions; typing brings them back", async () => {
  mockDiscover((r) => sampleReport(r.issuer));
  render(Discover);
  const input = screen.getByTestId("discover-issuer");
  expect(input).toHaveAttribute("list", "discover-issuers");
  input.focus();
  await discover("http://127.0.0.1:8080");
  expect(input).not.toHaveAttribute("list");
  expect(document.activeElement).toBe(input);
  await screen.findByTestId("discovery-finding-loopback-http");
  await fireEvent.input(input, { target: { value: "http://127.0.0.1:9090" } });
  expect(input).toHaveAttribute("list", "discover-issuers");
});

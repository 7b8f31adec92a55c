import { mockIPC } from "@tauri-apps/api/mocks";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { expect, test } from "vitest";

import App from "../App.svelte";
import type { DiscoverRequest } from "./bindings/DiscoverRequest";
import { sampleDecoded, sampleDiscovery } from "../test/fixtures";
import { SAMPLE_TOKEN } from "./features/inspect/sample";
import { LAST_VIEW_KEY, session } from "./session.svelte";
import { MAIN_ACTION_EVENT } from "./shortcuts";

function key(key: string, init: KeyboardEventInit = {}, target: Element = document.activeElement ?? document.body): Promise<boolean> {
  const code = /^[0-9]$/.test(key) ? `Digit${key}` : key;
  return fireEvent.keyDown(target, { key, code, ...init });
}

function paste(text: string, target: Element = document.body): Promise<boolean> {
  const event = new Event("paste", { bubbles: true, cancelable: true });
  Object.defineProperty(event, "clipboardData", { value: { getData: (type: string) => (type === "text/plain" ? text : "") } });
  return fireEvent(target, event);
}

test("Ctrl + a digit switches views in nav order, the caret in the view's field", async () => {
  mockIPC(() => sampleDecoded());
  render(App);
  // From the nav too: the caret leaves it for the new view's field.
  screen.getByTestId("nav-inspect").focus();
  await key("2", { ctrlKey: true });
  expect(screen.getByTestId("nav-verify")).toHaveAttribute("aria-current", "page");
  await waitFor(() => {
    expect(document.activeElement).toBe(screen.getByTestId("verify-token"));
  });
  await key("5", { metaKey: true });
  expect(screen.getByTestId("nav-discover")).toHaveAttribute("aria-current", "page");
  await waitFor(() => {
    expect(document.activeElement).toBe(screen.getByTestId("discover-issuer"));
  });
  // Beyond the last view: nothing.
  await key("9", { ctrlKey: true });
  expect(screen.getByTestId("nav-discover")).toHaveAttribute("aria-current", "page");
});

test("Ctrl + Enter runs Discover from the issuer field, and Esc cancels the wait", async () => {
  const requests: DiscoverRequest[] = [];
  const cancelled: string[] = [];
  mockIPC((cmd, args) => {
    if (cmd === "cancel_operation") {
      cancelled.push((args as { operationId: string }).operationId);
      return null;
    }
    if (cmd === "discover_issuer") {
      requests.push((args as { request: DiscoverRequest }).request);
      return new Promise(() => undefined);
    }
    return null;
  });
  session.open("discover");
  render(App);
  const issuer = screen.getByTestId("discover-issuer");
  issuer.focus();
  await fireEvent.input(issuer, { target: { value: "http://127.0.0.1:9" } });
  await key("Enter", { ctrlKey: true });
  expect(await screen.findByTestId("discover-pending")).toBeInTheDocument();
  expect(requests.map((r) => r.issuer)).toEqual(["http://127.0.0.1:9"]);
  expect(document.activeElement).toBe(issuer);

  await key("Escape");
  await waitFor(() => {
    expect(cancelled).toHaveLength(1);
  });
  expect(document.activeElement).toBe(issuer);
});

test("Ctrl + Enter presses the action nearest the caret: Discover's Compare from the second issuer", async () => {
  const issuers: string[] = [];
  mockIPC((cmd, args) => {
    if (cmd === "discover_issuer") {
      const request = (args as { request: DiscoverRequest }).request;
      issuers.push(request.issuer);
      return sampleDiscovery(request.issuer);
    }
    if (cmd === "compare_metadata") return [];
    return null;
  });
  session.open("discover");
  render(App);
  await fireEvent.input(screen.getByTestId("discover-issuer"), { target: { value: "http://127.0.0.1:1" } });
  await key("Enter", { ctrlKey: true });
  const second = await screen.findByTestId("discover-compare-issuer");
  second.focus();
  await fireEvent.input(second, { target: { value: "http://127.0.0.1:2" } });
  await key("Enter", { ctrlKey: true });
  expect(await screen.findByTestId("discover-compare-same")).toBeInTheDocument();
  expect(issuers).toEqual(["http://127.0.0.1:1", "http://127.0.0.1:2"]);
});

test("a view can take Ctrl + Enter itself through the main-action event", async () => {
  mockIPC(() => null);
  session.open("discover");
  render(App);
  const seen: string[] = [];
  const take = (e: Event): void => {
    seen.push((e as CustomEvent<{ view: string }>).detail.view);
    e.preventDefault();
  };
  window.addEventListener(MAIN_ACTION_EVENT, take);
  try {
    await fireEvent.input(screen.getByTestId("discover-issuer"), { target: { value: "http://127.0.0.1:9" } });
    await key("Enter", { ctrlKey: true });
    expect(seen).toEqual(["discover"]);
    expect(screen.queryByTestId("discover-pending")).not.toBeInTheDocument();
  } finally {
    window.removeEventListener(MAIN_ACTION_EVENT, take);
  }
});

test("? lists the shortcuts outside text fields; Esc closes the list and gives the caret back", async () => {
  mockIPC(() => sampleDecoded());
  render(App);
  const input = screen.getByTestId("token-input");
  input.focus();
  await key("?", { shiftKey: true });
  expect(screen.queryByTestId("shortcuts")).not.toBeInTheDocument();

  const nav = screen.getByTestId("nav-diff");
  nav.focus();
  await key("?", { shiftKey: true });
  expect(screen.getByRole("dialog", { name: "Keyboard shortcuts" })).toHaveTextContent("Ctrl + 3");
  expect(document.activeElement).toBe(screen.getByTestId("shortcuts-close"));
  await key("Escape");
  expect(screen.queryByTestId("shortcuts")).not.toBeInTheDocument();
  expect(document.activeElement).toBe(nav);
});

test("a token pasted outside a text field opens in Inspect, even from another view", async () => {
  mockIPC(() => sampleDecoded());
  session.open("diff");
  render(App);
  await paste(`Bearer ${SAMPLE_TOKEN}`);
  expect(screen.getByTestId("nav-inspect")).toHaveAttribute("aria-current", "page");
  expect(screen.getByTestId<HTMLTextAreaElement>("token-input").value).toBe(`Bearer ${SAMPLE_TOKEN}`);
  expect(await screen.findByTestId("token-format")).toBeInTheDocument();

  // On Inspect already: the new paste replaces the token.
  await paste("eyJhbGciOiJub25lIn0.eyJzdWIiOiIyIn0.");
  expect(screen.getByTestId<HTMLTextAreaElement>("token-input").value).toBe("eyJhbGciOiJub25lIn0.eyJzdWIiOiIyIn0.");
  // Nothing pasted is stored.
  expect(Object.keys(localStorage)).toEqual([LAST_VIEW_KEY]);
  expect(localStorage.getItem(LAST_VIEW_KEY)).toBe("inspect");
});

test("a paste into a text field, or of ordinary text, is the field's own", async () => {
  mockIPC(() => sampleDecoded());
  session.open("discover");
  render(App);
  await paste(SAMPLE_TOKEN, screen.getByTestId("discover-issuer"));
  await paste("just some words");
  expect(screen.getByTestId("nav-discover")).toHaveAttribute("aria-current", "page");
});

test("a pasted redirect URL is explained in Inspect, its token decoded", async () => {
  mockIPC(() => sampleDecoded());
  render(App);
  await paste(`http://127.0.0.1:8400/callback?code=abc&state=s1&iss=https%3A%2F%2Fidp.example#id_token=${SAMPLE_TOKEN}`);
  const panel = await screen.findByTestId("redirect-panel");
  expect(screen.getByTestId("redirect-param-code")).toHaveTextContent("authorization code");
  expect(screen.getByTestId("redirect-param-iss")).toHaveTextContent("RFC 9207");
  expect(screen.getByTestId("redirect-shown-id_token")).toBeInTheDocument();
  expect(screen.getByTestId<HTMLTextAreaElement>("token-input").value).toBe(SAMPLE_TOKEN);
  expect(panel).toHaveTextContent("state");
  await fireEvent.click(screen.getByTestId("redirect-dismiss"));
  expect(screen.queryByTestId("redirect-panel")).not.toBeInTheDocument();
});

test("the app reopens on the last view", async () => {
  mockIPC(() => sampleDiscovery());
  const first = render(App);
  await fireEvent.click(screen.getByTestId("nav-discover"));
  first.unmount();
  session.view = "inspect";
  render(App);
  expect(screen.getByTestId("nav-discover")).toHaveAttribute("aria-current", "page");
});

test("a file dropped on Inspect is decoded; one too large is refused", async () => {
  mockIPC(() => sampleDecoded());
  render(App);
  const zone = screen.getByRole("region", { name: "Token input" });
  const drop = (file: File): Promise<boolean> => fireEvent.drop(zone, { dataTransfer: { types: ["Files"], files: [file] } });
  await drop(new File([`${SAMPLE_TOKEN}\n`], "token.txt"));
  await waitFor(() => {
    expect(screen.getByTestId<HTMLTextAreaElement>("token-input").value).toBe(SAMPLE_TOKEN);
  });
  await drop(new File(["x".repeat(1024 * 1024 + 1)], "huge.txt"));
  expect(await screen.findByTestId("inspect-drop-error")).toHaveTextContent("huge.txt is 1048577 bytes");
});

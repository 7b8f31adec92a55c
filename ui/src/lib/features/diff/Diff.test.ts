import { mockIPC } from "@tauri-apps/api/mocks";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { expect, test } from "vitest";

import type { TokenDiff } from "../../bindings/TokenDiff";
import { sampleComparison, sampleDiff } from "../../../test/fixtures";
import { changeRows, pathTestId, pointerLabel } from "../../ui/changes";
import Diff from "./Diff.svelte";
import { lifetimeText } from "./diff.svelte";

function mockDiff(reply: (a: string, b: string) => TokenDiff | Promise<TokenDiff>): [string, string][] {
  const calls: [string, string][] = [];
  mockIPC((cmd, args) => {
    if (cmd !== "diff_token_pair") throw new Error(`unexpected command ${cmd}`);
    const { a, b } = args as { a: string; b: string };
    calls.push([a, b]);
    return Promise.resolve(reply(a, b)).then((diff) => sampleComparison(diff));
  });
  return calls;
}

async function paste(side: "a" | "b", value: string): Promise<void> {
  await fireEvent.input(screen.getByTestId(`diff-input-${side}`), { target: { value } });
}

test("two tokens give the summary, aligned rows, set members and time deltas", async () => {
  const calls = mockDiff(() => sampleDiff());
  render(Diff);
  await paste("a", "a.a.a");
  await paste("b", "b.b.b");

  expect(await screen.findByTestId("diff-summary")).toHaveTextContent("3 claims changed, exp +15 min, aud changed");
  expect(calls).toEqual([["a.a.a", "b.b.b"]]);

  const exp = screen.getByTestId("diff-row-payload-exp");
  expect(exp).toHaveClass("changed");
  expect(exp).toHaveTextContent("1900");
  expect(exp).toHaveTextContent("2800");
  expect(screen.getByTestId("diff-delta-payload-exp")).toHaveTextContent("+15 min");

  const aud = screen.getByTestId("diff-row-payload-aud");
  expect(aud).toHaveClass("changed");
  expect(aud).toHaveClass("security");
  expect(within(aud).getByText("+web")).toBeInTheDocument();
  expect(within(aud).getByText("−old")).toBeInTheDocument();

  expect(screen.getByTestId("diff-row-payload-address_city")).toHaveClass("removed");
  expect(screen.getByTestId("diff-signature-changed")).toHaveTextContent("Signature changed: yes");
  expect(screen.getByTestId("diff-lifetime")).toHaveTextContent("15 min → 30 min");
});

test("side by side lines up every claim, unchanged ones included, and keeps the choice", async () => {
  mockDiff(() => sampleDiff());
  render(Diff);
  await paste("a", "a.a.a");
  await paste("b", "b.b.b");
  await screen.findByTestId("diff-summary");
  expect(screen.queryByTestId("side-row-payload-sub")).not.toBeInTheDocument();

  await fireEvent.click(screen.getByTestId("diff-layout-side"));
  expect(screen.getByTestId("diff-layout-side")).toHaveAttribute("aria-pressed", "true");
  const sub = screen.getByTestId("side-row-payload-sub");
  expect(sub).toHaveClass("same");
  expect(sub).toHaveTextContent("u1");
  const exp = screen.getByTestId("side-row-payload-exp");
  expect(exp).toHaveClass("changed");
  expect(exp).toHaveTextContent("+15 min");
  const aud = screen.getByTestId("side-row-payload-aud");
  expect(aud).toHaveClass("security");
  expect(aud).toHaveTextContent('["api","old"]');
  expect(screen.getByTestId("side-row-payload-jti")).toHaveClass("added");
  expect(screen.getByTestId("side-row-header-alg")).toHaveClass("same");
  expect(screen.queryByTestId("diff-row-payload-exp")).not.toBeInTheDocument();

  // A new comparison keeps the side-by-side layout.
  await paste("b", "c.c.c");
  await waitFor(() => {
    expect(screen.getByTestId("side-row-payload-sub")).toBeInTheDocument();
  });
  await fireEvent.click(screen.getByTestId("diff-layout-changes"));
  expect(screen.getByTestId("diff-row-payload-exp")).toBeInTheDocument();
  expect(screen.queryByTestId("side-row-payload-sub")).not.toBeInTheDocument();
});

test("nothing is compared until both tokens are there", async () => {
  const calls = mockDiff(() => sampleDiff());
  render(Diff);
  await paste("a", "a.a.a");
  await new Promise((r) => setTimeout(r, 250));
  expect(calls).toEqual([]);
  expect(screen.queryByTestId("diff-summary")).not.toBeInTheDocument();
});

test("a malformed token B is pointed out under B", async () => {
  mockIPC(() =>
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    Promise.reject({ code: "jwt.segment_count", message: "a JWT has 3 segments, this has 2", details: null, exchanges: [], input: "b" }),
  );
  render(Diff);
  await paste("a", "a.a.a");
  await paste("b", "b.b");
  expect(await screen.findByTestId("diff-error-b")).toHaveTextContent("a JWT has 3 segments");
  expect(screen.queryByTestId("diff-error-a")).not.toBeInTheDocument();
  expect(screen.queryByTestId("diff-summary")).not.toBeInTheDocument();
});

test("a slower reply for older input never overwrites the newer one", async () => {
  const pending = new Map<string, (d: TokenDiff) => void>();
  mockDiff((_a, b) => new Promise((resolve) => pending.set(b, resolve)));
  render(Diff);
  await paste("a", "a.a.a");
  await paste("b", "old.b.b");
  await waitFor(() => {
    expect(pending.has("old.b.b")).toBe(true);
  });
  await paste("b", "new.b.b");
  await waitFor(() => {
    expect(pending.has("new.b.b")).toBe(true);
  });
  pending.get("new.b.b")?.({ ...sampleDiff(), summary: "new" });
  expect(await screen.findByTestId("diff-summary")).toHaveTextContent("new");
  pending.get("old.b.b")?.({ ...sampleDiff(), summary: "old" });
  await new Promise((r) => setTimeout(r, 20));
  expect(screen.getByTestId("diff-summary")).toHaveTextContent("new");
});

test("markup in claim values is shown as literal text", async () => {
  const evil = "<img src=x onerror=alert(1)>";
  mockDiff(() => ({
    ...sampleDiff(),
    payload: [{ path: "/note", change: "added", before: null, after: evil, member: false, security: false }],
  }));
  const { container } = render(Diff);
  await paste("a", "a.a.a");
  await paste("b", "b.b.b");
  expect(await screen.findByTestId("diff-row-payload-note")).toHaveTextContent(evil);
  expect(container.querySelector("img")).toBeNull();
});

test("identical tokens say so", async () => {
  mockDiff(() => ({ ...sampleDiff(), payload: [], signature_changed: false, summary: "identical" }));
  render(Diff);
  await paste("a", "a.a.a");
  await paste("b", "a.a.a");
  expect(await screen.findByText(/identical: same header/)).toBeInTheDocument();
  expect(screen.getByTestId("diff-signature-changed")).toHaveTextContent("no");
});

test("rows group set members, and paths become labels and test ids", () => {
  const rows = changeRows(sampleDiff().payload);
  expect(rows.map((r) => [r.label, r.kind])).toEqual([
    ["exp", "changed"],
    ["aud", "changed"],
    ["address/city", "removed"],
  ]);
  expect(rows[1]).toMatchObject({ isSet: true, added: ["web"], removed: ["old"], security: true });
  expect(pointerLabel("/a~1b/c~0d")).toBe("a/b/c~d");
  expect(pathTestId("/address/city")).toBe("address_city");
  expect(lifetimeText(900)).toBe("15 min");
  expect(lifetimeText(86400)).toBe("1 d");
  expect(lifetimeText(null)).toBe("—");
});

test("typing in A while B is empty keeps the caret in A (it moves to B only on arrival from Diff with…)", async () => {
  mockDiff(() => sampleDiff());
  render(Diff);
  const a = screen.getByTestId<HTMLTextAreaElement>("diff-input-a");
  a.focus();
  await fireEvent.input(a, { target: { value: "e" } });
  await fireEvent.input(a, { target: { value: "ey" } });
  await new Promise((r) => setTimeout(r, 0));
  expect(document.activeElement).toBe(a);
  expect(screen.getByTestId<HTMLTextAreaElement>("diff-input-b").value).toBe("");
});

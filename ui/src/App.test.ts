import { mockIPC } from "@tauri-apps/api/mocks";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { expect, test } from "vitest";

import App from "./App.svelte";
import { SAMPLE_TOKEN } from "./lib/features/inspect/sample";
import { sampleDecoded } from "./test/fixtures";

test("the nav lists only views that exist, with Inspect active", () => {
  render(App);
  const nav = screen.getByRole("navigation", { name: "Views" });
  expect(within(nav).getAllByRole("button").map((b) => b.textContent)).toEqual(["Inspect", "Verify", "Diff", "Encode", "Discover", "Flows", "Profiles", "Vault"]);
  expect(screen.getByTestId("nav-inspect")).toHaveAttribute("aria-current", "page");
  expect(screen.getByTestId("token-input")).toBeInTheDocument();
});

test("a token pasted in Inspect is already in Verify, and back", async () => {
  mockIPC(() => sampleDecoded());
  render(App);
  await fireEvent.input(screen.getByTestId("token-input"), { target: { value: SAMPLE_TOKEN } });
  await fireEvent.click(screen.getByTestId("nav-verify"));
  expect(screen.getByTestId<HTMLTextAreaElement>("verify-token").value).toBe(SAMPLE_TOKEN);
  await fireEvent.input(screen.getByTestId("verify-token"), { target: { value: "x.y.z" } });
  await fireEvent.click(screen.getByTestId("nav-inspect"));
  expect(screen.getByTestId<HTMLTextAreaElement>("token-input").value).toBe("x.y.z");
});

test("Diff with… opens Diff with the inspected token as A", async () => {
  mockIPC(() => sampleDecoded());
  render(App);
  await fireEvent.input(screen.getByTestId("token-input"), { target: { value: SAMPLE_TOKEN } });
  await fireEvent.click(await screen.findByTestId("inspect-diff-with"));
  expect(screen.getByTestId("nav-diff")).toHaveAttribute("aria-current", "page");
  expect(screen.getByTestId<HTMLTextAreaElement>("diff-input-a").value).toBe(SAMPLE_TOKEN);
  expect(screen.getByTestId<HTMLTextAreaElement>("diff-input-b").value).toBe("");
  await waitFor(() => {
    expect(document.activeElement).toBe(screen.getByTestId("diff-input-b"));
  });
});

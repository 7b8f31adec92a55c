import { render, screen, within } from "@testing-library/svelte";
import { expect, test } from "vitest";

import App from "./App.svelte";

test("the nav lists only views that exist, with Inspect active", () => {
  render(App);
  const nav = screen.getByRole("navigation", { name: "Views" });
  expect(within(nav).getAllByRole("button").map((b) => b.textContent)).toEqual(["Inspect"]);
  expect(screen.getByTestId("nav-inspect")).toHaveAttribute("aria-current", "page");
  expect(screen.getByTestId("token-input")).toBeInTheDocument();
});

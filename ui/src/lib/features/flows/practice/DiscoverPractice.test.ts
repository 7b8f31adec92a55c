import { mockIPC } from "@tauri-apps/api/mocks";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, expect, test } from "vitest";

import type { DiscoverRequest } from "../../../bindings/DiscoverRequest";
import type { PracticeStatus } from "../../../bindings/PracticeStatus";
import { sampleDiscovery } from "../../../../test/fixtures";
import Discover from "../../discover/Discover.svelte";
import { resetPracticeState } from "./practice.svelte";

const RUNNING: PracticeStatus = {
  issuer: "http://127.0.0.1:41234",
  lesson: null,
  alg: "RS256",
  native_client_id: "practice-native",
  service_client_id: "practice-service",
  users: ["alice", "bob", "admin"],
};

beforeEach(() => {
  localStorage.clear();
  resetPracticeState();
});

afterEach(() => {
  resetPracticeState();
});

test("Discover the practice issuer starts it, fills the issuer box and discovers it", async () => {
  const calls: string[] = [];
  const discovered: DiscoverRequest[] = [];
  mockIPC((cmd, raw) => {
    const args = (raw ?? {}) as Record<string, unknown>;
    calls.push(cmd);
    switch (cmd) {
      case "practice_start":
        return RUNNING;
      case "discover_issuer":
        discovered.push(args.request as DiscoverRequest);
        return sampleDiscovery(RUNNING.issuer);
      default:
        return null;
    }
  });
  render(Discover);
  await fireEvent.click(screen.getByTestId("discover-practice"));
  await waitFor(() => {
    expect(discovered).toHaveLength(1);
  });
  expect(calls.filter((c) => c === "practice_start")).toHaveLength(1);
  expect(discovered[0]?.issuer).toBe(RUNNING.issuer);
  expect(screen.getByTestId("discover-issuer")).toHaveValue(RUNNING.issuer);

  // Running already: a second click discovers again without restarting it.
  await fireEvent.click(screen.getByTestId("discover-practice"));
  await waitFor(() => {
    expect(discovered).toHaveLength(2);
  });
  expect(calls.filter((c) => c === "practice_start")).toHaveLength(1);
});

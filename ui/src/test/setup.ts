import "@testing-library/jest-dom/vitest";
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, vi } from "vitest";

import { session } from "../lib/session.svelte";

afterEach(() => {
  clearMocks();
  session.reset();
  localStorage.clear();
  vi.useRealTimers();
});

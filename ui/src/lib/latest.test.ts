import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { Latest } from "./latest";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

test("debounce runs once, after the last call pauses", () => {
  const latest = new Latest();
  const run = vi.fn();
  latest.debounce(run, 100);
  vi.advanceTimersByTime(60);
  latest.debounce(run, 100);
  vi.advanceTimersByTime(60);
  expect(run).not.toHaveBeenCalled();
  vi.advanceTimersByTime(40);
  expect(run).toHaveBeenCalledTimes(1);
});

test("begin drops a waiting call and only the newest request stays current", () => {
  const latest = new Latest();
  const run = vi.fn();
  latest.debounce(run, 100);
  const first = latest.begin();
  expect(first()).toBe(true);
  const second = latest.begin();
  expect(first()).toBe(false);
  expect(second()).toBe(true);
  vi.advanceTimersByTime(200);
  expect(run).not.toHaveBeenCalled();
});

test("dispose makes running requests stale; cancel does not", () => {
  const latest = new Latest();
  const current = latest.begin();
  latest.cancel();
  expect(current()).toBe(true);
  latest.dispose();
  expect(current()).toBe(false);
});

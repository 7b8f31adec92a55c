import { expect, test } from "vitest";

import type { FlowEvent } from "../../bindings/FlowEvent";
import type { Step } from "../../bindings/Step";
import type { StepName } from "../../bindings/StepName";
import { applyEvent, awaitingRedirect, EMPTY_TIMELINE, finish, formatDuration, splitScopes, type Timeline } from "./timeline";

function step(name: StepName, status: Step["status"] = "ok"): Step {
  return {
    name,
    status,
    explanation: `${name} explained`,
    spec: "RFC 6749",
    request: null,
    response: null,
    exchanges: [],
    error: null,
    notes: [],
    duration_ms: 5,
  };
}

const URL_EVENT: FlowEvent = {
  event: "authorization_url",
  url: "http://127.0.0.1:9000/auth?client_id=c",
  params: [{ name: "client_id", value: "c", redacted: false, meaning: "who asks", spec: "RFC 6749 §4.1.1" }],
  redirect_uri: "http://127.0.0.1:5000/callback",
};

function replay(events: FlowEvent[], from: Timeline = EMPTY_TIMELINE): Timeline {
  return events.reduce(applyEvent, from);
}

test("events build the timeline in order, and the wait for the redirect lasts until its step", () => {
  let t = replay([{ event: "step", step: step("discovery") }, URL_EVENT]);
  expect(t.authorization?.redirect_uri).toBe("http://127.0.0.1:5000/callback");
  expect(t.authorization?.params[0]?.meaning).toBe("who asks");
  expect(t.browser).toBeNull();
  expect(awaitingRedirect(t)).toBe(true);

  t = replay([{ event: "browser_not_opened", message: "no xdg-open" }], t);
  expect(t.browser).toEqual({ opened: false, message: "no xdg-open" });
  t = replay([{ event: "step", step: step("authorization") }, { event: "step", step: step("token") }], t);
  expect(t.steps.map((s) => s.name)).toEqual(["discovery", "authorization", "token"]);
  expect(awaitingRedirect(t)).toBe(false);
});

test("nothing is awaited before the URL is out, nor once the command answered", () => {
  expect(awaitingRedirect(EMPTY_TIMELINE)).toBe(false);
  expect(awaitingRedirect(finish(replay([URL_EVENT]), []))).toBe(false);
});

test("the answer's steps replace the live ones, and later events change nothing", () => {
  const live = replay([URL_EVENT, { event: "step", step: step("discovery") }]);
  const answer = [step("discovery"), step("authorization", "failed")];
  const done = finish(live, answer);
  expect(done.steps).toBe(answer);
  expect(done.authorization).toEqual(live.authorization);
  expect(replay([{ event: "step", step: step("token") }, { event: "browser_opened" }], done)).toBe(done);
});

test("a cancel answers with no steps: the live ones stay", () => {
  const live = replay([{ event: "step", step: step("discovery") }, URL_EVENT, { event: "browser_opened" }]);
  const done = finish(live, []);
  expect(done.steps.map((s) => s.name)).toEqual(["discovery"]);
  expect(done.browser).toEqual({ opened: true });
  expect(done.finished).toBe(true);
});

test("durations read as people say them", () => {
  expect(formatDuration(0)).toBe("0 ms");
  expect(formatDuration(999)).toBe("999 ms");
  expect(formatDuration(1450)).toBe("1.4 s");
  expect(formatDuration(120_000)).toBe("2 min");
  expect(formatDuration(125_400)).toBe("2 min 5 s");
});

test("scopes split on spaces and commas", () => {
  expect(splitScopes(" openid  profile,offline_access ")).toEqual(["openid", "profile", "offline_access"]);
  expect(splitScopes("   ")).toEqual([]);
});

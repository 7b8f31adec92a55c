import { expect, test } from "vitest";

import type { Step } from "../../bindings/Step";
import type { StepName } from "../../bindings/StepName";
import { arrowsOf, sequenceOf } from "./sequence";
import { EMPTY_TIMELINE } from "./timeline";

function step(name: StepName, status: Step["status"] = "ok", responseStatus: number | null = 200): Step {
  return {
    name,
    status,
    explanation: "",
    spec: "",
    request: { method: "POST", url: "http://127.0.0.1:9000/x", headers: [], params: [] },
    response: responseStatus === null ? null : { status: responseStatus, headers: [], body: null },
    exchanges: [],
    error: status === "failed" ? "access_denied" : null,
    notes: [],
    duration_ms: 1,
  };
}

const path = (arrows: { from: string; to: string }[]) => arrows.map((a) => `${a.from}>${a.to}`);

test("the authorization step goes through the browser and back to Tokenscope's loopback listener", () => {
  expect(path(arrowsOf(step("authorization", "ok", null)))).toEqual([
    "tokenscope>browser",
    "browser>as",
    "user>browser",
    "as>browser",
    "browser>tokenscope",
  ]);
});

test("back-channel steps are Tokenscope to the authorization server and its reply", () => {
  for (const name of ["discovery", "token", "refresh", "jwks", "userinfo", "revocation", "introspection"] as const) {
    const arrows = arrowsOf(step(name));
    expect(path(arrows), name).toEqual(["tokenscope>as", "as>tokenscope"]);
    expect(arrows.map((a) => a.reply)).toEqual([false, true]);
    expect(arrows[1]?.label).toMatch(/^200 /);
  }
});

test("the device grant shows the code to the user, who approves in a browser while Tokenscope polls", () => {
  expect(path(arrowsOf(step("device_authorization")))).toEqual(["tokenscope>as", "as>tokenscope", "tokenscope>user"]);
  expect(path(arrowsOf(step("device_poll")))).toEqual(["user>browser", "browser>as", "tokenscope>as", "as>tokenscope"]);
});

test("an API call goes to the API lane, not the authorization server", () => {
  const arrows = arrowsOf(step("api_call", "failed", 401));
  expect(path(arrows)).toEqual(["tokenscope>api", "api>tokenscope"]);
  expect(arrows[1]?.label).toMatch(/^401/);
});

test("the last step is highlighted and a failed step fails at its reply", () => {
  const arrows = sequenceOf([step("discovery"), step("token", "failed", 400)]);
  expect(arrows.filter((a) => a.current).map((a) => a.step)).toEqual([1, 1]);
  expect(arrows.map((a) => a.failed)).toEqual([false, false, false, true]);
});

test("while the user is at the browser or the other device, what is under way is drawn and highlighted", () => {
  const waitingForRedirect = {
    ...EMPTY_TIMELINE,
    authorization: { url: "http://127.0.0.1:9000/auth", params: [], redirect_uri: "http://127.0.0.1:5000/callback" },
  };
  const arrows = sequenceOf([step("discovery")], waitingForRedirect);
  expect(arrows.filter((a) => a.current).map((a) => `${a.from}>${a.to}`)).toEqual(["tokenscope>browser", "user>browser"]);
  expect(arrows.filter((a) => a.step === 0).every((a) => !a.current)).toBe(true);

  const device = {
    ...EMPTY_TIMELINE,
    device: { user_code: "WDJB-MJHT", verification_uri: "http://x/device", verification_uri_complete: null, expires_in: 600, interval: 5 },
  };
  const polling = sequenceOf([step("discovery"), step("device_authorization")], device);
  expect(polling.filter((a) => a.current).map((a) => a.label)).toEqual(["enter the code…", "polling…"]);
  // Once the answer came, nothing is under way: the last step is current.
  const done = sequenceOf([step("discovery"), step("device_authorization"), step("device_poll")], { ...device, finished: true });
  expect(done.filter((a) => a.current).every((a) => a.step === 2)).toBe(true);
});

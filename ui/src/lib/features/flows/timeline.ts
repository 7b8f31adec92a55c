// A flow's timeline as the view shows it while the flow runs: the authorization URL once the
// loopback listener is bound, whether the browser opened, and the steps as their events arrive.
// The command's answer is the authority: its steps replace the live ones, and an event that
// arrives after the answer (a channel message can overtake it or trail it) changes nothing.
import type { DevicePrompt } from "../../bindings/DevicePrompt";
import type { ExplainedParam } from "../../bindings/ExplainedParam";
import type { FlowEvent } from "../../bindings/FlowEvent";
import type { Step } from "../../bindings/Step";

export type AuthorizationRequest = {
  url: string;
  params: ExplainedParam[];
  redirect_uri: string;
};

/** Whether the system browser was asked to open the URL: not asked (null), opened, or why not. */
export type BrowserState = { opened: true } | { opened: false; message: string } | null;

export type Timeline = {
  authorization: AuthorizationRequest | null;
  browser: BrowserState;
  /** The device flow's user code and where to enter it, once the provider gave them. */
  device: DevicePrompt | null;
  steps: Step[];
  /** The command answered: later events are stale. */
  finished: boolean;
};

export const EMPTY_TIMELINE: Timeline = { authorization: null, browser: null, device: null, steps: [], finished: false };

/** The timeline with one more event. */
export function applyEvent(timeline: Timeline, event: FlowEvent): Timeline {
  if (timeline.finished) return timeline;
  switch (event.event) {
    case "authorization_url":
      return {
        ...timeline,
        authorization: { url: event.url, params: event.params, redirect_uri: event.redirect_uri },
      };
    case "browser_opened":
      return { ...timeline, browser: { opened: true } };
    case "browser_not_opened":
      return { ...timeline, browser: { opened: false, message: event.message } };
    case "step":
      return { ...timeline, steps: [...timeline.steps, event.step] };
    case "device_prompt":
      return { ...timeline, device: event.prompt };
  }
}

/**
 * The timeline once the command answered: the answer's steps when it has any (a result, or a
 * failure the core timed), else the ones that arrived live (a cancel answers with none).
 */
export function finish(timeline: Timeline, steps: Step[]): Timeline {
  return { ...timeline, steps: steps.length > 0 ? steps : timeline.steps, finished: true };
}

/** True while the URL is out and the redirect has not come back: the user is at the browser. */
export function awaitingRedirect(timeline: Timeline): boolean {
  return (
    !timeline.finished &&
    timeline.authorization !== null &&
    !timeline.steps.some((s) => s.name === "authorization")
  );
}

/** True while the device flow's code is out and no answer came: the user is at the other device. */
export function awaitingDevice(timeline: Timeline): boolean {
  return !timeline.finished && timeline.device !== null && !timeline.steps.some((s) => s.name === "device_poll");
}

/** "12 ms", "1.4 s", "2 min 5 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`;
}

/** Scopes as typed (spaces or commas) → the list sent; empty means the defaults. */
export function splitScopes(text: string): string[] {
  return text.split(/[\s,]+/).filter((s) => s !== "");
}

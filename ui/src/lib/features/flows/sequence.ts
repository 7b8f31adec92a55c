// A flow's timeline as a sequence diagram for teaching: who talks to whom at each step, in the
// lanes User · Browser · Tokenscope · Authorization server · API. Derived from the steps alone
// (plus what the live timeline knows: the URL is out, the user code is shown), so the diagram
// and the timeline can never disagree.
import type { Step } from "../../bindings/Step";
import type { StepName } from "../../bindings/StepName";
import type { Timeline } from "./timeline";

export type Lane = "user" | "browser" | "tokenscope" | "as" | "api";

export const LANES: readonly { lane: Lane; label: string }[] = [
  { lane: "user", label: "User" },
  { lane: "browser", label: "Browser" },
  { lane: "tokenscope", label: "Tokenscope" },
  { lane: "as", label: "Authorization server" },
  { lane: "api", label: "API" },
];

export type Arrow = {
  from: Lane;
  to: Lane;
  label: string;
  /** A reply (drawn dashed). */
  reply: boolean;
  /** The step (index in the timeline) it belongs to; null for what is under way. */
  step: number | null;
  /** The step failed here. */
  failed: boolean;
  /** Part of the current (or last) step: highlighted. */
  current: boolean;
};

/** What each back-channel step asks the authorization server for. */
const REQUESTS: Partial<Record<StepName, string>> = {
  discovery: "GET metadata (discovery)",
  token: "POST token (code + verifier)",
  refresh: "POST token (refresh_token)",
  jwks: "GET JWKS (signing keys)",
  userinfo: "GET userinfo (Bearer)",
  device_authorization: "POST device authorization",
  device_poll: "POST token (device_code), polling",
  revocation: "POST revoke (RFC 7009)",
  introspection: "POST introspect (RFC 7662)",
};

const REPLIES: Partial<Record<StepName, string>> = {
  discovery: "metadata",
  token: "access, ID, refresh tokens",
  refresh: "new tokens",
  jwks: "public keys",
  userinfo: "claims",
  device_authorization: "device_code, user_code",
  device_poll: "tokens",
  revocation: "revoked",
  introspection: "active, scope, exp…",
};

type Draft = Omit<Arrow, "step" | "failed" | "current">;

const send = (from: Lane, to: Lane, label: string): Draft => ({ from, to, label, reply: false });
const reply = (from: Lane, to: Lane, label: string): Draft => ({ from, to, label, reply: true });

/** The status of a step's response, for a reply's label: "200", or the error. */
function outcome(step: Step, fallback: string): string {
  const status = step.response?.status;
  if (step.status === "failed") return status != null ? `${status} ${step.error ?? "failed"}`.slice(0, 60) : (step.error ?? "failed").slice(0, 60);
  return status != null ? `${status} ${fallback}` : fallback;
}

/** The arrows one step draws. */
export function arrowsOf(step: Step): Draft[] {
  switch (step.name) {
    case "authorization":
      return [
        send("tokenscope", "browser", "open the authorization URL"),
        send("browser", "as", "GET authorize (PKCE challenge, state)"),
        send("user", "browser", "log in, consent"),
        reply("as", "browser", step.status === "failed" ? `redirect: ${step.error ?? "error"}`.slice(0, 60) : "302 redirect (code, state, iss)"),
        reply("browser", "tokenscope", "GET loopback redirect_uri"),
      ];
    case "device_poll":
      return [
        send("user", "browser", "open verification URI, enter code"),
        send("browser", "as", "log in, approve"),
        send("tokenscope", "as", REQUESTS.device_poll ?? ""),
        reply("as", "tokenscope", outcome(step, REPLIES.device_poll ?? "")),
      ];
    case "device_authorization":
      return [
        send("tokenscope", "as", REQUESTS.device_authorization ?? ""),
        reply("as", "tokenscope", outcome(step, REPLIES.device_authorization ?? "")),
        ...(step.status === "ok" ? [send("tokenscope", "user", "show user code + QR")] : []),
      ];
    case "api_call":
      return [send("tokenscope", "api", `${step.request?.method ?? "GET"} API (Bearer access token)`), reply("api", "tokenscope", outcome(step, "response"))];
    default:
      return [send("tokenscope", "as", REQUESTS[step.name] ?? step.name), reply("as", "tokenscope", outcome(step, REPLIES[step.name] ?? "response"))];
  }
}

/**
 * The diagram of `steps`: each step's arrows in order, the last step's highlighted. While the
 * flow runs, what is under way (the browser at the provider, the user at the other device) is
 * drawn last and highlighted instead.
 */
export function sequenceOf(steps: readonly Step[], live: Pick<Timeline, "authorization" | "device" | "finished"> | null = null): Arrow[] {
  const arrows: Arrow[] = [];
  steps.forEach((step, index) => {
    const drafts = arrowsOf(step);
    drafts.forEach((draft, i) => {
      // A failed step fails at its last arrow (the reply that said no).
      arrows.push({ ...draft, step: index, failed: step.status === "failed" && i === drafts.length - 1, current: false });
    });
  });
  const pending: Draft[] = [];
  if (live !== null && !live.finished) {
    const names = new Set(steps.map((s) => s.name));
    if (live.authorization !== null && !names.has("authorization")) {
      pending.push(send("tokenscope", "browser", "open the authorization URL"), send("user", "browser", "log in, consent…"));
    }
    if (live.device !== null && !names.has("device_poll")) {
      pending.push(send("user", "browser", "enter the code…"), send("tokenscope", "as", "polling…"));
    }
  }
  if (pending.length > 0) {
    for (const draft of pending) arrows.push({ ...draft, step: null, failed: false, current: true });
    return arrows;
  }
  const last = steps.length - 1;
  return arrows.map((a) => (a.step === last ? { ...a, current: true } : a));
}

// What the views share while the app runs: the active view, the token being worked on, and
// hand-overs between views ("Diff with…", "Use for Verify", "Use for a flow", a flow's tokens to
// Inspect and Verify, a pasted redirect URL). In memory only — tokens and keys are never
// persisted; only the id of the last view is (localStorage), so the app reopens on it.
import type { KeySourceRequest } from "./bindings/KeySourceRequest";
import type { PastedRedirect } from "./paste";

export const LAST_VIEW_KEY = "tokenscope.last-view";

function loadLastView(): string | null {
  try {
    return localStorage.getItem(LAST_VIEW_KEY);
  } catch {
    return null;
  }
}

export class Session {
  /** Id of the view on screen (see `views.ts`); the app starts on the last one (`restoreView`). */
  view = $state("inspect");
  /** The token pasted in Inspect or Verify: pasting it in one makes it available in the other. */
  token = $state("");
  /** A token sent to Diff as A, taken (and cleared) when Diff opens. */
  diffA: string | null = $state(null);
  /** A key source sent to Verify (from Discover), taken (and cleared) when Verify opens. */
  verifyKey: KeySourceRequest | null = $state.raw(null);
  /** An issuer sent to Flows (from Discover), taken (and cleared) when Flows opens. */
  flowIssuer: string | null = $state(null);
  /** A redirect URL pasted outside a text field, explained in Inspect until another token comes. */
  redirect: PastedRedirect | null = $state.raw(null);
  /** Counts tokens sent to Inspect: the view starts afresh with each, even when on screen. */
  inspections = $state(0);

  open(view: string): void {
    this.view = view;
    try {
      localStorage.setItem(LAST_VIEW_KEY, view);
    } catch {
      // Storage full or disabled: reopening on the last view is a convenience.
    }
  }

  /** Shows the view the app was last closed on, if it is one of `known`. */
  restoreView(known: readonly string[]): void {
    const last = loadLastView();
    if (last !== null && known.includes(last)) this.view = last;
  }

  /** Opens Inspect with a pasted redirect URL explained, its first token decoded. */
  inspectRedirect(redirect: PastedRedirect): void {
    this.redirect = redirect;
    this.token = redirect.params.find((p) => p.token)?.value ?? "";
    this.inspections += 1;
    this.open("inspect");
  }

  /** Opens Diff with `token` as A. */
  diffWith(token: string): void {
    this.diffA = token;
    this.open("diff");
  }

  /** Opens Verify with keys from `issuer` (OIDC discovery). */
  verifyWithIssuer(issuer: string): void {
    this.verifyKey = { kind: "issuer", value: issuer };
    this.open("verify");
  }

  /** Opens Inspect with `token`. */
  inspect(token: string): void {
    this.token = token;
    this.redirect = null;
    this.inspections += 1;
    this.open("inspect");
  }

  /** Opens Verify with `token`, and with keys from `issuer` (OIDC discovery) when there is one. */
  verify(token: string, issuer: string | null): void {
    this.token = token;
    if (issuer) this.verifyKey = { kind: "issuer", value: issuer };
    this.open("verify");
  }

  /** Opens Flows with a one-off flow for `issuer` prefilled. */
  flowWithIssuer(issuer: string): void {
    this.flowIssuer = issuer;
    this.open("flows");
  }

  /** Back to a fresh start (tests). */
  reset(): void {
    this.view = "inspect";
    this.token = "";
    this.diffA = null;
    this.verifyKey = null;
    this.flowIssuer = null;
    this.redirect = null;
    this.inspections = 0;
  }
}

export const session = new Session();

// What the views share while the app runs: the active view, the token being worked on, and
// hand-overs between views ("Diff with…", "Use for Verify", "Use for a flow", a flow's tokens to
// Inspect and Verify). In memory only — tokens and keys are never persisted.
import type { KeySourceRequest } from "./bindings/KeySourceRequest";

export class Session {
  /** Id of the view on screen (see `views.ts`). */
  view = $state("inspect");
  /** The token pasted in Inspect or Verify: pasting it in one makes it available in the other. */
  token = $state("");
  /** A token sent to Diff as A, taken (and cleared) when Diff opens. */
  diffA: string | null = $state(null);
  /** A key source sent to Verify (from Discover), taken (and cleared) when Verify opens. */
  verifyKey: KeySourceRequest | null = $state.raw(null);
  /** An issuer sent to Flows (from Discover), taken (and cleared) when Flows opens. */
  flowIssuer: string | null = $state(null);

  open(view: string): void {
    this.view = view;
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
  }
}

export const session = new Session();

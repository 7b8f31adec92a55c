// The app's views. Adding one is a folder under `features/` plus an entry here; the nav shows
// exactly these, so there are never entries for views that do not exist yet.
import type { Component } from "svelte";

import Diff from "./features/diff/Diff.svelte";
import Discover from "./features/discover/Discover.svelte";
import Encode from "./features/encode/Encode.svelte";
import Flows from "./features/flows/Flows.svelte";
import Inspect from "./features/inspect/Inspect.svelte";
import Profiles from "./features/profiles/Profiles.svelte";
import Vault from "./features/vault/Vault.svelte";
import Verify from "./features/verify/Verify.svelte";

export type View = {
  id: string;
  label: string;
  description: string;
  component: Component;
  /**
   * Test ids of the buttons Ctrl/Cmd + Enter may press (see `Shortcuts.svelte`): the one nearest
   * the caret (in its form or panel), else the first shown and enabled.
   */
  mainAction?: readonly string[];
  /** Test id of the field that takes the caret when the view is opened from the keyboard. */
  input?: string;
};

export const VIEWS: readonly View[] = [
  {
    id: "inspect",
    label: "Inspect",
    description: "Decode a JWT or JWE and explain its header, claims and findings",
    component: Inspect,
    input: "token-input",
  },
  {
    id: "verify",
    label: "Verify",
    description: "Check a token's signature and claims against a key, check by check",
    component: Verify,
    mainAction: ["verify-run"],
    input: "verify-token",
  },
  {
    id: "diff",
    label: "Diff",
    description: "Compare two tokens claim by claim",
    component: Diff,
    input: "diff-input-a",
  },
  {
    id: "encode",
    label: "Encode",
    description: "Build and sign a token: JSON editors, claim helpers, keys and key generation",
    component: Encode,
    input: "encode-payload",
  },
  {
    id: "discover",
    label: "Discover",
    description: "Fetch, explain and lint an OpenID Provider's metadata and keys",
    component: Discover,
    mainAction: ["discover-run", "discover-compare-run"],
    input: "discover-issuer",
  },
  {
    id: "flows",
    label: "Flows",
    description: "Run the authorization code flow (PKCE, loopback redirect) step by step; refresh and call userinfo",
    component: Flows,
    mainAction: ["flows-start", "practice-start-flow"],
  },
  {
    id: "profiles",
    label: "Profiles",
    description: "Provider profiles: issuer, client, redirect and scopes; client secrets go to the OS keychain",
    component: Profiles,
  },
  {
    id: "vault",
    label: "Vault",
    description: "What Tokenscope keeps in the OS keychain: reveal, delete, forget all",
    component: Vault,
  },
];

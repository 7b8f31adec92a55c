// The app's views. Adding one is a folder under `features/` plus an entry here; the nav shows
// exactly these, so there are never entries for views that do not exist yet.
import type { Component } from "svelte";

import Inspect from "./features/inspect/Inspect.svelte";

export type View = {
  id: string;
  label: string;
  description: string;
  component: Component;
};

export const VIEWS: readonly View[] = [
  {
    id: "inspect",
    label: "Inspect",
    description: "Decode a JWT or JWE and explain its header, claims and findings",
    component: Inspect,
  },
];

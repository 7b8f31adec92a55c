// Changes from the core's diff, grouped into one display row per JSON Pointer path: a set's
// members added and removed (each its own Change from Rust) share the row of their set.
import type { Change } from "../bindings/Change";
import type { ChangeKind } from "../bindings/ChangeKind";
import { valueText } from "./json";

export type ChangeRow = {
  path: string;
  /** The path for people: the pointer without its leading `/`, `~1`/`~0` unescaped. */
  label: string;
  kind: ChangeKind;
  /** Whole-value changes: the values as text (null where absent). */
  before: string | null;
  after: string | null;
  /** Set members added and removed (`aud`, `scope`, …). */
  added: string[];
  removed: string[];
  isSet: boolean;
  /** "+15 min" for NumericDate claims. */
  delta: string | null;
  security: boolean;
};

export function changeRows(changes: Change[]): ChangeRow[] {
  const rows = new Map<string, ChangeRow>();
  for (const c of changes) {
    let row = rows.get(c.path);
    if (!row) {
      row = {
        path: c.path,
        label: pointerLabel(c.path),
        kind: c.change,
        before: null,
        after: null,
        added: [],
        removed: [],
        isSet: c.member,
        delta: c.delta_text ?? null,
        security: c.security,
      };
      rows.set(c.path, row);
    }
    row.security ||= c.security;
    if (c.member) {
      if (c.after !== null) row.added.push(valueText(c.after));
      if (c.before !== null) row.removed.push(valueText(c.before));
      row.kind = row.added.length > 0 && row.removed.length > 0 ? "changed" : row.added.length > 0 ? "added" : "removed";
    } else {
      row.before = c.before === null ? null : valueText(c.before);
      row.after = c.after === null ? null : valueText(c.after);
    }
  }
  return [...rows.values()];
}

/** `/address/street~1no` → `address/street/no`; the whole document is `(root)`. */
export function pointerLabel(path: string): string {
  if (path === "") return "(root)";
  return path
    .slice(1)
    .split("/")
    .map((t) => t.replaceAll("~1", "/").replaceAll("~0", "~"))
    .join("/");
}

/** The test-id form of a path: leading `/` dropped, other `/` as `_` (`/a/b` → `a_b`). */
export function pathTestId(path: string): string {
  return path === "" ? "root" : path.slice(1).replaceAll("/", "_");
}

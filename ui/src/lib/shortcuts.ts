// Keyboard shortcuts, app-wide: Ctrl/Cmd + 1…N switch views (in `views.ts` order), Ctrl/Cmd +
// Enter runs the view's main action, Esc cancels the network wait on screen, `?` lists them.
// This module decides which shortcut a key press is; `Shortcuts.svelte` carries it out.

export type Shortcut =
  | { kind: "view"; index: number }
  | { kind: "main-action" }
  | { kind: "cancel" }
  | { kind: "help" };

export type KeyPress = Pick<KeyboardEvent, "key" | "code" | "ctrlKey" | "metaKey" | "altKey" | "shiftKey">;

/**
 * Dispatched on `window` (cancelable) before Ctrl/Cmd + Enter presses the view's main-action
 * button (`View.mainAction`): a view that starts its work otherwise calls `preventDefault()` and
 * does it itself. `detail.view` is the active view's id.
 */
export const MAIN_ACTION_EVENT = "tokenscope:main-action";

/** The shortcut a key press is, or null. `inField`: focus is in a text field, where `?` is text. */
export function shortcutFor(e: KeyPress, inField: boolean): Shortcut | null {
  const mod = e.ctrlKey || e.metaKey;
  if (mod && !e.altKey && !e.shiftKey) {
    // The physical digit row, so layouts where 1 needs Shift (AZERTY) work too.
    const digit = /^Digit([1-9])$/.exec(e.code)?.[1] ?? (/^[1-9]$/.test(e.key) ? e.key : null);
    if (digit !== null) return { kind: "view", index: Number(digit) - 1 };
    if (e.key === "Enter") return { kind: "main-action" };
  }
  if (mod || e.altKey) return null;
  if (e.key === "Escape") return { kind: "cancel" };
  if (e.key === "?" && !inField) return { kind: "help" };
  return null;
}

/** "Ctrl" or "⌘", as the shortcuts list shows the modifier. */
export function modifierLabel(platform: string = navigator.platform): string {
  return /mac|iphone|ipad/i.test(platform) ? "⌘" : "Ctrl";
}

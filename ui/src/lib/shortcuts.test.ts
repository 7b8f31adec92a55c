import { expect, test } from "vitest";

import { modifierLabel, shortcutFor, type KeyPress } from "./shortcuts";

const press = (key: string, mods: Partial<KeyPress> = {}): KeyPress => ({
  key,
  code: /^[0-9]$/.test(key) ? `Digit${key}` : key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});

test("Ctrl or Cmd with a digit switches to that view, counting from 1", () => {
  expect(shortcutFor(press("1", { ctrlKey: true }), false)).toEqual({ kind: "view", index: 0 });
  expect(shortcutFor(press("5", { metaKey: true }), true)).toEqual({ kind: "view", index: 4 });
  // AZERTY: the key is "&" but the physical key is Digit1.
  expect(shortcutFor({ ...press("&", { ctrlKey: true }), code: "Digit1" }, false)).toEqual({ kind: "view", index: 0 });
  expect(shortcutFor(press("0", { ctrlKey: true }), false)).toBeNull();
  expect(shortcutFor(press("1"), false)).toBeNull();
  expect(shortcutFor(press("1", { ctrlKey: true, altKey: true }), false)).toBeNull();
});

test("Ctrl or Cmd + Enter is the main action, from a field too", () => {
  expect(shortcutFor(press("Enter", { ctrlKey: true }), true)).toEqual({ kind: "main-action" });
  expect(shortcutFor(press("Enter", { metaKey: true }), false)).toEqual({ kind: "main-action" });
  expect(shortcutFor(press("Enter"), false)).toBeNull();
});

test("Esc cancels anywhere; ? shows the shortcuts only outside text fields", () => {
  expect(shortcutFor(press("Escape"), true)).toEqual({ kind: "cancel" });
  expect(shortcutFor(press("?", { shiftKey: true }), false)).toEqual({ kind: "help" });
  expect(shortcutFor(press("?", { shiftKey: true }), true)).toBeNull();
  expect(shortcutFor(press("?", { ctrlKey: true }), false)).toBeNull();
  expect(shortcutFor(press("a"), false)).toBeNull();
});

test("the modifier is shown as Cmd on a Mac and Ctrl elsewhere", () => {
  expect(modifierLabel("MacIntel")).toBe("⌘");
  expect(modifierLabel("Linux x86_64")).toBe("Ctrl");
});

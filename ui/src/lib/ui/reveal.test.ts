import { readFileSync } from "node:fs";
import path from "node:path";

import { render } from "@testing-library/svelte";
import { expect, test } from "vitest";

import { HIDDEN_RANGES, VARIATION_SELECTOR_RANGES, hasHidden, isHiddenChar, marker, reveal, revealParts } from "./reveal";
import Revealed from "./Revealed.svelte";

test("bidi controls, zero-width characters and separators are shown as markers", () => {
  expect(reveal("\u202egnp.exe")).toBe("⟨U+202E⟩gnp.exe");
  expect(reveal("a\u2066b\u2069\u200b")).toBe("a⟨U+2066⟩b⟨U+2069⟩⟨U+200B⟩");
  expect(reveal("x\u2028y\u00ad\ufeff")).toBe("x⟨U+2028⟩y⟨U+00AD⟩⟨U+FEFF⟩");
  expect(reveal("tag\u{e0041}")).toBe("tag⟨U+E0041⟩");
  expect(marker(0x61c)).toBe("⟨U+061C⟩");
});

test("control characters are revealed, but tab and line breaks stay as they are", () => {
  expect(reveal("\u001b]0;title\u0007")).toBe("⟨U+001B⟩]0;title⟨U+0007⟩");
  expect(reveal("a\u007fb\u0085")).toBe("a⟨U+007F⟩b⟨U+0085⟩");
  expect(reveal("line\nbreak\tand\r")).toBe("line\nbreak\tand\r");
});

test("ordinary text is one visible part, untouched", () => {
  expect(revealParts("joe")).toEqual([{ text: "joe", hidden: false }]);
  expect(revealParts("")).toEqual([]);
  expect(reveal("Zoë 東京 😀 ⟨x⟩")).toBe("Zoë 東京 😀 ⟨x⟩");
  expect(hasHidden("https://idp.example")).toBe(false);
  expect(hasHidden("https://idp.example\u200b")).toBe(true);
});

test("one variation selector after a visible character is kept; a run is revealed", () => {
  expect(reveal("\u2764\ufe0f")).toBe("\u2764\ufe0f");
  expect(reveal("\u2764\ufe0f\ufe01\u{e0100}")).toBe("\u2764\ufe0f⟨U+FE01⟩⟨U+E0100⟩");
  expect(reveal("\ufe0fx")).toBe("⟨U+FE0F⟩x");
});

test("parts split visible runs from hidden characters", () => {
  expect(revealParts("a\u202eb")).toEqual([
    { text: "a", hidden: false },
    { text: "⟨U+202E⟩", hidden: true, codePoint: 0x202e },
    { text: "b", hidden: false },
  ]);
});

/** The `(0x…, 0x…)` pairs of one `const NAME: &[(u32, u32)]` table in src/text.rs. */
function rustTable(source: string, name: string): [number, number][] {
  const start = source.indexOf(`const ${name}:`);
  const end = source.indexOf("];", start);
  expect(start, name).toBeGreaterThanOrEqual(0);
  return [...source.slice(start, end).matchAll(/\((0x[0-9A-Fa-f]+),\s*(0x[0-9A-Fa-f]+)\)/g)].map((m): [number, number] => [
    Number(m[1]),
    Number(m[2]),
  ]);
}

test("the tables are the core's (src/text.rs), so the app and the CLI reveal the same characters", () => {
  const source = readFileSync(path.resolve(import.meta.dirname, "../../../../src/text.rs"), "utf8");
  expect(HIDDEN_RANGES).toEqual(rustTable(source, "HIDDEN"));
  expect(VARIATION_SELECTOR_RANGES).toEqual(rustTable(source, "VARIATION_SELECTORS"));
});

test("every format character (Cf) this engine knows is hidden: a new Unicode version shows up here", () => {
  const format = /^\p{Cf}$/u;
  const missed: string[] = [];
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    if (format.test(String.fromCodePoint(cp)) && !isHiddenChar(cp)) missed.push(marker(cp));
  }
  expect(missed).toEqual([]);
});

test("Revealed renders markers as marked-up text, never as HTML", () => {
  const { container } = render(Revealed, { text: "\u202egnp.exe<b>x</b>" });
  expect(container.textContent).toBe("⟨U+202E⟩gnp.exe<b>x</b>");
  const mark = container.querySelector(".hidden-char");
  expect(mark?.textContent).toBe("⟨U+202E⟩");
  expect(mark?.getAttribute("data-hidden-char")).toBe("202e");
  expect(container.querySelector("b")).toBeNull();
});

import { expect, test } from "vitest";

import { errorEcho } from "./segments";

const strip = (parts: ReturnType<typeof errorEcho>) =>
  parts.map((p) => ({ text: p.text, kind: p.kind, bad: p.bad, mark: p.mark }));

test("marks the offending character and the rest of its segment", () => {
  // offset 7 = payload start (4) + position 3.
  const parts = errorEcho("aaa.bbb!bb.ccc", { segment: "payload", position: 3, offset: 7 });
  expect(strip(parts)).toEqual([
    { text: "aaa.", kind: null, bad: false, mark: false },
    { text: "bbb", kind: "payload", bad: true, mark: false },
    { text: "!", kind: "payload", bad: true, mark: true },
    { text: "bb", kind: "payload", bad: true, mark: false },
    { text: ".ccc", kind: null, bad: false, mark: false },
  ]);
});

test("highlights a whole segment when the error has no position", () => {
  const parts = errorEcho("  aaa.bbb.ccc\n", { segment: "header", position: null, offset: 0 });
  expect(parts.map((p) => p.text).join("")).toBe("aaa.bbb.ccc");
  expect(parts.filter((p) => p.bad).map((p) => p.text).join("")).toBe("aaa");
  expect(parts.find((p) => p.mark)?.text).toBe("a");
});

test("puts an empty caret where an empty segment is", () => {
  const parts = errorEcho("aaa..ccc", { segment: "payload", position: null, offset: 4 });
  expect(parts.find((p) => p.mark)).toEqual({ text: "", kind: "payload", bad: true, mark: true });
  expect(parts.map((p) => p.text).join("")).toBe("aaa..ccc");
});

test("leaves the text unmarked when the offsets do not fit it", () => {
  // A stripped "Bearer " prefix shifts offsets: offset 7 is not right after a dot here.
  const parts = errorEcho("Bearer aaa.bbb.ccc", { segment: "payload", position: null, offset: 4 });
  expect(strip(parts)).toEqual([{ text: "Bearer aaa.bbb.ccc", kind: null, bad: false, mark: false }]);
  expect(errorEcho("a.b.c", null)).toHaveLength(1);
  expect(errorEcho("a.b.c", { segment: null, position: null, offset: 99 })).toHaveLength(1);
});

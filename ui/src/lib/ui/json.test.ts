import { expect, test } from "vitest";

import { entriesOf, isJsonObject, prettyJson, valueText } from "./json";

test("valueText shows strings raw and everything else as compact JSON", () => {
  expect(valueText("joe")).toBe("joe");
  expect(valueText(1300819380)).toBe("1300819380");
  expect(valueText(true)).toBe("true");
  expect(valueText(null)).toBe("null");
  expect(valueText(["a", "b"])).toBe('["a","b"]');
  expect(valueText({ b: 1, a: 2 })).toBe('{"b":1,"a":2}');
});

test("entriesOf and prettyJson keep the order the keys arrived in", () => {
  const header = JSON.parse('{"typ":"JWT","alg":"HS256","kid":"k1"}') as Record<string, string>;
  expect(entriesOf(header).map(([k]) => k)).toEqual(["typ", "alg", "kid"]);
  expect(prettyJson(header).indexOf('"typ"')).toBeLessThan(prettyJson(header).indexOf('"alg"'));
});

test("isJsonObject is false for arrays and null", () => {
  expect(isJsonObject({})).toBe(true);
  expect(isJsonObject([])).toBe(false);
  expect(isJsonObject(null)).toBe(false);
  expect(isJsonObject("x")).toBe(false);
});

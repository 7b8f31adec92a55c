import type { JsonValue } from "../bindings/serde_json/JsonValue";

// The object arm of ts-rs's JsonValue, named once here.
export type JsonObject = Exclude<JsonValue, number | string | boolean | null | JsonValue[]>;

/** A claim value as one line of text: strings as they are, everything else as compact JSON. */
export function valueText(value: JsonValue): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * Pretty JSON for copying. JavaScript objects list integer-like keys ("10") first whatever the
 * token said, so `order` (the top-level names in token order, from Rust's ordered lists) puts
 * the top level back; deeper levels keep the order the keys were received in.
 */
export function prettyJson(value: JsonValue, order?: string[]): string {
  if (order === undefined || !isJsonObject(value)) return JSON.stringify(value, null, 2);
  const members = entriesOf(value, order).map(
    ([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v, null, 2).replaceAll("\n", "\n  ")}`,
  );
  return members.length === 0 ? "{}" : `{\n${members.join(",\n")}\n}`;
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Object entries in insertion order (JSON.parse keeps the token's order except for integer-like
 * keys, which it puts first), or in `order` when given; keys `order` misses follow.
 */
export function entriesOf(value: JsonObject, order?: string[]): [string, JsonValue][] {
  const keys = Object.keys(value);
  const ordered = order === undefined ? keys : [...order.filter((k) => Object.hasOwn(value, k)), ...keys.filter((k) => !order.includes(k))];
  return [...new Set(ordered)].map((k): [string, JsonValue] => [k, value[k] ?? null]);
}

import type { JsonValue } from "../bindings/serde_json/JsonValue";

// The object arm of ts-rs's JsonValue, named once here.
export type JsonObject = Exclude<JsonValue, number | string | boolean | null | JsonValue[]>;

/** A claim value as one line of text: strings as they are, everything else as compact JSON. */
export function valueText(value: JsonValue): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Pretty JSON for copying; key order is the order the keys were received in. */
export function prettyJson(value: JsonValue): string {
  return JSON.stringify(value, null, 2);
}

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Object entries in insertion order (JSON.parse keeps the token's order for non-index keys). */
export function entriesOf(value: JsonObject): [string, JsonValue][] {
  return Object.keys(value).map((k): [string, JsonValue] => [k, value[k] ?? null]);
}

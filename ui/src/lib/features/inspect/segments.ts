// Display metadata for token segments; the segments themselves always come from Rust.
import type { ErrorLocation } from "../../bindings/ErrorLocation";
import type { SegmentKind } from "../../bindings/SegmentKind";
import type { TokenFormat } from "../../bindings/TokenFormat";

export const SEGMENT_LABEL: Record<SegmentKind, string> = {
  header: "Header",
  payload: "Payload",
  signature: "Signature",
  encrypted_key: "Encrypted key",
  iv: "Initialization vector",
  ciphertext: "Ciphertext",
  tag: "Authentication tag",
};

export const FORMAT_LABEL: Record<TokenFormat, string> = {
  jws: "JWS",
  jwe: "JWE",
  unsecured: "Unsecured JWT",
};

export type EchoPart = {
  text: string;
  /** The segment this text belongs to, when known. */
  kind: SegmentKind | null;
  /** Inside the segment the error points at. */
  bad: boolean;
  /** The character the error points at (empty text: the position just past the end). */
  mark: boolean;
};

/**
 * Splits a token into parts that highlight where an error points. Offsets are in the token as
 * Rust normalised it (the error's `token`; for a bare pasted token, the trimmed input). If they
 * do not fit the text, it is shown unmarked.
 */
export function errorEcho(input: string, location: ErrorLocation | null): EchoPart[] {
  const text = input.trim();
  const plain: EchoPart[] = [{ text, kind: null, bad: false, mark: false }];
  const offset = location?.offset;
  if (location == null || offset == null || offset > text.length) return plain;
  const start = offset - (location.position ?? 0);
  if (start < 0 || (start > 0 && text[start - 1] !== ".")) return plain;
  const dot = text.indexOf(".", start);
  const end = dot === -1 ? text.length : dot;
  if (offset > end) return plain;
  const kind = location.segment;
  // An empty segment (or a position just past its end) gets an empty caret mark.
  const markEnd = offset < end ? offset + 1 : offset;
  const parts: EchoPart[] = [
    { text: text.slice(0, start), kind: null, bad: false, mark: false },
    { text: text.slice(start, offset), kind, bad: true, mark: false },
    { text: text.slice(offset, markEnd), kind, bad: true, mark: true },
    { text: text.slice(markEnd, end), kind, bad: true, mark: false },
    { text: text.slice(end), kind: null, bad: false, mark: false },
  ];
  return parts.filter((p) => p.text !== "" || p.mark);
}

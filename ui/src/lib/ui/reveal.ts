// Characters that hide or reorder text, shown visibly as `⟨U+202E⟩` (Trojan Source,
// CVE-2021-42574). The same classification as the core's `src/text.rs` (read its docs for what
// counts and why); `reveal.test.ts` checks these tables against the Rust ones.

type Range = readonly [number, number];

/** Non-control hidden characters, inclusive ranges, sorted: format (Cf), default-ignorable, Zl/Zp. */
export const HIDDEN_RANGES: readonly Range[] = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x0600, 0x0605],
  [0x061c, 0x061c],
  [0x06dd, 0x06dd],
  [0x070f, 0x070f],
  [0x0890, 0x0891],
  [0x08e2, 0x08e2],
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180e, 0x180e],
  [0x200b, 0x200f],
  [0x2028, 0x2029],
  [0x202a, 0x202e],
  [0x2060, 0x206f],
  [0x3164, 0x3164],
  [0xfeff, 0xfeff],
  [0xffa0, 0xffa0],
  [0xfff0, 0xfffb],
  [0x110bd, 0x110bd],
  [0x110cd, 0x110cd],
  [0x13430, 0x1343f],
  [0x1bca0, 0x1bca3],
  [0x1d173, 0x1d17a],
  [0xe0000, 0xe00ff],
  [0xe01f0, 0xe0fff],
];

/** Variation selectors: hidden only when they do not directly follow a visible character. */
export const VARIATION_SELECTOR_RANGES: readonly Range[] = [
  [0x180b, 0x180d],
  [0x180f, 0x180f],
  [0xfe00, 0xfe0f],
  [0xe0100, 0xe01ef],
];

function inRanges(ranges: readonly Range[], cp: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [from, to] = ranges[mid] ?? [0, -1];
    if (cp < from) hi = mid - 1;
    else if (cp > to) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Whether the code point hides or reorders text wherever it appears (controls but tab, LF, CR). */
export function isHiddenChar(cp: number): boolean {
  if (cp === 0x09 || cp === 0x0a || cp === 0x0d) return false;
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return true;
  return inRanges(HIDDEN_RANGES, cp);
}

export function isVariationSelector(cp: number): boolean {
  return inRanges(VARIATION_SELECTOR_RANGES, cp);
}

/** `⟨U+202E⟩`: how a hidden character is shown. */
export function marker(cp: number): string {
  return `⟨U+${cp.toString(16).toUpperCase().padStart(4, "0")}⟩`;
}

/** A run of visible text, or one hidden character shown as its marker. */
export type RevealPart = { text: string; hidden: false } | { text: string; hidden: true; codePoint: number };

// Printable ASCII (and tab/LF/CR) holds nothing hidden: the common case skips the scan.
const PLAIN = /^[\t\n\r\x20-\x7e]*$/;

/** `text` split into visible runs and hidden characters, in order. */
export function revealParts(text: string): RevealPart[] {
  if (PLAIN.test(text)) return text === "" ? [] : [{ text, hidden: false }];
  const parts: RevealPart[] = [];
  let run = "";
  let afterVisible = false;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const selector = isVariationSelector(cp);
    const hidden: boolean = selector ? !afterVisible : isHiddenChar(cp);
    afterVisible = !hidden && !selector;
    if (hidden) {
      if (run !== "") parts.push({ text: run, hidden: false });
      run = "";
      parts.push({ text: marker(cp), hidden: true, codePoint: cp });
    } else {
      run += ch;
    }
  }
  if (run !== "") parts.push({ text: run, hidden: false });
  return parts;
}

/** `text` with every hidden character replaced by its marker. */
export function reveal(text: string): string {
  return revealParts(text)
    .map((p) => p.text)
    .join("");
}

export function hasHidden(text: string): boolean {
  return revealParts(text).some((p) => p.hidden);
}

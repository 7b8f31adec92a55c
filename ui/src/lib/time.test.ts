import { describe, expect, test } from "vitest";

import { expiryCountdown, formatDuration } from "./time";

const EXP = 1_700_000_000;
const at = (unix: number) => unix * 1000;

describe("formatDuration", () => {
  test("shows seconds alone under a minute", () => {
    expect(formatDuration(0)).toBe("0 s");
    expect(formatDuration(59)).toBe("59 s");
  });

  test("shows minutes with zero-padded seconds under an hour", () => {
    expect(formatDuration(60)).toBe("1 min 00 s");
    expect(formatDuration(14 * 60 + 3)).toBe("14 min 03 s");
  });

  test("shows hours with minutes under a day and days with hours beyond", () => {
    expect(formatDuration(3 * 3600 + 5 * 60 + 59)).toBe("3 h 05 min");
    expect(formatDuration(2 * 86400 + 7 * 3600)).toBe("2 d 7 h");
  });
});

describe("expiryCountdown", () => {
  test("counts down to a future exp", () => {
    expect(expiryCountdown(EXP, at(EXP - 843))).toBe("expires in 14 min 03 s");
  });

  test("ignores the milliseconds of the current second", () => {
    expect(expiryCountdown(EXP, at(EXP - 10) + 999)).toBe("expires in 10 s");
  });

  test("treats the exp second itself as expired (RFC 7519 §4.1.4: on or after)", () => {
    expect(expiryCountdown(EXP, at(EXP))).toBe("expired just now");
  });

  test("counts up after expiry", () => {
    expect(expiryCountdown(EXP, at(EXP + 3 * 3600))).toBe("expired 3 h 00 min ago");
    expect(expiryCountdown(EXP, at(EXP + 42))).toBe("expired 42 s ago");
  });
});

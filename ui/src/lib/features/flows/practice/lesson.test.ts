import { expect, test } from "vitest";

import type { Check } from "../../../bindings/Check";
import type { PracticeLesson } from "../../../bindings/PracticeLesson";
import { expectation, highlightedChecks, lessonOutcome } from "./lesson";

function lesson(overrides: Partial<PracticeLesson>): PracticeLesson {
  return {
    name: "alg-none",
    title: "the ID token is unsigned (alg none)",
    explanation: "Anyone can forge an unsigned token.",
    what_you_see: "signature and alg fail.",
    failing_checks: ["signature", "alg", "at_hash"],
    error_code: null,
    ...overrides,
  };
}

function check(name: Check["name"], status: Check["status"]): Check {
  return { name, status, message: `${name} ${status}`, spec: "RFC 7519" };
}

const ALG_NONE_CHECKS = [check("signature", "fail"), check("alg", "fail"), check("at_hash", "fail"), check("iss", "pass"), check("aud", "pass")];

test("a lesson is seen when every check it teaches failed", () => {
  const outcome = lessonOutcome(lesson({}), { checks: ALG_NONE_CHECKS, errorCode: null });
  expect(outcome).toEqual({ kind: "seen", checks: ["signature", "alg", "at_hash"], errorCode: null });
});

test("a lesson whose check passed is not seen, naming the check that did not fail", () => {
  const checks = [check("signature", "fail"), check("alg", "pass"), check("at_hash", "fail")];
  expect(lessonOutcome(lesson({}), { checks, errorCode: null })).toEqual({ kind: "not-seen", missing: ["alg"], errorCode: null });
});

test("nothing is judged before a flow has answered", () => {
  expect(lessonOutcome(lesson({}), null)).toEqual({ kind: "waiting" });
  expect(highlightedChecks(lesson({}), null)).toEqual([]);
});

test("an error lesson is seen when the flow ends with its code, and not with another", () => {
  const csrf = lesson({ name: "csrf-state", failing_checks: [], error_code: "oauth.redirect_timeout" });
  expect(lessonOutcome(csrf, { checks: [], errorCode: "oauth.redirect_timeout" }).kind).toBe("seen");
  expect(lessonOutcome(csrf, { checks: [], errorCode: "http.timeout" })).toEqual({ kind: "not-seen", missing: [], errorCode: "http.timeout" });
  expect(lessonOutcome(csrf, { checks: ALG_NONE_CHECKS.slice(3), errorCode: null }).kind).toBe("not-seen");
});

test("only the lesson's checks that failed are highlighted, never a passing one", () => {
  const checks = [check("signature", "fail"), check("alg", "pass"), check("iss", "fail")];
  expect(highlightedChecks(lesson({}), { checks, errorCode: null })).toEqual(["signature"]);
  expect(highlightedChecks(null, { checks, errorCode: null })).toEqual([]);
});

test("the expectation names the checks, or the error, or says all should pass", () => {
  expect(expectation(lesson({}))).toBe("Expect the signature, alg and at_hash checks of the ID token to fail.");
  expect(expectation(lesson({ failing_checks: ["aud"] }))).toBe("Expect the aud check of the ID token to fail.");
  expect(expectation(lesson({ failing_checks: [], error_code: "http.timeout" }))).toBe("Expect the flow to end with http.timeout.");
  expect(expectation(lesson({ failing_checks: [], error_code: null }))).toMatch(/every check to pass/);
});

// What a practice lesson is meant to produce, and whether a flow's outcome shows it: the checks to
// highlight in the flow's ID token checks, and a sentence for the lesson card. Pure, so tested
// without a component.
import type { Check } from "../../../bindings/Check";
import type { CheckName } from "../../../bindings/CheckName";
import type { PracticeLesson } from "../../../bindings/PracticeLesson";

/** How a finished (or failed) flow relates to the lesson it ran under. */
export type LessonOutcome =
  /** No flow has finished against the lesson's issuer yet. */
  | { kind: "waiting" }
  /** The flow shows exactly what the lesson teaches: these checks failed, or this error. */
  | { kind: "seen"; checks: CheckName[]; errorCode: string | null }
  /** The flow finished but did not show it (some expected check passed, or another error). */
  | { kind: "not-seen"; missing: CheckName[]; errorCode: string | null };

/** What a flow against the practice issuer came to: its ID token checks, or its error's code. */
export type FlowOutcome = { checks: Check[]; errorCode: string | null } | null;

/**
 * Compares `flow` with what `lesson` is meant to produce. A lesson with failing checks is seen
 * when each of them failed; a lesson about an error when the flow ended with that code.
 */
export function lessonOutcome(lesson: PracticeLesson, flow: FlowOutcome): LessonOutcome {
  if (flow === null) return { kind: "waiting" };
  if (lesson.failing_checks.length > 0) {
    const failed = new Set(flow.checks.filter((c) => c.status === "fail").map((c) => c.name));
    const seen = lesson.failing_checks.filter((name) => failed.has(name));
    const missing = lesson.failing_checks.filter((name) => !failed.has(name));
    return missing.length === 0 ? { kind: "seen", checks: seen, errorCode: null } : { kind: "not-seen", missing, errorCode: flow.errorCode };
  }
  if (lesson.error_code !== null) {
    return flow.errorCode === lesson.error_code
      ? { kind: "seen", checks: [], errorCode: flow.errorCode }
      : { kind: "not-seen", missing: [], errorCode: flow.errorCode };
  }
  // Lessons like missing-kid pass every check; what they show is in a check's message.
  return { kind: "seen", checks: [], errorCode: flow.errorCode };
}

/** The checks to highlight in the flow's list: the lesson's failing checks that did fail. */
export function highlightedChecks(lesson: PracticeLesson | null, flow: FlowOutcome): CheckName[] {
  if (lesson === null || flow === null) return [];
  const failed = new Set(flow.checks.filter((c) => c.status === "fail").map((c) => c.name));
  return lesson.failing_checks.filter((name) => failed.has(name));
}

/** What the lesson card says it expects: "the signature, alg and at_hash checks fail". */
export function expectation(lesson: PracticeLesson): string {
  if (lesson.failing_checks.length > 0) {
    const names = lesson.failing_checks;
    const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
    return `Expect the ${list} check${names.length === 1 ? "" : "s"} of the ID token to fail.`;
  }
  if (lesson.error_code !== null) return `Expect the flow to end with ${lesson.error_code}.`;
  return "Expect every check to pass; read the signature check's message.";
}

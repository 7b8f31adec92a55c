// State of the practice issuer as the app sees it (issue 14): whether it runs and where, the
// lessons and the chosen one. One instance for the app's life (`practiceState()`), shared by the
// Flows view's panel and Discover's "Discover the practice issuer". The issuer itself runs in
// Rust (`commands/practice.rs`); choosing a lesson restarts it with that lesson (a new port).
import type { PracticeLesson } from "../../../bindings/PracticeLesson";
import type { PracticeStartRequest } from "../../../bindings/PracticeStartRequest";
import type { PracticeStatus } from "../../../bindings/PracticeStatus";
import * as ipc from "../../../ipc";
import { toIpcError, type IpcError } from "../../../ipc";
import { DEFAULT_SCOPES, type FlowsState } from "../flows.svelte";
import { highlightedChecks, lessonOutcome, type FlowOutcome, type LessonOutcome } from "./lesson";
import type { CheckName } from "../../../bindings/CheckName";

export type PracticeDeps = {
  start: (request: PracticeStartRequest) => Promise<PracticeStatus>;
  stop: () => Promise<boolean>;
  status: () => Promise<PracticeStatus | null>;
  lessons: () => Promise<PracticeLesson[]>;
};

const IPC_DEPS: PracticeDeps = {
  start: ipc.practiceStart,
  stop: ipc.practiceStop,
  status: ipc.practiceStatus,
  lessons: ipc.practiceLessons,
};

export class PracticeState {
  /** The running issuer, or null. */
  status: PracticeStatus | null = $state.raw(null);
  lessons: PracticeLesson[] = $state.raw([]);
  /** The chosen lesson's name; "" for none (a well-behaved issuer). */
  lesson = $state("");
  /** Starting or restarting the issuer. */
  starting = $state(false);
  error: IpcError | null = $state.raw(null);
  #deps: PracticeDeps;
  #loaded = false;
  /** The start in progress, so two callers (the panel and Start flow) share it. */
  #starting: Promise<PracticeStatus | null> | null = null;

  constructor(deps: Partial<PracticeDeps> = {}) {
    this.#deps = { ...IPC_DEPS, ...deps };
  }

  /** Asks Rust what runs and which lessons exist (once; later calls refresh the status only). */
  async load(): Promise<void> {
    try {
      if (!this.#loaded) {
        this.lessons = await this.#deps.lessons();
        this.#loaded = true;
      }
      this.status = await this.#deps.status();
      if (this.status !== null) this.lesson = this.status.lesson ?? "";
    } catch (e) {
      this.error = toIpcError(e);
    }
  }

  /** The chosen lesson's description, or null. */
  get chosen(): PracticeLesson | null {
    return this.lessons.find((l) => l.name === this.lesson) ?? null;
  }

  /** The lesson the running issuer stages, or null. */
  get running(): PracticeLesson | null {
    const name = this.status?.lesson ?? null;
    return this.lessons.find((l) => l.name === name) ?? null;
  }

  /** True when the running issuer stages the chosen lesson (or none, as chosen). */
  get upToDate(): boolean {
    return this.status !== null && (this.status.lesson ?? "") === this.lesson;
  }

  /** (Re)starts the issuer with the chosen lesson; null (and `error`) when it cannot start. */
  async start(): Promise<PracticeStatus | null> {
    if (this.#starting !== null) return this.#starting;
    this.#starting = this.#start();
    try {
      return await this.#starting;
    } finally {
      this.#starting = null;
    }
  }

  async #start(): Promise<PracticeStatus | null> {
    this.starting = true;
    this.error = null;
    try {
      this.status = await this.#deps.start({ lesson: this.lesson === "" ? null : this.lesson, alg: null });
      return this.status;
    } catch (e) {
      this.error = toIpcError(e);
      this.status = null;
      return null;
    } finally {
      this.starting = false;
    }
  }

  /** The running issuer for the chosen lesson, started (or restarted) if need be. */
  async ensureRunning(): Promise<PracticeStatus | null> {
    if (this.#starting !== null) await this.#starting;
    if (this.upToDate) return this.status;
    return this.start();
  }

  /** Picks a lesson ("" for none) and restarts the issuer with it. */
  async choose(lesson: string): Promise<void> {
    this.lesson = lesson;
    await this.start();
  }

  async stop(): Promise<void> {
    try {
      await this.#deps.stop();
      this.status = null;
    } catch (e) {
      this.error = toIpcError(e);
    }
  }

  /**
   * Runs the code flow against the practice issuer in the Flows view: a one-off flow with its
   * public client (PKCE), the user logging in on its page in the browser.
   */
  async runFlow(flows: FlowsState): Promise<void> {
    const status = await this.ensureRunning();
    if (status === null) return;
    flows.grant = "code";
    flows.mode = "issuer";
    flows.issuer = status.issuer;
    flows.clientId = status.native_client_id;
    flows.scopes = DEFAULT_SCOPES;
    await flows.start();
  }

  /** True when the flow shown in `flows` ran against the running practice issuer. */
  isPracticeFlow(flows: FlowsState): boolean {
    return this.status !== null && flows.target !== null && flows.target.issuer === this.status.issuer;
  }

  /** What the shown flow came to, when it ran against the practice issuer and has answered. */
  flowOutcome(flows: FlowsState): FlowOutcome {
    if (!this.isPracticeFlow(flows) || flows.flow.pending) return null;
    if (flows.flow.result !== null) return { checks: flows.checks, errorCode: null };
    if (flows.flow.error !== null && !flows.flow.cancelled) return { checks: [], errorCode: flows.flow.error.code };
    return null;
  }

  /** The running lesson compared with the shown flow. */
  outcome(flows: FlowsState): LessonOutcome | null {
    const lesson = this.running;
    return lesson === null ? null : lessonOutcome(lesson, this.flowOutcome(flows));
  }

  /** The ID token checks to highlight in the Flows view: the lesson's, once they have failed. */
  highlight(flows: FlowsState): CheckName[] {
    return highlightedChecks(this.running, this.flowOutcome(flows));
  }
}

let shared: PracticeState | null = null;

/** The app's one practice state, made on first use. */
export function practiceState(): PracticeState {
  shared ??= new PracticeState();
  return shared;
}

/** Replaces the shared state (tests). */
export function resetPracticeState(state: PracticeState | null = null): void {
  shared = state;
}

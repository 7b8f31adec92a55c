// One stream of network calls (a view's verification, its discovery): each call runs as a Rust
// operation with its own id, so it can be stopped. Starting the next call cancels the one still
// running (its answer would be for input that has changed), and `cancel()` is the user's Cancel.
import { cancelOperation, newOperationId } from "./ipc";

export type Canceller = (operationId: string) => Promise<void>;

export class OperationStream {
  #prefix: string;
  #cancel: Canceller;
  #running: string | null = null;

  constructor(prefix: string, cancel: Canceller = cancelOperation) {
    this.#prefix = prefix;
    this.#cancel = cancel;
  }

  /** True while a call started here has not answered. */
  get running(): boolean {
    return this.#running !== null;
  }

  /** The id for a new call, cancelling the call still running (superseded). */
  begin(): string {
    this.cancel();
    const id = newOperationId(this.#prefix);
    this.#running = id;
    return id;
  }

  /** Call when the answer for `id` has arrived. */
  end(id: string): void {
    if (this.#running === id) this.#running = null;
  }

  /** Stops the call still running, if any; its command then answers with the cancelled code. */
  cancel(): void {
    const id = this.#running;
    if (id === null) return;
    this.#running = null;
    // Nothing to report if it fails: the operation had ended, or the app is going away.
    this.#cancel(id).catch(() => undefined);
  }
}

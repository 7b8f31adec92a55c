// "Debounce, then ignore stale replies": the request pattern every view's state uses. A call
// waits until input pauses; each request started takes a ticket, and a reply is applied only if
// its ticket is still the newest, so a slow answer for old input never overwrites a newer one.

/** One stream of requests: a debounce timer plus a counter of the newest request. */
export class Latest {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #newest = 0;

  /** Runs `run` after `delayMs`, replacing a call still waiting. */
  debounce(run: () => void, delayMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(run, delayMs);
  }

  /** Drops a call still waiting, if any. */
  cancel(): void {
    clearTimeout(this.#timer);
  }

  /**
   * Starts a request now (dropping a waiting call) and returns its check: true while no newer
   * request has started and the stream has not been disposed.
   */
  begin(): () => boolean {
    this.cancel();
    const ticket = ++this.#newest;
    return () => ticket === this.#newest;
  }

  /** Drops a waiting call and makes every running request stale; call when the view goes away. */
  dispose(): void {
    this.cancel();
    this.#newest++;
  }
}

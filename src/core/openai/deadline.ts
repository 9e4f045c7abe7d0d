// One AbortSignal for a request that fires when the caller aborts or when the server has been
// silent for too long. AbortSignal.timeout/any cannot do the second part: the timer must restart
// whenever bytes arrive, so a long stream that keeps flowing never times out while a stalled one
// does. It also remembers which of the two fired, because a user's Stop is not a timeout.

export class IdleDeadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private firedBy: 'caller' | 'timeout' | undefined;
  /** Whether part of the body arrived: a timeout before that is "did not answer", after it "stalled". */
  phase: 'waiting' | 'streaming' = 'waiting';
  private readonly onCallerAbort = (): void => this.fire('caller');

  constructor(
    private readonly timeoutMs: number,
    private readonly callerSignal?: AbortSignal,
  ) {
    if (callerSignal?.aborted) {
      this.fire('caller');
      return;
    }
    callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
    this.arm();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** 'caller' or 'timeout' once the signal fired, else undefined. */
  get reason(): 'caller' | 'timeout' | undefined {
    return this.firedBy;
  }

  /** Headers or body bytes arrived: the server is alive, restart the idle timer. */
  touch(what: 'headers' | 'body' = 'body'): void {
    if (what === 'body') this.phase = 'streaming';
    if (this.firedBy === undefined) this.arm();
  }

  /** The request is over (answered, failed, or its consumer stopped): cancel what is still in flight. */
  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
    // closes the socket if the body was not read to the end (e.g. a consumer that broke out early)
    if (!this.controller.signal.aborted) this.controller.abort();
  }

  private arm(): void {
    clearTimeout(this.timer);
    // a timeout of 0 or less means "no timeout" (Infinity would overflow setTimeout)
    if (!(this.timeoutMs > 0) || !Number.isFinite(this.timeoutMs)) return;
    this.timer = setTimeout(() => this.fire('timeout'), this.timeoutMs);
  }

  private fire(by: 'caller' | 'timeout'): void {
    if (this.firedBy !== undefined) return;
    this.firedBy = by;
    clearTimeout(this.timer);
    this.controller.abort(by === 'caller' ? this.callerSignal?.reason : new Error('idle timeout'));
  }
}

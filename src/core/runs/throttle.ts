// The run workers' progress throttle: a long run reports after every call, far more often than a
// page can redraw, so at most one report per interval crosses to the extension host — the newest,
// sent when the interval is up, and none is lost unless the run is stopped on purpose.

/** Sends the newest of the values given it at most every `ms` (the first at once). */
export interface Throttle<T> {
  /** Keeps `value` as the newest; sends it now if the interval is up, else when it is. */
  report: (value: T) => void;
  /** Sends the value held back, if any, now (e.g. before a failure crosses back). */
  flush: () => void;
  /** Drops the value held back and the timer (before the final summary, or when the run ends). */
  stop: () => void;
}

export function throttle<T>(send: (value: T) => void, ms = 100): Throttle<T> {
  let last = 0;
  let pending: T | undefined;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (pending !== undefined) send(pending);
    pending = undefined;
    last = Date.now();
  };
  return {
    report: (value) => {
      pending = value;
      if (Date.now() - last >= ms) flush();
      else timer ??= setTimeout(flush, ms - (Date.now() - last));
    },
    flush,
    stop: () => {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

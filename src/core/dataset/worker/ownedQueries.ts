// The queries of the panels that share one dataset worker (one file open in two viewer panels), each
// under its owner's id. A panel's new query supersedes (aborts) only that panel's query still running,
// never another panel's search; each owner's current view is the last one its queries made, and the
// view it replaces is released (no one asks for it again: the page drops rows of an older view).

import { CancelledError, isAbortError } from '../../util/cancel';

export class OwnedQueries {
  private readonly running = new Map<string, AbortController>();
  private readonly current = new Map<string, number>();

  /** `release`: a view its owner replaced (the index may forget it). */
  constructor(private readonly release: (version: number) => void) {}

  /**
   * Runs `owner`'s query, aborting its previous one; rejects with a CancelledError when a newer query
   * of the same owner superseded it.
   */
  async run<T extends { version: number }>(owner: string, query: (signal: AbortSignal) => Promise<T>): Promise<T> {
    this.running.get(owner)?.abort();
    const abort = new AbortController();
    this.running.set(owner, abort);
    try {
      const info = await query(abort.signal);
      const before = this.current.get(owner);
      if (before === undefined || info.version > before) {
        this.current.set(owner, info.version);
        if (before !== undefined) this.release(before);
      } else if (info.version !== before) {
        this.release(info.version); // an older query answered after a newer one: its view is stale already
      }
      return info;
    } catch (err) {
      if (isAbortError(err)) throw new CancelledError('a newer query of the same panel superseded this one');
      throw err;
    } finally {
      if (this.running.get(owner) === abort) this.running.delete(owner);
    }
  }

  /** The version of `owner`'s current view, if it has one. */
  viewOf(owner: string): number | undefined {
    return this.current.get(owner);
  }

  /** Whether a view is some owner's current one (the index must not evict it). */
  inUse(version: number): boolean {
    for (const v of this.current.values()) if (v === version) return true;
    return false;
  }

  /** `owner` is gone (its panel closed): its query stops and its view is released. */
  forget(owner: string): void {
    this.running.get(owner)?.abort();
    this.running.delete(owner);
    const view = this.current.get(owner);
    this.current.delete(owner);
    if (view !== undefined) this.release(view);
  }

  /** Stops every query still running (the worker closes). */
  abortAll(): void {
    for (const abort of this.running.values()) abort.abort();
    this.running.clear();
  }
}

// Cancellation as a type, never as message text: work that stops because it was asked to rejects with
// a CancelledError (or the AbortError an aborted signal throws), and callers test for it with
// `instanceof` / isAbortError, so a real failure whose message happens to read "cancelled" is still
// reported.

/** The work stopped because it was asked to (a Cancel button, a newer request that supersedes it). */
export class CancelledError extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

/** Whether `err` is the AbortError an aborted AbortSignal makes fs, streams and throwIfAborted() throw. */
export function isAbortError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError';
}

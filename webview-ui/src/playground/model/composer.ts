// What the composer may do: send the draft (trimmed, within the protocol's limit), and which of
// Send / Cancel / Save is shown or enabled while a turn is produced.
//
// DOM-free (the model/ folders are compiled and unit-tested under node).

/** The protocol's limit for one seeker message. */
export const MAX_MESSAGE = 20_000;

/** The text to send, an error to show instead, or nothing to do (busy, or an empty draft). */
export function checkMessage(draft: string, busy: boolean): { send: string } | { error: string } | undefined {
  const text = draft.trim();
  if (busy || text === '') return undefined;
  if (text.length > MAX_MESSAGE) {
    return {
      error: `The message is too long (${text.length.toLocaleString('en-US')} characters; at most ${MAX_MESSAGE.toLocaleString('en-US')}).`,
    };
  }
  return { send: text };
}

export interface ComposerControls {
  /** Cancel takes Send's place while a turn is produced (both would not fit a narrow sidebar). */
  cancelShown: boolean;
  sendDisabled: boolean;
  /** "Save conversation ▾" needs a conversation, and one not changing under it. */
  saveDisabled: boolean;
}

export function composerControls(busy: boolean, hasTurns: boolean, draft: string): ComposerControls {
  return { cancelShown: busy, sendDisabled: busy || draft.trim() === '', saveDisabled: busy || !hasTurns };
}

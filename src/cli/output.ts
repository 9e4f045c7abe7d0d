// How the CLI talks: user errors are one clear line on stderr and an exit code, never a stack trace.

export class UsageError extends Error {}

/** A problem with the user's input (missing file, unreadable path): exit 2 with a one-line message. */
export class InputError extends Error {}

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

export const processIo: Io = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

export const printJson = (io: Io, value: unknown): void => io.out(JSON.stringify(value, null, 2));

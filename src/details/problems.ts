// A part that could not be read becomes a row saying so; only a cancellation ends the whole read.
import { describeError } from '../errors/describe';
import { CancelledError } from '../errors/errors';
import type { DetailsProblem } from './model';

/** The problem row for `error`; rethrows a cancellation (a closed panel, Ctrl-C) instead. */
export function problemOf(what: string, error: unknown, signal?: AbortSignal): DetailsProblem {
  if (error instanceof CancelledError || signal?.aborted) throw error instanceof CancelledError ? error : new CancelledError();
  return { what, message: describeError(error) };
}

/** `read()`'s value, or undefined with its failure pushed onto `problems`. */
export async function attempt<T>(problems: DetailsProblem[], what: string, signal: AbortSignal | undefined, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    problems.push(problemOf(what, error, signal));
    return undefined;
  }
}

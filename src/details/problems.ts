// A part that could not be read becomes a row saying so; only a cancellation ends the whole read.
import { describeError } from '../errors/describe';
import { CancelledError } from '../errors/errors';
import { BlobTooLargeError } from './blobs';
import type { DetailsProblem } from './model';

/** The problem row for `error`; rethrows a cancellation (a closed panel, Ctrl-C) instead. */
export function problemOf(what: string, error: unknown, signal?: AbortSignal): DetailsProblem {
  if (error instanceof CancelledError || signal?.aborted) throw error instanceof CancelledError ? error : new CancelledError();
  if (error instanceof BlobTooLargeError) {
    const size = error.declaredBytes !== undefined ? `declares ${mebibytes(error.declaredBytes)}` : `is larger than ${mebibytes(error.limitBytes)}`;
    return { what, message: `${error.url} ${size}, more than the ${mebibytes(error.limitBytes)} Registry Explorer reads of it: it was not downloaded.` };
  }
  return { what, message: describeError(error) };
}

function mebibytes(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
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

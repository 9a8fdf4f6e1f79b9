// The error a promise rejects with, so a test can assert on its class and on describeError's words;
// fails the test when the promise resolves instead.
import assert from 'node:assert/strict';

export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail('expected a rejection');
}

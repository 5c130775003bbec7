/**
 * Imported by a data-parallel worker in tests: makes the worker throw an uncaught error when its first step arrives,
 * to check that the step rejects and nothing hangs.
 */
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', (message: { kind?: string }) => {
  if (message.kind === 'step') throw new Error('injected worker failure');
});

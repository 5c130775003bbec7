// Starts a worker thread on a TypeScript module of this repository: registers tsx's loader, then imports the
// module named in workerData. Used only when the toolkit runs from source (tests, `--conditions=@cnn/source`);
// published packages start their compiled `.js` workers directly.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.__cnnSourceModule);

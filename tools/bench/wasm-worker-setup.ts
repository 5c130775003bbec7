/**
 * Imported by each worker thread of the `wasm-x2` bench runs: activates the WASM backend through `@cnn/backend`,
 * so the workers have the same training kernels as the main thread.
 */
import { selectBackend } from '@cnn/backend';

await selectBackend({ backend: 'wasm' });

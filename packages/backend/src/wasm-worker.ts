/**
 * `@cnn/backend/wasm-worker`: a module to import in worker threads that train on the WASM backend, such as the workers
 * of `@cnn/train`'s data-parallel training (`fit({ dataParallel: { imports: [import.meta.resolve('@cnn/backend/wasm-worker'), ...] } })`).
 * Importing it selects the WASM backend with this package's training kernels, as `selectBackend({ backend: 'wasm' })`
 * does in the main thread, and finishes when the backend is ready; it fails if WASM cannot start.
 */
import { selectBackend } from './select.js';

await selectBackend({ backend: 'wasm' });

/**
 * A training step that runs the WASM backend out of memory fails deep inside WebAssembly with a message that names
 * neither memory nor a remedy ("table index is out of bounds", "Aborted()"): the backend's heap has grown to the
 * 4 GiB a wasm32 module can address, an allocation failed, and the backend went on with what it got. This turns such
 * a failure into an error that says so and what to do.
 */

/** The most memory a wasm32 module can address: 4 GiB. */
export const WASM32_MAX_HEAP_BYTES = 2 ** 32;

/** How close to {@link WASM32_MAX_HEAP_BYTES} a heap counts as full (the backend grows it in steps). */
const FULL_MARGIN_BYTES = 64 * 2 ** 20;

/** What {@link explainStepFailure} needs to know about the failed step. */
export interface StepFailureContext {
  /** `tf.getBackend()` when it failed. */
  backend: string;
  /** The WASM backend's heap size in bytes, if the backend is WASM. */
  heapBytes: number | undefined;
  /** Images in the batch. */
  batchSize: number;
  /** The micro-batch size in use, if any. */
  microBatchSize?: number;
}

/** The size in bytes of the active WASM backend's heap, or `undefined` for other backends. */
export function wasmHeapBytes(backend: unknown): number | undefined {
  return (backend as { wasm?: { HEAPU8?: Uint8Array } } | undefined)?.wasm?.HEAPU8?.buffer.byteLength;
}

/**
 * `error` itself, unless it is a WebAssembly failure of a step on the WASM backend whose heap had reached the wasm32
 * limit: then an `Error` (with `error` as its `cause`) that says the heap is full and suggests a micro-batch size
 * half the current piece.
 */
export function explainStepFailure(error: unknown, context: StepFailureContext): unknown {
  const message = error instanceof Error ? error.message : String(error);
  const fromWasm = error instanceof WebAssembly.RuntimeError || /^Aborted\(|out of memory|\bOOM\b/i.test(message);
  const heap = context.heapBytes;
  if (context.backend !== 'wasm' || !fromWasm || heap === undefined || heap < WASM32_MAX_HEAP_BYTES - FULL_MARGIN_BYTES) return error;
  const piece = context.microBatchSize ?? context.batchSize;
  const advice =
    piece > 1
      ? `train in micro-batches with the same update (fit's microBatchSize: ${Math.ceil(piece / 2)}), or on smaller batches`
      : 'the model does not fit even one image; use a smaller input or model';
  return new Error(
    `fit: a training step on ${context.batchSize} images${context.microBatchSize === undefined ? '' : ` (micro-batches of ${context.microBatchSize})`} ` +
      `ran the WASM backend out of memory: its heap had grown to ${(heap / 2 ** 20).toFixed(0)} MB, the most WebAssembly can address, ` +
      `and the backend then failed with "${message}"; ${advice}`,
    { cause: error },
  );
}

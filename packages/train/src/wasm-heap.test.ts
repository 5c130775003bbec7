import { describe, expect, it } from 'vitest';
import { explainStepFailure, WASM32_MAX_HEAP_BYTES, wasmHeapBytes } from './wasm-heap.js';

const FULL = WASM32_MAX_HEAP_BYTES;
const trap = (): Error => new WebAssembly.RuntimeError('table index is out of bounds');

describe('explainStepFailure', () => {
  it('names a full WASM heap and suggests half the batch as micro-batches, keeping the trap as the cause', () => {
    const error = trap();
    const explained = explainStepFailure(error, { backend: 'wasm', heapBytes: FULL, batchSize: 64 }) as Error;
    expect(explained).not.toBe(error);
    expect(explained.message).toMatch(/step on 64 images ran the WASM backend out of memory: its heap had grown to 4096 MB/);
    expect(explained.message).toContain('"table index is out of bounds"');
    expect(explained.message).toContain("fit's microBatchSize: 32");
    expect(explained.cause).toBe(error);
  });

  it('halves the micro-batch size already in use, and says when not even one image fits', () => {
    const micro = explainStepFailure(new Error('Aborted(OOM)'), { backend: 'wasm', heapBytes: FULL - 2 ** 20, batchSize: 128, microBatchSize: 16 }) as Error;
    expect(micro.message).toContain('(micro-batches of 16)');
    expect(micro.message).toContain("fit's microBatchSize: 8");
    const one = explainStepFailure(trap(), { backend: 'wasm', heapBytes: FULL, batchSize: 1 }) as Error;
    expect(one.message).toContain('does not fit even one image');
  });

  it('leaves other failures alone: heap not full, other backends, errors not from WebAssembly', () => {
    const error = trap();
    expect(explainStepFailure(error, { backend: 'wasm', heapBytes: 2 ** 31, batchSize: 64 })).toBe(error);
    expect(explainStepFailure(error, { backend: 'wasm', heapBytes: undefined, batchSize: 64 })).toBe(error);
    expect(explainStepFailure(error, { backend: 'cpu', heapBytes: FULL, batchSize: 64 })).toBe(error);
    const shape = new Error('Error when checking input: expected 4 dimensions');
    expect(explainStepFailure(shape, { backend: 'wasm', heapBytes: FULL, batchSize: 64 })).toBe(shape);
  });

  it('reads the heap size of a WASM backend object, and nothing from others', () => {
    expect(wasmHeapBytes({ wasm: { HEAPU8: new Uint8Array(1024) } })).toBe(1024);
    expect(wasmHeapBytes({})).toBeUndefined();
    expect(wasmHeapBytes(undefined)).toBeUndefined();
  });
});

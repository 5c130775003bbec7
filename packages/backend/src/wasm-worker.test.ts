import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { WASM_TRAINING_KERNEL_NAMES } from './index.js';

describe('@cnn/backend/wasm-worker', () => {
  it('selects the WASM backend with the training kernels when imported', async () => {
    await tf.setBackend('cpu').catch(() => false);
    await import('./wasm-worker.js');
    expect(tf.getBackend()).toBe('wasm');
    for (const name of WASM_TRAINING_KERNEL_NAMES) expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
  });
});

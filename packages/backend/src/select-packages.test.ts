/**
 * selectBackend against stand-ins for the optional packages that cannot be installed here: a tfjs-node-gpu that
 * fails to load its native library, a tfjs-node that registers 'tensorflow' (backed by the CPU kernels), and a
 * Dawn whose GPU has no adapter.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import { formatBackendReport, selectBackend } from './index.js';

vi.mock('@tensorflow/tfjs-node-gpu', () => {
  throw new Error('libcudart.so.11.0: cannot open shared object file: No such file or directory');
});
vi.mock('@tensorflow/tfjs-node', async () => {
  const { MathBackendCPU } = await import('@tensorflow/tfjs-backend-cpu');
  tf.registerBackend('tensorflow', () => new MathBackendCPU(), 3);
  return { version: { 'tfjs-node': 'stand-in' } };
});
/** What the stand-in Dawn's requestAdapter() resolves to. */
const dawn = vi.hoisted(() => ({ adapter: null as object | null }));
vi.mock('webgpu', () => ({
  globals: { GPUBufferUsage: { MAP_READ: 1 } },
  create: () => ({ requestAdapter: async () => dawn.adapter }),
}));

describe('selectBackend with optional packages present', () => {
  it('reports a package that fails to load with its own message, and picks tfjs-node', async () => {
    const choice = await selectBackend();
    expect(choice).toMatchObject({ name: 'node', tfjsName: 'tensorflow' });
    expect(tf.getBackend()).toBe('tensorflow');
    expect(choice.attempts).toEqual([
      {
        name: 'node-gpu',
        ok: false,
        reason: expect.stringMatching(/^@tensorflow\/tfjs-node-gpu failed to load: .*libcudart\.so\.11\.0: cannot open/),
      },
      { name: 'node', ok: true, reason: 'TensorFlow C library (CPU) via @tensorflow/tfjs-node' },
    ]);
    expect(formatBackendReport(choice)).toContain("TensorFlow.js backend: node (tfjs 'tensorflow')");
  });

  it('installs Dawn for WebGPU in Node, and removes it again when there is no adapter', async () => {
    const choice = await selectBackend({ candidates: ['webgpu', 'cpu'] });
    expect(choice.name).toBe('cpu');
    expect(choice.attempts[0]?.reason).toBe('no WebGPU adapter: navigator.gpu.requestAdapter() returned null');
    expect((globalThis as { GPUBufferUsage?: unknown }).GPUBufferUsage).toEqual({ MAP_READ: 1 });
    expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBeUndefined();
  });

  it('reports a WebGPU adapter whose device cannot be created as unusable, and removes Dawn again', async () => {
    dawn.adapter = {
      features: new Set(),
      limits: {},
      requestDevice: async () => {
        throw new Error('device lost');
      },
    };
    const choice = await selectBackend({ candidates: ['webgpu', 'cpu'] });
    expect(choice.name).toBe('cpu');
    expect(choice.attempts[0]?.reason).toMatch(/^the 'webgpu' backend failed to initialise \(tf\.setBackend returned false/);
    expect((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBeUndefined();
  });
});

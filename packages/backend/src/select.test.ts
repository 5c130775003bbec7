import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKEND_NAMES, formatBackendReport, parseBackendName, selectBackend } from './index.js';

describe('parseBackendName', () => {
  it('accepts every backend name and auto, case-insensitively', () => {
    for (const name of [...BACKEND_NAMES, 'auto'] as const) expect(parseBackendName(name)).toBe(name);
    expect(parseBackendName(' WASM ')).toBe('wasm');
  });

  it('rejects an unknown name, naming it and listing the valid ones', () => {
    expect(() => parseBackendName('foo')).toThrow("Unknown backend 'foo': expected one of auto, node-gpu, node, webgpu, wasm, cpu");
  });
});

describe('selectBackend', () => {
  // Node.js 21+ defines a read-only navigator of its own; put back whatever was there.
  const originalNavigator = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  afterEach(() => {
    if (originalNavigator) Object.defineProperty(globalThis, 'navigator', originalNavigator);
    else delete (globalThis as { navigator?: unknown }).navigator;
  });

  it('lists the backends in preference order', () => {
    expect(BACKEND_NAMES).toEqual(['node-gpu', 'node', 'webgpu', 'wasm', 'cpu']);
  });

  it('activates an explicitly requested cpu backend', async () => {
    const choice = await selectBackend({ backend: 'cpu' });
    expect(tf.getBackend()).toBe('cpu');
    expect(choice).toMatchObject({ name: 'cpu', tfjsName: 'cpu', reason: 'requested explicitly' });
    expect(choice.attempts).toEqual([{ name: 'cpu', ok: true, reason: expect.stringContaining('JavaScript') }]);
  });

  it('activates an explicitly requested wasm backend and reports its training kernels', async () => {
    const choice = await selectBackend({ backend: 'wasm' });
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.name).toBe('wasm');
    expect(choice.attempts[0]?.reason).toMatch(/WebAssembly \+ XNNPACK .*Conv2DBackpropFilter/);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it("picks wasm with 'auto' here and says why node-gpu, node and webgpu were not usable", async () => {
    const choice = await selectBackend();
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.attempts.map((attempt) => [attempt.name, attempt.ok])).toEqual([
      ['node-gpu', false],
      ['node', false],
      ['webgpu', false],
      ['wasm', true],
    ]);
    const [nodeGpu, node, webgpu] = choice.attempts;
    expect(nodeGpu?.reason).toBe('@tensorflow/tfjs-node-gpu is not installed (npm i @tensorflow/tfjs-node-gpu)');
    expect(node?.reason).toBe('@tensorflow/tfjs-node is not installed (npm i @tensorflow/tfjs-node)');
    expect(webgpu?.reason).toBe('WebGPU in Node.js needs Dawn: webgpu is not installed (npm i webgpu)');

    const report = formatBackendReport(choice).split('\n');
    expect(report).toHaveLength(1 + choice.attempts.length);
    expect(report[0]).toMatch(/^TensorFlow\.js backend: wasm \(tfjs 'wasm'\), auto: /);
    expect(report[1]).toMatch(/^ {2}no {2}node-gpu {2}@tensorflow\/tfjs-node-gpu is not installed/);
    expect(report[4]).toMatch(/^ {2}ok {2}wasm {6}WebAssembly/);
  });

  it('reports a WebGPU without an adapter as unusable', async () => {
    const navigator = { gpu: { requestAdapter: async () => null } };
    Object.defineProperty(globalThis, 'navigator', { value: navigator, configurable: true, writable: true });
    const choice = await selectBackend({ candidates: ['webgpu', 'cpu'] });
    expect(choice.name).toBe('cpu');
    expect(choice.attempts[0]).toEqual({
      name: 'webgpu',
      ok: false,
      reason: 'no WebGPU adapter: navigator.gpu.requestAdapter() returned null',
    });
  });

  it('tries candidates in preference order, whatever order they are given in', async () => {
    const choice = await selectBackend({ candidates: ['cpu', 'wasm'] });
    expect(choice.attempts.map((attempt) => attempt.name)).toEqual(['wasm']);
    expect((await selectBackend({ candidates: ['cpu'] })).name).toBe('cpu');
  });

  it('refuses an explicitly requested backend that is not installed, without falling back', async () => {
    await selectBackend({ backend: 'cpu' });
    await expect(selectBackend({ backend: 'node' })).rejects.toThrow(
      "Backend 'node' cannot be used: @tensorflow/tfjs-node is not installed (npm i @tensorflow/tfjs-node)",
    );
    expect(tf.getBackend()).toBe('cpu');
  });

  it('rejects unknown names and an empty candidate list', async () => {
    await expect(selectBackend({ backend: 'gpu' as never })).rejects.toThrow(/Unknown backend 'gpu'/);
    await expect(selectBackend({ candidates: ['tpu' as never] })).rejects.toThrow(/Unknown backend 'tpu'/);
    await expect(selectBackend({ candidates: [] })).rejects.toThrow(/candidates is empty/);
  });
});

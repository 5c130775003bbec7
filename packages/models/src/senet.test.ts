import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSeedGolden, loadWeightsByName, maxAbsDiff, paramCounts } from './__fixtures__/googlenet-golden.js';
import { createModel, senet, SENET_TINY, type SENetOptions } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const golden = loadSeedGolden('senet-golden.json');

describe("seed 001's SENets", () => {
  it.each([
    ['senet_v1', 2_876_690, 1_776],
    ['senet_v2', 1_527_695, 1_536],
  ] as const)('%s has the PyTorch parameter count (%d trainable)', (name, trainable, nonTrainable) => {
    const model = createModel(name, { seed: 1 });
    expect(paramCounts(model)).toEqual({ trainable, nonTrainable });
    expect(golden.parameterCounts[name]).toEqual({ trainable, nonTrainable });
    model.dispose();
  });

  it.each([1, 2] as const)('version %d equals PyTorch for the same weights within 1e-4 (tiny widths, inference mode)', (version) => {
    const before = tf.memory().numTensors;
    const model = senet({ ...(SENET_TINY[version] as SENetOptions), inputShape: [16, 16, 3], seed: 0 });
    expect(loadWeightsByName(model, golden, `v${version}/`)).toEqual([]);
    const x = golden.input();
    const expected = golden.outputs();
    const y = model.predict(x) as tf.Tensor;
    expect(maxAbsDiff(y, expected[version - 1]!)).toBeLessThan(1e-4);
    tf.dispose([x, y, ...expected]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("v2 has the seed's SE reductions, average pools and dropblock-package DropBlocks (0.35/4, 0.6/2, 0.35/1)", () => {
    const model = createModel('senet_v2', { seed: 1 });
    const se = model.layers.filter((l) => l.getClassName() === 'SqueezeExcitation').map((l) => l.getConfig()['reduction']);
    expect(se).toEqual([8, 12, 16, 16, 32]);
    const drops = model.layers.filter((l) => l.getClassName() === 'DropBlock2D').map((l) => l.getConfig());
    expect(drops).toMatchObject([
      { dropProb: 0.35, blockSize: 4, variant: 'dropblockPackage' },
      { dropProb: 0.6, blockSize: 2, variant: 'dropblockPackage' },
      { dropProb: 0.35, blockSize: 1, variant: 'dropblockPackage' },
    ]);
    expect((model.getLayer('stage5_pool').outputShape as number[]).slice(1)).toEqual([4, 4, 272]);
    model.dispose();
  });

  it('refuses impossible options, naming the value', () => {
    expect(() => createModel('senet_v2', { inputShape: [7, 7, 3] })).toThrow(/senet_v2: input 7x7 is too small: three 2x2 average pools need at least 8x8/);
    expect(() => senet({ version: 3 as 1 })).toThrow(/version must be 1 or 2, got 3/);
    expect(() => senet({ version: 2, widths: [8, 8, 8, 8, 8], seReductions: [16, 4, 4, 4, 4] })).toThrow(/8 channels \/ reduction 16 leaves no hidden unit/);
  });
});

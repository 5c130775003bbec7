import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeCase, golden, maxAbsDiff } from './__fixtures__/golden.js';
import { runLayerTest } from './__fixtures__/run-layer-test.js';
import { blockKeepMask, DropBlock2D, dropBlockGamma, scheduledDropProb, type DropBlockVariant } from './index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * Exact expected dropped fraction: a unit is dropped unless none of the seeds whose block covers it fires. Paper: the
 * seeds at positions [i − b + 1, i] where a block fits; package: seeds [i − ⌊b/2⌋, i + b − 1 − ⌊b/2⌋] inside the map.
 */
function expectedDropped(p: number, b: number, h: number, w: number, variant: DropBlockVariant = 'paper'): number {
  const paper = variant === 'paper';
  const gamma = paper ? dropBlockGamma(p, b, h, w) : p / (b * b);
  const covering = (i: number, size: number): number =>
    paper ? Math.min(i, size - b) - Math.max(0, i - b + 1) + 1 : Math.min(i + b - 1 - Math.floor(b / 2), size - 1) - Math.max(0, i - Math.floor(b / 2)) + 1;
  let sum = 0;
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) sum += 1 - (1 - gamma) ** (covering(i, h) * covering(j, w));
  return sum / (h * w);
}

/**
 * Whether every dropped unit (0) of `mask` lies in a b × b square whose units in the map are all dropped: the drops
 * are whole blocks. Paper blocks lie inside the map; the package's may be cut by the border.
 */
function dropsAreBlocks(mask: number[][], b: number, insideMap: boolean): boolean {
  const [h, w] = [mask.length, mask[0]!.length];
  const dropped = (i: number, j: number): boolean => i < 0 || j < 0 || i >= h || j >= w || mask[i]![j] === 0;
  const squareDropped = (top: number, left: number): boolean => {
    for (let i = top; i < top + b; i++) for (let j = left; j < left + b; j++) if (!dropped(i, j)) return false;
    return true;
  };
  const range = (k: number, size: number): [number, number] => (insideMap ? [Math.max(0, k - b + 1), Math.min(k, size - b)] : [k - b + 1, k]);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      if (mask[i]![j] === 1) continue;
      const [[t0, t1], [l0, l1]] = [range(i, h), range(j, w)];
      let found = false;
      for (let top = t0; top <= t1 && !found; top++) for (let left = l0; left <= l1 && !found; left++) found = squareDropped(top, left);
      if (!found) return false;
    }
  }
  return true;
}

/** Training output on ones of shape [n, h, w, c] as per-map 0/1 masks ([n·c][h][w]) and the kept value. */
function trainingMasks(layer: DropBlock2D, n: number, h: number, w: number, c: number): { masks: number[][][]; kept: Set<number> } {
  const y = tf.tidy(() => tf.transpose(layer.apply(tf.ones([n, h, w, c]), { training: true }) as tf.Tensor, [0, 3, 1, 2]));
  const values = (tf.tidy(() => tf.reshape(y, [n * c, h, w]).arraySync()) as number[][][]);
  y.dispose();
  const kept = new Set(values.flat(2).filter((v) => v !== 0));
  return { masks: values.map((m) => m.map((row) => row.map((v) => (v === 0 ? 0 : 1)))), kept };
}

describe('DropBlock2D', () => {
  it('passes the shared layer test, with and without a schedule', async () => {
    await runLayerTest({ make: () => new DropBlock2D({ dropProb: 0.2, blockSize: 3 }), inputShape: [8, 8, 2], trainableWeights: 0 });
    await runLayerTest({
      make: () => new DropBlock2D({ dropProb: 0.2, blockSize: 4, variant: 'dropblockPackage', scheduleSteps: 10 }),
      inputShape: [8, 8, 2],
      trainableWeights: 0,
      nonTrainableWeights: 1,
    });
  });

  it('is the identity at inference', () => {
    const x = tf.randomNormal([2, 6, 6, 3]);
    const y = new DropBlock2D({ dropProb: 0.5, blockSize: 3 }).apply(x) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    tf.dispose([x, y]);
  });

  for (const [name, variant] of [
    ['drop_block_mask_paper_3', 'paper'],
    ['drop_block_mask_paper_5', 'paper'],
    ['drop_block_mask_package_3', 'dropblockPackage'],
    ['drop_block_mask_package_4', 'dropblockPackage'],
  ] as const) {
    it(`places blocks as PyTorch does from the same seeds: ${name}`, () => {
      const c = golden(name);
      const mask = blockKeepMask(c.input as tf.Tensor4D, c.config.blockSize as number, variant);
      expect(maxAbsDiff(mask, c.output)).toBe(0);
      tf.dispose(mask);
      disposeCase(c);
    });
  }

  it("has the paper's gamma", () => {
    expect(dropBlockGamma(0.1, 7, 14, 14)).toBeCloseTo((0.1 / 49) * (196 / 64), 12);
    expect(dropBlockGamma(0.3, 15, 8, 8)).toBeCloseTo(0.3, 12); // block clipped to the 8 × 8 map: one seed position
  });

  for (const [p, b] of [[0.1, 3], [0.3, 5], [0.2, 4]] as const) {
    it(`drops the expected fraction (≈ dropProb ${p}) in blocks of ${b}, and rescales to keep the mean`, () => {
      // 512 maps: about 4,000 blocks for p = 0.3, b = 5, so the tolerance is over 4 standard deviations
      const [n, h, w, c] = [16, 24, 24, 32];
      const { masks, kept } = trainingMasks(new DropBlock2D({ dropProb: p, blockSize: b }), n, h, w, c);
      const dropped = 1 - masks.flat(2).reduce((s, v) => s + v, 0) / (n * h * w * c);
      expect(Math.abs(dropped - expectedDropped(p, b, h, w))).toBeLessThan(0.02);
      expect(Math.abs(dropped - p)).toBeLessThan(p * 0.2); // below p by the blocks' overlaps (0.254 for p = 0.3, b = 5)
      expect(kept.size).toBe(1); // every kept unit carries the same scale count / kept, so the mean of ones stays 1
      expect([...kept][0]! * (1 - dropped)).toBeCloseTo(1, 5);
      expect(masks.slice(0, 32).every((mask) => dropsAreBlocks(mask, b, true))).toBe(true);
    });
  }

  for (const [p, b] of [[0.3, 3], [0.35, 4]] as const) {
    it(`variant 'dropblockPackage' (seeds 000/001) drops γ = p / b² blocks of ${b}, one mask for all channels`, () => {
      // 512 independent masks, about 2,900 blocks for b = 4: the tolerance is 4 standard deviations
      const [n, h, w, c] = [512, 16, 16, 2];
      const { masks, kept } = trainingMasks(new DropBlock2D({ dropProb: p, blockSize: b, variant: 'dropblockPackage' }), n, h, w, c);
      for (let i = 0; i < n; i++) expect(masks[i * c + 1]).toEqual(masks[i * c]); // channels share the sample's mask
      const dropped = 1 - masks.flat(2).reduce((s, v) => s + v, 0) / (n * h * w * c);
      expect(Math.abs(dropped - expectedDropped(p, b, h, w, 'dropblockPackage'))).toBeLessThan(0.02);
      expect(kept.size).toBe(1);
      expect([...kept][0]! * (1 - dropped)).toBeCloseTo(1, 5);
      expect(masks.slice(0, 64).every((mask) => dropsAreBlocks(mask, b, false))).toBe(true);
    });
  }

  it('keeps a random input’s mean', () => {
    const x = tf.randomUniform([16, 16, 16, 8], 0, 2);
    const y = new DropBlock2D({ dropProb: 0.3, blockSize: 3 }).apply(x, { training: true }) as tf.Tensor;
    const [mx, my] = [tf.mean(x), tf.mean(y)].map((t) => { const v = t.dataSync()[0]!; t.dispose(); return v; });
    expect(Math.abs(my! - mx!)).toBeLessThan(0.03);
    tf.dispose([x, y]);
  });

  it('ramps the drop probability linearly over scheduleSteps training calls, counting them in `step`', () => {
    [0, 0.1, 0.2, 0.3, 0.4, 0.4].forEach((p, i) => expect(scheduledDropProb(0.4, 5, [0, 1, 2, 3, 4, 9][i]!)).toBeCloseTo(p, 12));
    expect(scheduledDropProb(0.4, 1, 0)).toBe(0.4);
    const layer = new DropBlock2D({ dropProb: 0.4, blockSize: 2, scheduleSteps: 3 });
    const fractions: number[] = [];
    for (let k = 0; k < 4; k++) {
      const { masks } = trainingMasks(layer, 8, 24, 24, 16);
      fractions.push(1 - masks.flat(2).reduce((s, v) => s + v, 0) / (8 * 24 * 24 * 16));
    }
    expect(layer.trainingSteps).toBe(4);
    expect(fractions[0]).toBe(0); // first call: drop probability 0
    [0.2, 0.4, 0.4].forEach((p, i) => expect(Math.abs(fractions[i + 1]! - expectedDropped(p, 2, 24, 24))).toBeLessThan(0.02));
    const inference = new DropBlock2D({ dropProb: 0.4, blockSize: 2, scheduleSteps: 3 });
    tf.dispose(inference.apply(tf.ones([1, 4, 4, 1])) as tf.Tensor);
    expect(inference.trainingSteps).toBe(0); // inference calls do not advance the schedule
    tf.dispose([...layer.weights, ...inference.weights].map((v) => v.read()));
  });

  it('trains inside model.fit, where every batch is one step of the schedule', async () => {
    const dropBlock = new DropBlock2D({ dropProb: 0.3, blockSize: 2, scheduleSteps: 5 });
    const model = tfl.sequential({
      layers: [tfl.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3 }), dropBlock, tfl.layers.flatten(), tfl.layers.dense({ units: 1 })],
    });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const [x, y] = [tf.randomNormal([8, 6, 6, 1]), tf.randomNormal([8, 1])];
    await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    expect(dropBlock.trainingSteps).toBe(2);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('saves the schedule position with the weights: a loaded model goes on from the same step', async () => {
    const dropBlock = new DropBlock2D({ dropProb: 0.3, blockSize: 2, scheduleSteps: 10 });
    const model = tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: [4, 4, 1] }), dropBlock] });
    const x = tf.ones([1, 4, 4, 1]);
    for (let i = 0; i < 3; i++) tf.dispose(dropBlock.apply(x, { training: true }) as tf.Tensor);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    const restored = loaded.getLayer(dropBlock.name) as DropBlock2D;
    expect(restored).toBeInstanceOf(DropBlock2D);
    expect(restored.trainingSteps).toBe(3);
    tf.dispose(x);
    model.dispose();
    loaded.dispose();
  });

  it('refuses bad arguments with the value', () => {
    expect(() => new DropBlock2D({ dropProb: 1, blockSize: 3 })).toThrow(/\[0, 1\), got 1/);
    expect(() => new DropBlock2D({ dropProb: 0.1, blockSize: 2.5 })).toThrow(/blockSize must be a positive integer, got 2.5/);
    expect(() => new DropBlock2D({ dropProb: 0.1, blockSize: 3, variant: 'timm' as 'paper' })).toThrow(/'paper' or 'dropblockPackage', got 'timm'/);
    expect(() => new DropBlock2D({ dropProb: 0.1, blockSize: 3 }).apply(tfl.input({ shape: [4, 4] }))).toThrow(/rank 4/);
  });
});

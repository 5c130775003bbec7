/**
 * Training-mode statistics of DropBlock2D (both variants) and StochasticDepth (both modes) against PyTorch's:
 * `__fixtures__/stochastic-golden.json`, written by `tools/reference/stochastic_golden.py` from many seeded passes of
 * torchvision's `drop_block2d`, the `dropblock` package's `DropBlock2D` and torchvision's `stochastic_depth`. Each
 * statistic is a mean over passes with its standard error; ours and PyTorch's must agree within 4 combined standard
 * errors, and the exact behaviours (smallest block, channel sharing, all-or-nothing drop path, exact scaling) must be
 * the same. `Math.random`, which seeds tfjs's unseeded random ops, is replaced by a seeded generator so the draws
 * are reproducible.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DropBlock2D, StochasticDepth, type DropBlockVariant, type StochasticDepthMode } from './index.js';

interface Stat<T = number> {
  mean: T;
  se: T;
}

const SCALAR_STATS = ['kept', 'channelDisagree', 'componentsPerMap', 'meanSize', 'squareFraction', 'meanBoxH', 'meanBoxW'] as const;
type ScalarStat = (typeof SCALAR_STATS)[number];

type DropBlockSummary = Record<ScalarStat | 'meanOutput', Stat> & {
  rowDropped: Stat<number[]>;
  minBox: [number, number];
  keptValuesMax: number;
  meanOutputMaxDev: number;
};

interface DropBlockCase extends DropBlockSummary {
  variant: DropBlockVariant;
  dropProb: number;
  blockSize: number;
  shapeNHWC: [number, number, number, number];
  passes: number;
}

interface DepthCase {
  mode: StochasticDepthMode;
  p: number;
  passes: number;
  droppedFraction: Stat;
  wholeBatchDropped: Stat;
  mixedFraction: Stat;
  everySampleZeroOrExactlyScaled: boolean;
  keptOutputNHWC: number[];
}

const fixture = JSON.parse(readFileSync(new URL('./__fixtures__/stochastic-golden.json', import.meta.url), 'utf8')) as {
  dropBlock: Record<string, DropBlockCase>;
  stochasticDepth: Record<string, DepthCase>;
  stochasticDepthInputNHWC: { shape: number[]; values: number[] };
};

/** Passes drawn here per case (PyTorch's are in the fixture). */
const DROPBLOCK_PASSES = 1000;
const DEPTH_PASSES = 2000;

beforeAll(async () => {
  await tf.setBackend('cpu');
  // mulberry32: tfjs seeds each unseeded random op from Math.random()
  let state = 0x2545f491;
  vi.spyOn(Math, 'random').mockImplementation(() => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  });
});

afterAll(() => {
  vi.restoreAllMocks();
});

/** 4-connected regions of zeros of one h × w keep mask: [size, bounding-box height, width] each. */
function components(mask: Uint8Array, h: number, w: number): Array<[number, number, number]> {
  const seen = new Uint8Array(h * w);
  const out: Array<[number, number, number]> = [];
  for (let start = 0; start < h * w; start++) {
    if (mask[start] !== 0 || seen[start]) continue;
    const stack = [start];
    seen[start] = 1;
    let [size, r0, r1, c0, c1] = [0, h, -1, w, -1];
    while (stack.length > 0) {
      const k = stack.pop()!;
      const [y, x] = [Math.floor(k / w), k % w];
      size++;
      [r0, r1, c0, c1] = [Math.min(r0, y), Math.max(r1, y), Math.min(c0, x), Math.max(c1, x)];
      for (const [yy, xx] of [[y - 1, x], [y + 1, x], [y, x - 1], [y, x + 1]] as const) {
        const kk = yy * w + xx;
        if (yy >= 0 && yy < h && xx >= 0 && xx < w && mask[kk] === 0 && !seen[kk]) {
          seen[kk] = 1;
          stack.push(kk);
        }
      }
    }
    out.push([size, r1 - r0 + 1, c1 - c0 + 1]);
  }
  return out;
}

interface PassStats {
  scalars: Partial<Record<ScalarStat, number>>;
  rowDropped: number[];
  meanOutput: number;
  keptValues: number;
  minBox?: [number, number];
}

/** The statistics of `dropblock_stats` in the Python script, for one NHWC output `y` on ones; `b` the (clipped) block side. */
function passStats(y: Float32Array, [n, h, w, c]: readonly [number, number, number, number], b: number): PassStats {
  const maps = Array.from({ length: n * c }, () => new Uint8Array(h * w));
  const rowKept = new Array<number>(h).fill(0);
  const keptValues = new Set<number>();
  let [kept, sum, disagree] = [0, 0, 0];
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        let [any, all] = [false, true];
        for (let ch = 0; ch < c; ch++) {
          const v = y[((s * h + i) * w + j) * c + ch]!;
          sum += v;
          const on = v !== 0;
          if (on) {
            kept++;
            rowKept[i]!++;
            keptValues.add(v);
            maps[s * c + ch]![i * w + j] = 1;
          }
          any ||= on;
          all &&= on;
        }
        if (any && !all) disagree++;
      }
    }
  }
  const comps = maps.flatMap((m) => components(m, h, w));
  const scalars: PassStats['scalars'] = { kept: kept / y.length, channelDisagree: disagree / (n * h * w), componentsPerMap: comps.length / (n * c) };
  const stats: PassStats = { scalars, rowDropped: rowKept.map((k) => 1 - k / (n * w * c)), meanOutput: sum / y.length, keptValues: keptValues.size };
  if (comps.length > 0) {
    const mean = (f: (comp: [number, number, number]) => number): number => comps.reduce((a, comp) => a + f(comp), 0) / comps.length;
    scalars.meanSize = mean(([size]) => size);
    scalars.squareFraction = mean(([size, bh, bw]) => (size === b * b && bh === b && bw === b ? 1 : 0));
    scalars.meanBoxH = mean(([, bh]) => bh);
    scalars.meanBoxW = mean(([, , bw]) => bw);
    stats.minBox = [Math.min(...comps.map(([, bh]) => bh)), Math.min(...comps.map(([, , bw]) => bw))];
  }
  return stats;
}

/** Mean and standard error (std with ddof 1 / sqrt(count)) of per-pass values. */
function meanSe(values: number[]): Stat {
  const mean = values.reduce((a, v) => a + v, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, se: Math.sqrt(variance / values.length) };
}

/**
 * Expects |ours − torch| ≤ 4 · sqrt(se_ours² + se_torch²). A standard error of 0 (a statistic constant over every
 * pass, e.g. a fraction never or always observed) is taken as 1 / passes of its side, so that an event too rare to
 * have been seen in one run is not an exact requirement.
 */
function expectAgrees(label: string, ours: Stat, ourPasses: number, torch: Stat, torchPasses: number): void {
  const se = Math.hypot(ours.se > 0 ? ours.se : 1 / ourPasses, torch.se > 0 ? torch.se : 1 / torchPasses);
  expect(Math.abs(ours.mean - torch.mean), `${label}: ours ${ours.mean} ± ${ours.se}, torch ${torch.mean} ± ${torch.se}`).toBeLessThanOrEqual(4 * se);
}

describe('DropBlock2D in training matches PyTorch statistically', () => {
  for (const [name, ref] of Object.entries(fixture.dropBlock)) {
    it(`${name} (${ref.variant}, p ${ref.dropProb}, block ${ref.blockSize}, NHWC [${ref.shapeNHWC.join(', ')}])`, () => {
      const shape = ref.shapeNHWC;
      const [, h, w] = shape;
      const b = ref.variant === 'paper' ? Math.min(ref.blockSize, h, w) : ref.blockSize;
      const layer = new DropBlock2D({ dropProb: ref.dropProb, blockSize: ref.blockSize, variant: ref.variant });
      const ones = tf.ones(shape);
      const passes: PassStats[] = [];
      for (let k = 0; k < DROPBLOCK_PASSES; k++) {
        const y = layer.apply(ones, { training: true }) as tf.Tensor;
        passes.push(passStats(y.dataSync() as Float32Array, shape, b));
        y.dispose();
      }
      ones.dispose();

      for (const key of SCALAR_STATS) {
        const values = passes.flatMap((s) => (s.scalars[key] === undefined ? [] : [s.scalars[key]]));
        expectAgrees(`${name} ${key}`, meanSe(values), values.length, ref[key], ref.passes);
      }
      ref.rowDropped.mean.forEach((torchMean, i) => {
        const ours = meanSe(passes.map((s) => s.rowDropped[i]!));
        expectAgrees(`${name} rowDropped[${i}]`, ours, DROPBLOCK_PASSES, { mean: torchMean, se: ref.rowDropped.se[i]! }, ref.passes);
      });
      // block shape: the smallest dropped region is a whole b × b block (paper) or a block cut by the border (package)
      const boxes = passes.flatMap((s) => (s.minBox === undefined ? [] : [s.minBox]));
      expect([Math.min(...boxes.map(([bh]) => bh)), Math.min(...boxes.map(([, bw]) => bw))]).toEqual(ref.minBox);
      // channel sharing: the package's one mask per sample never differs across channels; the paper's often does
      const disagree = passes.reduce((a, s) => a + s.scalars.channelDisagree!, 0);
      expect(disagree === 0).toBe(ref.channelDisagree.mean === 0);
      // rescaling: one kept value per pass, count / kept over the batch, so the mean of ones stays 1
      expect(Math.max(...passes.map((s) => s.keptValues))).toBe(ref.keptValuesMax);
      expect(ref.meanOutputMaxDev).toBeLessThan(1e-6);
      expect(Math.max(...passes.map((s) => Math.abs(s.meanOutput - 1)))).toBeLessThan(1e-6);
    });
  }
});

describe('StochasticDepth in training matches torchvision.ops.stochastic_depth statistically', () => {
  const { shape, values } = fixture.stochasticDepthInputNHWC;
  for (const [name, ref] of Object.entries(fixture.stochasticDepth)) {
    it(`${name} (mode '${ref.mode}', p ${ref.p}, input [${shape.join(', ')}])`, () => {
      const x = tf.tensor(values, shape);
      const n = shape[0]!;
      const per = values.length / n;
      const layer = new StochasticDepth({ p: ref.p, mode: ref.mode });
      const dropped: number[] = [];
      let [mixed, exact] = [0, true];
      for (let k = 0; k < DEPTH_PASSES; k++) {
        const y = layer.apply(x, { training: true }) as tf.Tensor;
        const out = y.dataSync();
        y.dispose();
        let zeros = 0;
        for (let s = 0; s < n; s++) {
          const row = out.subarray(s * per, (s + 1) * per);
          const zero = row.every((v) => v === 0);
          // a kept sample is exactly PyTorch's x * (1 / (1 − p)) in float32
          const scaled = row.every((v, j) => v === ref.keptOutputNHWC[s * per + j]);
          exact &&= zero || scaled;
          zeros += zero ? 1 : 0;
        }
        dropped.push(zeros / n);
        if (zeros > 0 && zeros < n) mixed++;
      }
      x.dispose();
      expect(exact, `${name}: every sample all zeros or exactly PyTorch's x * (1 / (1 - p))`).toBe(true);
      expect(ref.everySampleZeroOrExactlyScaled).toBe(true);
      const whole = dropped.map((d) => (d === 1 ? 1 : 0));
      const mixedFraction = mixed / DEPTH_PASSES;
      expectAgrees(`${name} droppedFraction`, meanSe(dropped), DEPTH_PASSES, ref.droppedFraction, ref.passes);
      expectAgrees(`${name} wholeBatchDropped`, meanSe(whole), DEPTH_PASSES, ref.wholeBatchDropped, ref.passes);
      expectAgrees(`${name} mixedFraction`, meanSe(dropped.map((d) => (d > 0 && d < 1 ? 1 : 0))), DEPTH_PASSES, ref.mixedFraction, ref.passes);
      // 'batch' drops the whole batch together, in PyTorch and here; 'row' mixes kept and dropped samples in both
      expect(mixedFraction === 0).toBe(ref.mixedFraction.mean === 0);
    });
  }
});

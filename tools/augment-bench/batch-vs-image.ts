/**
 * Per-image transforms in JavaScript (what a loader's workers run, one image at a time) against the same transforms'
 * batch versions on a tfjs backend (one call on the collated batch), for the `@cnn/augment` transforms that have both:
 *
 *   node --conditions=@cnn/source --import tsx tools/augment-bench/batch-vs-image.ts [--backends cpu,wasm] [--repeats 3] [--only Crop]
 *
 * Each figure is the best of `--repeats` timed runs after one warm-up, in milliseconds per batch; batch timings include
 * reading the result back (`dataSync`), per-image timings the loop over the batch's images on one thread.
 */
import { mulberry32, type AnyImage, type Image } from '@cnn/data';
import * as tf from '@tensorflow/tfjs-core';
import { Command } from 'commander';
import {
  CenterCrop,
  ColorJitter,
  GaussianNoise,
  Normalize,
  RandomCrop,
  RandomErasing,
  RandomHorizontalFlip,
  SaltAndPepperNoise,
  ToTensor,
  type Transform,
} from '@cnn/augment';
import { selectBackend } from '@cnn/backend';

const options = new Command()
  .option('--backends <list>', 'comma-separated tfjs backends', 'cpu,wasm')
  .option('--repeats <n>', 'timed runs per figure', '3')
  .option('--only <text>', 'only the transforms whose name contains this text')
  .parse()
  .opts<{ backends: string; repeats: string; only?: string }>();
const repeats = Number(options.repeats);

function best(run: () => void): number {
  run();
  let fastest = Infinity;
  for (let r = 0; r < repeats; r++) {
    const start = performance.now();
    run();
    fastest = Math.min(fastest, performance.now() - start);
  }
  return fastest;
}

interface Shape {
  n: number;
  size: number;
}
const shapes: Shape[] = [
  { n: 128, size: 32 },
  { n: 32, size: 224 },
];

function transformsFor(size: number): Array<{ name: string; t: Transform; floatInput?: boolean }> {
  return [
    { name: 'RandomHorizontalFlip', t: new RandomHorizontalFlip() },
    { name: `RandomCrop(${size}, padding 4)`, t: new RandomCrop({ size, padding: 4 }) },
    { name: `RandomCrop(${size}, padding 4, reflect)`, t: new RandomCrop({ size, padding: 4, paddingMode: 'reflect' }) },
    { name: `CenterCrop(${size - 8})`, t: new CenterCrop({ size: size - 8 }) },
    { name: 'ToTensor', t: new ToTensor() },
    { name: 'Normalize', t: new Normalize({ mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }), floatInput: true },
    { name: 'ColorJitter(0.4, 0.4, 0.4)', t: new ColorJitter({ brightness: 0.4, contrast: 0.4, saturation: 0.4 }) },
    { name: 'GaussianNoise(0.1)', t: new GaussianNoise({ sigma: 0.1 }) },
    { name: 'SaltAndPepperNoise(0.1)', t: new SaltAndPepperNoise({ amount: 0.1 }) },
    { name: 'RandomErasing(p=1)', t: new RandomErasing({ p: 1 }) },
  ];
}

const rows: string[] = [];
for (const backend of options.backends.split(',')) {
  await selectBackend({ backend: backend as 'cpu' | 'wasm' });
  for (const { n, size } of shapes) {
    const random = mulberry32(1);
    const images: Image[] = Array.from({ length: n }, () => ({
      data: Uint8Array.from({ length: size * size * 3 }, () => Math.floor(random() * 256)),
      height: size,
      width: size,
      channels: 3,
    }));
    const floats = images.map((im) => new ToTensor().apply(im));
    const batchOf = (list: AnyImage[]): tf.Tensor4D => {
      const data = new Float32Array(n * size * size * 3);
      list.forEach((im, i) => data.set(im.data, i * size * size * 3));
      return tf.tensor4d(data, [n, size, size, 3]);
    };
    const byteBatch = batchOf(images);
    const floatBatch = batchOf(floats);
    for (const { name, t, floatInput } of transformsFor(size).filter((x) => options.only === undefined || x.name.includes(options.only))) {
      const inputs: AnyImage[] = floatInput ? floats : images;
      const perImage = best(() => {
        const r = mulberry32(2);
        for (const im of inputs) t.apply(im, r);
      });
      const batch = best(() => {
        const out = tf.tidy(() => t.applyBatch!(floatInput ? floatBatch : byteBatch, mulberry32(2)));
        out.dataSync();
        out.dispose();
      });
      const winner = perImage < batch ? 'per image' : 'batch';
      rows.push(`| ${backend} | ${n}x${size}x${size}x3 | ${name} | ${perImage.toFixed(2)} | ${batch.toFixed(2)} | ${winner} (${(Math.max(perImage, batch) / Math.min(perImage, batch)).toFixed(1)}x) |`);
      console.error(rows.at(-1));
    }
    tf.dispose([byteBatch, floatBatch]);
  }
}
console.log('| backend | batch | transform | per image, ms/batch (JS, 1 thread) | batch, ms/batch | faster |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);

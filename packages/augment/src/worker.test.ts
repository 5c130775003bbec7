import { startModuleWorker, type AnyImage } from '@cnn/data';
import { describe, expect, it } from 'vitest';
import { ColorJitter, Compose, GaussianBlur, RandomCrop, RandomRotation, ToTensor, Normalize, RandomErasing } from './index.js';
import { mulberry32 } from '@cnn/data/browser';

describe('worker threads', () => {
  it('rebuild a transform from its workerRecipe and produce the same output for the same seed', async () => {
    const transform = new Compose([
      new RandomCrop({ size: 10, padding: 2, paddingMode: 'symmetric' }),
      new RandomRotation({ degrees: 20, interpolation: 'bilinear', fillMode: 'wrap' }),
      new ColorJitter({ brightness: 0.3, contrast: 0.3, saturation: 0.3, hue: 0.1 }),
      new GaussianBlur({ kernelSize: 3 }),
      new ToTensor(),
      new Normalize({ mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] }),
      new RandomErasing({ p: 1, value: 'random' }),
    ]);
    const image = { data: Uint8Array.from({ length: 12 * 11 * 3 }, (_, i) => (i * 37) % 256), height: 12, width: 11, channels: 3 };
    const worker = startModuleWorker(new URL('./__fixtures__/apply-in-worker.ts', import.meta.url), {
      workerData: { recipe: transform.workerRecipe(), image, seed: 9 },
    });
    try {
      const fromWorker = await new Promise<AnyImage>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      expect(fromWorker).toEqual(transform.apply(image, mulberry32(9)));
    } finally {
      await worker.terminate();
    }
  });
});

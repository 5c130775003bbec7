import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeIdx, fakeImages, fakeLabels, fakeSplitFiles, writeFiles } from './__fixtures__/idx.js';
import { fashionMnist } from './fashion-mnist.js';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_FILES, FASHION_MNIST_SYSTEM_DIR } from './fashion-mnist-files.js';
import { locateFashionMnist } from './locate-fashion-mnist.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cnn-data-fmnist-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Options that see nothing of this machine: an empty cache, no system directories, no download. */
const isolated = (name: string) => ({ cacheDir: join(tmp, name, 'cache'), systemPaths: [], download: false });

describe('locateFashionMnist', () => {
  it('uses root alone and fails naming root and the missing file', async () => {
    const root = join(tmp, 'partial-root');
    const { 't10k-images-idx3-ubyte.gz': images } = fakeSplitFiles('test', 2);
    await writeFiles(root, { 't10k-images-idx3-ubyte.gz': images as Uint8Array });
    await expect(locateFashionMnist({ split: 'test', root })).rejects.toThrow(
      `Fashion-MNIST test split not found: root ${root} is missing t10k-labels-idx1-ubyte[.gz]. Check the path given as root/--data`,
    );
    await expect(locateFashionMnist({ split: 'test', root: join(tmp, 'nowhere') })).rejects.toThrow(`root ${join(tmp, 'nowhere')} does not exist`);
  });

  it('lists every place looked in and how to get the data when nothing is found', async () => {
    const options = { split: 'train' as const, ...isolated('nothing'), searchPaths: [join(tmp, 'extra')] };
    const error = await locateFashionMnist(options).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(
      `Fashion-MNIST train split not found: looked in ${join(options.cacheDir, 'fashion-mnist')}, ${join(tmp, 'extra')} ` +
        `for train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz], and download is off. ` +
        `To get the data: install Debian's dataset-fashion-mnist, pass root/--data, or allow download.`,
    );
  });

  it('searches cache, then system paths, then search paths, accepting uncompressed names', async () => {
    const system = join(tmp, 'order', 'system');
    const extra = join(tmp, 'order', 'extra');
    await writeFiles(extra, { 't10k-images-idx3-ubyte': fakeImages(1), 't10k-labels-idx1-ubyte': fakeLabels(1) });
    const options = { split: 'test' as const, ...isolated('order'), systemPaths: [system], searchPaths: [extra] };
    expect(await locateFashionMnist(options)).toEqual({
      dir: extra,
      source: 'searchPath',
      files: { images: join(extra, 't10k-images-idx3-ubyte'), labels: join(extra, 't10k-labels-idx1-ubyte') },
    });
    await writeFiles(system, fakeSplitFiles('test', 1));
    expect((await locateFashionMnist(options)).source).toBe('system');
    await writeFiles(join(options.cacheDir, 'fashion-mnist'), fakeSplitFiles('test', 1));
    expect((await locateFashionMnist(options)).source).toBe('cache');
  });

  it('rejects an unknown split', async () => {
    await expect(locateFashionMnist({ split: 'val' as 'test' })).rejects.toThrow(`Unknown Fashion-MNIST split "val"; use 'train' or 'test'.`);
  });
});

describe('fashionMnist on fixtures', () => {
  it('loads a split as 28x28x1 images with class names', async () => {
    const root = join(tmp, 'good');
    await writeFiles(root, fakeSplitFiles('train', 12));
    const dataset = await fashionMnist({ split: 'train', root });
    expect([dataset.size, dataset.height, dataset.width, dataset.channels]).toEqual([12, 28, 28, 1]);
    expect(dataset.classes).toBe(FASHION_MNIST_CLASSES);
    const sample = dataset.get(3);
    expect(sample.label).toBe(3);
    expect(sample.image.data.every((v) => v === 21)).toBe(true);
    expect((await fashionMnist({ split: 'train', root, limit: 5 })).size).toBe(5);
    await expect(fashionMnist({ split: 'train', root, limit: 0 })).rejects.toThrow('fashionMnist: limit must be a positive integer, got 0');
  });

  it('rejects a label/image count mismatch naming both counts', async () => {
    const root = join(tmp, 'mismatch');
    await writeFiles(root, fakeSplitFiles('test', 4, 3));
    await expect(fashionMnist({ split: 'test', root })).rejects.toThrow(
      `Fashion-MNIST files disagree: ${join(root, 't10k-images-idx3-ubyte.gz')} has 4 images but ${join(root, 't10k-labels-idx1-ubyte.gz')} has 3 labels.`,
    );
  });

  it('rejects labels of 10 and above', async () => {
    const root = join(tmp, 'bad-label');
    await writeFiles(root, { 't10k-images-idx3-ubyte.gz': gzipSync(fakeImages(3)), 't10k-labels-idx1-ubyte.gz': gzipSync(encodeIdx('uint8', [3], [1, 10, 2])) });
    await expect(fashionMnist({ split: 'test', root })).rejects.toThrow(/t10k-labels-idx1-ubyte\.gz has label 10 at index 1; Fashion-MNIST labels are 0\.\.9/);
  });

  it('rejects files of the wrong shape', async () => {
    const root = join(tmp, 'swapped');
    await writeFiles(root, { 't10k-images-idx3-ubyte': fakeLabels(3), 't10k-labels-idx1-ubyte': fakeLabels(3) });
    await expect(fashionMnist({ split: 'test', root })).rejects.toThrow(/t10k-images-idx3-ubyte holds uint8 \[3\], expected uint8 \[count, 28, 28\] images/);
  });
});

describe.skipIf(!existsSync(FASHION_MNIST_SYSTEM_DIR))(`fashionMnist on the real data in ${FASHION_MNIST_SYSTEM_DIR}`, () => {
  const options = { split: 'test' as const, cacheDir: join(tmpdir(), 'cnn-data-no-cache'), download: false };

  it('has 10,000 test images of 28x28x1, each class 1000 times', async () => {
    const dataset = await fashionMnist(options);
    expect([dataset.size, dataset.height, dataset.width, dataset.channels]).toEqual([10000, 28, 28, 1]);
    const counts = new Array<number>(10).fill(0);
    for (const label of dataset.labels) counts[label] = (counts[label] ?? 0) + 1;
    expect(counts).toEqual(new Array(10).fill(1000));
    expect(dataset.get(0).label).toBe(9); // the first test image is an ankle boot
    expect(Math.max(...dataset.images.subarray(0, 784))).toBeGreaterThan(200);
  });

  it('honours limit', async () => {
    const dataset = await fashionMnist({ ...options, limit: 100 });
    expect(dataset.size).toBe(100);
    expect(dataset.images.length).toBe(100 * 784);
  });

  it('matches the published checksums once decompressed', async () => {
    const { images, labels } = FASHION_MNIST_FILES.test;
    for (const file of [images, labels]) {
      const raw = gunzipSync(await readFile(join(FASHION_MNIST_SYSTEM_DIR, `${file.name}.gz`)));
      expect(createHash('md5').update(raw).digest('hex')).toBe(file.md5);
    }
  });
});

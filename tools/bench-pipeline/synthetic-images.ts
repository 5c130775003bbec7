/**
 * Writes a synthetic image-folder tree of JPEGs for the pipeline benchmark: `root/class_<k>/image_<i>.jpg`, each of a
 * random size (224..500 pixels a side, like IP102's photos after their usual downscaling), made of colour gradients
 * plus noise so that they compress like photos rather than flat fields.
 */
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from '@cnn/data';

/** sharp is a dependency of `@cnn/data`; load that copy rather than adding one to the tools. */
type Sharp = (input: Buffer, options: { raw: { width: number; height: number; channels: 3 } }) => { jpeg(options: { quality: number }): { toFile(path: string): Promise<unknown> } };
const sharp = createRequire(fileURLToPath(import.meta.resolve('@cnn/data')))('sharp') as Sharp;

/** What {@link writeSyntheticImageFolder} writes. */
export interface SyntheticImageFolderOptions {
  /** Directory to create the class folders in. */
  root: string;
  /** Number of images. */
  images: number;
  /** Number of class folders; images are dealt round-robin. Default 8. */
  classes?: number;
  /** Smallest and largest side in pixels; default 224 and 500. */
  minSide?: number;
  maxSide?: number;
  /** JPEG quality 1..100; default 90. */
  quality?: number;
  /** Seed of sizes and pixels; default 0. */
  seed?: number;
}

/** Writes the tree; resolves to the total number of pixels written. */
export async function writeSyntheticImageFolder(options: SyntheticImageFolderOptions): Promise<number> {
  const { root, images, classes = 8, minSide = 224, maxSide = 500, quality = 90, seed = 0 } = options;
  const random = mulberry32(seed);
  for (let k = 0; k < classes; k++) await mkdir(join(root, `class_${k}`), { recursive: true });
  let pixels = 0;
  const writes: Promise<unknown>[] = [];
  for (let i = 0; i < images; i++) {
    const width = minSide + Math.floor(random() * (maxSide - minSide + 1));
    const height = minSide + Math.floor(random() * (maxSide - minSide + 1));
    const [r0, g0, b0] = [random() * 255, random() * 255, random() * 255];
    const data = Buffer.alloc(width * height * 3);
    for (let y = 0, o = 0; y < height; y++) {
      for (let x = 0; x < width; x++, o += 3) {
        const noise = (random() - 0.5) * 60;
        data[o] = Math.max(0, Math.min(255, r0 + (x / width) * 120 - 60 + noise));
        data[o + 1] = Math.max(0, Math.min(255, g0 + (y / height) * 120 - 60 + noise));
        data[o + 2] = Math.max(0, Math.min(255, b0 + ((x + y) / (width + height)) * 120 - 60 + noise));
      }
    }
    pixels += width * height;
    writes.push(sharp(data, { raw: { width, height, channels: 3 } }).jpeg({ quality }).toFile(join(root, `class_${i % classes}`, `image_${i}.jpg`)));
    if (writes.length >= 8) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  return pixels;
}

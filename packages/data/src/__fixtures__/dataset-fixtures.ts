/**
 * Small, format-faithful dataset fixtures (CIFAR-10 binary, IP102 in both layouts, Oxford-IIIT Pet, archives, bad
 * files) and the formulas of their pixel content, shared by the generator (`tools/fixtures/generate-dataset-fixtures.ts`)
 * and the tests. Everything is deterministic: regenerating gives the same bytes.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import tar from 'tar-stream';

/** Where the committed fixtures live. */
export const DATASET_FIXTURES = fileURLToPath(new URL('./datasets/', import.meta.url));

/** CIFAR-10's class names, as `batches.meta.txt` lists them. */
export const CIFAR_FIXTURE_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
/** Records per fixture batch: 2 in each `data_batch_<k>.bin`, 3 in `test_batch.bin`. */
export const CIFAR_FIXTURE_RECORDS = { train: 2, test: 3 };

/** Label of record `record` of batch `batch` (1..5 for training batches, 0 for the test batch). */
export function cifarFixtureLabel(batch: number, record: number): number {
  return (batch * 3 + record * 7 + 1) % 10;
}

/** Pixel value at `(y, x)` of channel `c` (0 R, 1 G, 2 B) of a fixture record: a gradient that tells planes and axes apart. */
export function cifarFixturePixel(batch: number, record: number, y: number, x: number, c: number): number {
  if (c === 0) return (x * 8 + batch * 16 + record) & 255;
  if (c === 1) return (y * 8 + 3) & 255;
  return (cifarFixtureLabel(batch, record) * 20 + 5 + ((x + y) & 1)) & 255;
}

function cifarBatch(batch: number, records: number): Uint8Array {
  const bytes = new Uint8Array(records * 3073);
  for (let r = 0; r < records; r++) {
    const base = r * 3073;
    bytes[base] = cifarFixtureLabel(batch, r);
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) bytes[base + 1 + c * 1024 + y * 32 + x] = cifarFixturePixel(batch, r, y, x, c);
    }
  }
  return bytes;
}

/** IP102 fixture classes: folder names (and official label numbers) with their images per split. */
export const IP102_FIXTURE = {
  classes: ['rice leaf roller', 'rice leaf caterpillar', 'paddy stem maggot', 'asiatic rice borer', 'yellow rice borer', 'rice gall midge', 'Rice Stemfly', 'brown plant hopper', 'white backed plant hopper', 'small brown plant hopper', 'rice water weevil'],
  /** Images per split per class number; classes 3..9 have none (IP102's fixture is a slice of the real 102). */
  counts: {
    train: { 0: 3, 1: 2, 2: 1, 10: 2 },
    val: { 0: 1, 1: 1 },
    test: { 0: 1, 2: 1, 10: 1 },
  } as Record<'train' | 'val' | 'test', Record<number, number>>,
};

/** The solid colour of IP102 fixture images of class `label` (JPEG, so decoded values are within a few units). */
export function ip102FixtureColour(label: number): [number, number, number] {
  return [(label * 20 + 30) & 255, 200 - label * 10, 100];
}

/** An Oxford-IIIT Pet fixture image: its name, list.txt fields, split, how its bytes are stored, and its annotations. */
export interface PetFixture {
  name: string;
  classId: number;
  species: 1 | 2;
  breedId: number;
  split: 'trainval' | 'test';
  /** How the `.jpg` file is really encoded. */
  storage: 'jpeg' | 'png-rgba' | 'cmyk-jpeg' | 'gif' | 'grey-jpeg' | 'png';
  colour: [number, number, number];
  headBox?: { xmin: number; ymin: number; xmax: number; ymax: number };
}

/** Pet fixture images are 12 wide, 10 high. */
export const PET_FIXTURE_SIZE = { width: 12, height: 10 };

/** The Oxford-IIIT Pet fixture: 8 images of 4 breeds, stored as the real archive's odd files are. */
export const PET_FIXTURES: readonly PetFixture[] = [
  { name: 'Abyssinian_1', classId: 1, species: 1, breedId: 1, split: 'trainval', storage: 'jpeg', colour: [200, 40, 40], headBox: { xmin: 2, ymin: 1, xmax: 9, ymax: 7 } },
  { name: 'Abyssinian_2', classId: 1, species: 1, breedId: 1, split: 'trainval', storage: 'png-rgba', colour: [10, 220, 30] },
  { name: 'american_bulldog_1', classId: 2, species: 2, breedId: 1, split: 'trainval', storage: 'grey-jpeg', colour: [90, 90, 90], headBox: { xmin: 0, ymin: 0, xmax: 11, ymax: 9 } },
  { name: 'american_bulldog_2', classId: 2, species: 2, breedId: 1, split: 'test', storage: 'png', colour: [0, 0, 0] },
  { name: 'beagle_1', classId: 5, species: 2, breedId: 4, split: 'trainval', storage: 'jpeg', colour: [120, 80, 200] },
  { name: 'beagle_2', classId: 5, species: 2, breedId: 4, split: 'test', storage: 'jpeg', colour: [30, 160, 160] },
  { name: 'Bengal_1', classId: 6, species: 1, breedId: 2, split: 'test', storage: 'cmyk-jpeg', colour: [60, 120, 180] },
  { name: 'Bengal_2', classId: 6, species: 1, breedId: 2, split: 'trainval', storage: 'gif', colour: [250, 250, 0], headBox: { xmin: 3, ymin: 2, xmax: 8, ymax: 6 } },
];

/** Pixel `(y, x)` channel `c` of the losslessly stored gradient image `american_bulldog_2` (a PNG named `.jpg`). */
export function petGradientPixel(y: number, x: number, c: number): number {
  return c === 0 ? x * 20 : c === 1 ? y * 25 : 255 - x * 10 - y * 5;
}

/** The trimap value at `(y, x)`: rows 0..3 pet (1), row 4 border (3), the rest background (2). */
export function petTrimapValue(y: number): number {
  return y < 4 ? 1 : y === 4 ? 3 : 2;
}

type Raw = { raw: { width: number; height: number; channels: 1 | 2 | 3 | 4 } };

function solid(width: number, height: number, values: number[]): Buffer {
  const pixels = Buffer.alloc(width * height * values.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = values[i % values.length] as number;
  return pixels;
}

async function solidJpeg(width: number, height: number, colour: [number, number, number]): Promise<Buffer> {
  return sharp(solid(width, height, colour), { raw: { width, height, channels: 3 } } as Raw).jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer();
}

async function petImage(pet: PetFixture): Promise<Buffer> {
  const { width, height } = PET_FIXTURE_SIZE;
  const rgb: Raw = { raw: { width, height, channels: 3 } };
  switch (pet.storage) {
    case 'jpeg':
      return solidJpeg(width, height, pet.colour);
    case 'png-rgba':
      return sharp(solid(width, height, [...pet.colour, 100]), { raw: { width, height, channels: 4 } } as Raw).png().toBuffer();
    case 'cmyk-jpeg':
      return sharp(solid(width, height, pet.colour), rgb).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
    case 'gif':
      return sharp(solid(width, height, pet.colour), rgb).gif().toBuffer();
    case 'grey-jpeg':
      return sharp(solid(width, height, [pet.colour[0]]), { raw: { width, height, channels: 1 } } as Raw).toColourspace('b-w').jpeg({ quality: 95 }).toBuffer();
    case 'png': {
      const pixels = Buffer.alloc(width * height * 3);
      for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) pixels[(y * width + x) * 3 + c] = petGradientPixel(y, x, c);
      return sharp(pixels, rgb).png().toBuffer();
    }
  }
}

function petXml(pet: PetFixture): string {
  const box = pet.headBox!;
  const species = pet.species === 1 ? 'cat' : 'dog';
  return `<annotation><folder>OXIIIT</folder><filename>${pet.name}.jpg</filename><source><database>OXFORD-IIIT Pet Dataset</database><annotation>OXIIIT</annotation><image>flickr</image></source><size><width>${PET_FIXTURE_SIZE.width}</width><height>${PET_FIXTURE_SIZE.height}</height><depth>3</depth></size><segmented>0</segmented><object><name>${species}</name><pose>Frontal</pose><truncated>0</truncated><occluded>0</occluded><bndbox><xmin>${box.xmin}</xmin><ymin>${box.ymin}</ymin><xmax>${box.xmax}</xmax><ymax>${box.ymax}</ymax></bndbox><difficult>0</difficult></object></annotation>\n`;
}

const LIST_HEADER = [
  '#Image CLASS-ID SPECIES BREED ID',
  '#ID: 1:37 Class ids',
  '#SPECIES: 1:Cat 2:Dog',
  '#BREED ID: 1-25:Cat 1:12:Dog',
  '#All images with 1st letter as captial are cat images',
  '#images with small first letter are dog images',
];

const petLine = (pet: PetFixture) => `${pet.name} ${pet.classId} ${pet.species} ${pet.breedId}`;

/** A tar (gzipped when `gzip`) of `files` (archive path to content), with their parent directories, at mtime 0. */
export async function tarOf(files: Record<string, Uint8Array | string>, options: { gzip: boolean }): Promise<Buffer> {
  const pack = tar.pack();
  const directories = new Set<string>();
  for (const name of Object.keys(files).sort()) {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = `${parts.slice(0, i).join('/')}/`;
      if (!parts.slice(0, i).includes('..') && !directories.has(dir)) {
        directories.add(dir);
        pack.entry({ name: dir, type: 'directory', mode: 0o755, mtime: new Date(0) });
      }
    }
    const body = files[name] as Uint8Array | string;
    pack.entry({ name, mode: 0o644, mtime: new Date(0) }, typeof body === 'string' ? body : Buffer.from(body));
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  return options.gzip ? gzipSync(bytes, { level: 9 }) : bytes;
}

/** Builds every fixture file in memory: path (relative to {@link DATASET_FIXTURES}) to bytes. */
export async function buildDatasetFixtures(): Promise<Record<string, Uint8Array | string>> {
  const files: Record<string, Uint8Array | string> = {};

  // CIFAR-10, binary version.
  const cifar: Record<string, Uint8Array | string> = {};
  for (let batch = 1; batch <= 5; batch++) cifar[`cifar-10-batches-bin/data_batch_${batch}.bin`] = cifarBatch(batch, CIFAR_FIXTURE_RECORDS.train);
  cifar['cifar-10-batches-bin/test_batch.bin'] = cifarBatch(0, CIFAR_FIXTURE_RECORDS.test);
  cifar['cifar-10-batches-bin/batches.meta.txt'] = `${CIFAR_FIXTURE_CLASSES.join('\n')}\n\n`;
  cifar['cifar-10-batches-bin/readme.html'] = '<meta HTTP-EQUIV="REFRESH" content="0; URL=http://www.cs.toronto.edu/~kriz/cifar.html">\n';
  for (const [name, body] of Object.entries(cifar)) files[`cifar10/${name}`] = body;
  files['cifar-10-binary.tar.gz'] = await tarOf(cifar, { gzip: true });
  files['cifar10-truncated/cifar-10-batches-bin/test_batch.bin'] = cifarBatch(0, 3).subarray(0, 2 * 3073 + 1000);
  files['cifar10-truncated/cifar-10-batches-bin/batches.meta.txt'] = `${CIFAR_FIXTURE_CLASSES.join('\n')}\n\n`;

  // IP102: seed 000's classification/ layout and the official images/ + <split>.txt layout.
  const classesTxt = IP102_FIXTURE.classes.map((name, i) => `${i + 1} ${name}`).join('\n');
  let serial = 0;
  const lists: Record<string, string[]> = { train: [], val: [], test: [] };
  for (const split of ['train', 'val', 'test'] as const) {
    for (const [label, count] of Object.entries(IP102_FIXTURE.counts[split])) {
      for (let i = 0; i < count; i++) {
        const name = `${String(++serial).padStart(5, '0')}.jpg`;
        const jpeg = await solidJpeg(8, 8, ip102FixtureColour(Number(label)));
        files[`ip102/classification/${split}/${label}/${name}`] = jpeg;
        files[`ip102-official/images/${name}`] = jpeg;
        lists[split]!.push(`${name} ${label}`);
      }
    }
  }
  files['ip102/classes.txt'] = `${classesTxt}\n`;
  files['ip102-official/classes.txt'] = `${classesTxt}\n`;
  for (const split of ['train', 'val', 'test']) files[`ip102-official/${split}.txt`] = `${lists[split]!.join('\n')}\n`;

  // Oxford-IIIT Pet: images/ and annotations/, and the two archives.
  const images: Record<string, Uint8Array | string> = {};
  const annotations: Record<string, Uint8Array | string> = {};
  for (const pet of PET_FIXTURES) {
    images[`images/${pet.name}.jpg`] = await petImage(pet);
    const { width, height } = PET_FIXTURE_SIZE;
    const trimap = Buffer.alloc(width * height);
    for (let y = 0; y < height; y++) trimap.fill(petTrimapValue(y), y * width, (y + 1) * width);
    annotations[`annotations/trimaps/${pet.name}.png`] = await sharp(trimap, { raw: { width, height, channels: 1 } } as Raw).png().toBuffer();
    if (pet.headBox) annotations[`annotations/xmls/${pet.name}.xml`] = petXml(pet);
  }
  // The real images/ holds three MATLAB files that no list mentions.
  images['images/Abyssinian_100.mat'] = `MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: Thu Jun 14 13:33:40 2012${' '.repeat(40)}\n`;
  annotations['annotations/list.txt'] = `${[...LIST_HEADER, ...PET_FIXTURES.map(petLine)].join('\n')}\n`;
  annotations['annotations/trainval.txt'] = `${PET_FIXTURES.filter((p) => p.split === 'trainval').map(petLine).join('\n')}\n`;
  annotations['annotations/test.txt'] = `${PET_FIXTURES.filter((p) => p.split === 'test').map(petLine).join('\n')}\n`;
  annotations['annotations/README'] = 'OXFORD-IIIT PET Dataset (fixture)\n';
  for (const [name, body] of Object.entries({ ...images, ...annotations })) files[`oxford-pets/${name}`] = body;
  files['oxford-pets-archives/images.tar.gz'] = await tarOf(images, { gzip: true });
  files['oxford-pets-archives/annotations.tar.gz'] = await tarOf(annotations, { gzip: true });

  // Bad inputs: a corrupt header, a truncated JPEG, text named .jpg, an empty file.
  const big = Buffer.alloc(64 * 64 * 3);
  for (let i = 0; i < big.length; i++) big[i] = (i * 37) & 255;
  const jpeg = await sharp(big, { raw: { width: 64, height: 64, channels: 3 } } as Raw).jpeg({ quality: 90 }).toBuffer();
  const corrupt = Buffer.from(jpeg);
  corrupt.fill(0xff, 100, 300);
  files['bad-images/corrupt.jpg'] = corrupt;
  files['bad-images/truncated.jpg'] = jpeg.subarray(0, Math.floor(jpeg.length * 0.6));
  files['bad-images/text.jpg'] = 'This is a text file, not an image.\n';
  files['bad-images/empty.jpg'] = new Uint8Array(0);

  // Archives that try to escape: `../evil.txt`.
  files['archives/evil-dotdot.tar'] = await tarOf({ 'ok.txt': 'fine\n', '../evil.txt': 'escaped\n' }, { gzip: false });
  return files;
}

/** Writes the fixtures under `root` (default {@link DATASET_FIXTURES}), replacing what was there. */
export async function writeDatasetFixtures(root: string = DATASET_FIXTURES): Promise<{ files: number; bytes: number }> {
  const files = await buildDatasetFixtures();
  await rm(root, { recursive: true, force: true });
  let bytes = 0;
  for (const [name, body] of Object.entries(files)) {
    await mkdir(dirname(join(root, name)), { recursive: true });
    await writeFile(join(root, name), body);
    bytes += typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  }
  return { files: Object.keys(files).length, bytes };
}

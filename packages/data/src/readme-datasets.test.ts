/**
 * Keeps README.md's dataset sections true to the code: runs every ```ts block marked `<!-- readme-test: NAME -->`
 * on the committed fixtures (the cache pre-filled through CNN_CACHE_DIR, paths substituted), checks what the blocks
 * print, and triggers each error of the "Bad input" table, checking that the README quotes its message.
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CIFAR10_CLASSES, cifar10 } from './cifar10.js';
import type { Dataset, Image } from './dataset.js';
import { channelStats } from './dataset-stats.js';
import { decodeImage, ImageDecodeError } from './decode-image.js';
import { extractArchive, UnsafeArchiveError } from './archive.js';
import { imageFolder } from './image-folder.js';
import { ip102 } from './ip102.js';
import { LABEL_ENCODER_METADATA_KEY, LabelEncoder, type ModelWithMetadata } from './label-encoder.js';
import { oxfordPets, parseOxfordPetsList } from './oxford-pets.js';
import { splitLengths } from './splits.js';
import { cifarFixtureLabel, DATASET_FIXTURES, IP102_FIXTURE, PET_FIXTURES } from './__fixtures__/dataset-fixtures.js';
import { serveDirectory, type FixtureServer } from './__fixtures__/http-server.js';

const README = fileURLToPath(new URL('../README.md', import.meta.url));
const INDEX = fileURLToPath(new URL('./index.ts', import.meta.url));

/** The ```ts blocks of the README marked `<!-- readme-test: NAME -->` on the line before, by name. */
function markedBlocks(markdown: string): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const match of markdown.matchAll(/<!-- readme-test: ([\w-]+) -->\n```ts\n([\s\S]*?)\n```/g)) blocks.set(match[1] as string, match[2] as string);
  return blocks;
}

let readme: string;
let tmp: string;
let cache: string;
let savedCacheDir: string | undefined;
let server: FixtureServer;

beforeAll(async () => {
  readme = await readFile(README, 'utf8');
  tmp = await mkdtemp(join(tmpdir(), 'cnn-data-readme-'));
  // The cache as the README's download: true calls leave it.
  cache = join(tmp, 'cache');
  await cp(join(DATASET_FIXTURES, 'cifar10'), join(cache, 'cifar-10'), { recursive: true });
  await cp(join(DATASET_FIXTURES, 'oxford-pets'), join(cache, 'oxford-iiit-pet'), { recursive: true });
  savedCacheDir = process.env['CNN_CACHE_DIR'];
  process.env['CNN_CACHE_DIR'] = cache;
  server = await serveDirectory(DATASET_FIXTURES);
});

afterAll(async () => {
  if (savedCacheDir === undefined) delete process.env['CNN_CACHE_DIR'];
  else process.env['CNN_CACHE_DIR'] = savedCacheDir;
  await server?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Runs README block `name` with `@cnn/data` pointing at this package's source and `replacements` applied; returns what it logged. */
async function runBlock(name: string, replacements: Record<string, string> = {}): Promise<unknown[][]> {
  const source = markedBlocks(readme).get(name);
  expect(source, `README block <!-- readme-test: ${name} -->`).toBeDefined();
  let code = (source as string).replaceAll("from '@cnn/data'", `from ${JSON.stringify(pathToFileURL(INDEX).href)}`);
  for (const [from, to] of Object.entries(replacements)) {
    expect(code, `README block ${name} contains ${from}`).toContain(from);
    code = code.replaceAll(from, to);
  }
  const logs: unknown[][] = [];
  const key = `__readmeLogs_${name.replaceAll('-', '_')}`;
  (globalThis as Record<string, unknown>)[key] = logs;
  const file = join(tmp, `${name}.ts`);
  await writeFile(file, `const console = { log: (...values: unknown[]) => (globalThis as any).${key}.push(values) };\n${code}\n`);
  await import(/* @vite-ignore */ pathToFileURL(file).href);
  return logs;
}

describe('README examples', () => {
  it('marks the examples this test runs', () => {
    expect([...markedBlocks(readme).keys()].sort()).toEqual(['cifar10', 'image-folder', 'ip102', 'oxford-pets', 'stats-splits']);
  });

  it('cifar10: both splits from the cache, 32x32x3, class names', async () => {
    const logs = await runBlock('cifar10');
    expect(logs).toEqual([[10, 3, '32x32x3', CIFAR10_CLASSES[cifarFixtureLabel(1, 0)]]]);
  });

  it('imageFolder: sorted class folders, counts, a decoded and resized sample', async () => {
    const root = join(DATASET_FIXTURES, 'ip102', 'classification', 'train');
    const logs = await runBlock('image-folder', { "'photos/train'": JSON.stringify(root) });
    expect(logs).toEqual([
      [['0', '1', '10', '2'], [3, 2, 2, 1]],
      [join(root, '0', '00001.jpg'), '0', 64, 64, 3],
    ]);
  });

  it('ip102: train and val of the classification layout, names from classes.txt', async () => {
    const logs = await runBlock('ip102', { "'/data/ip102'": JSON.stringify(join(DATASET_FIXTURES, 'ip102')) });
    expect(logs).toEqual([[8, 2, IP102_FIXTURE.classes[0], IP102_FIXTURE.counts.train[0]]]);
  });

  it('oxfordPets: species label, breed, head box and trimap', async () => {
    const first = PET_FIXTURES.find((pet) => pet.split === 'trainval')!;
    const logs = await runBlock('oxford-pets');
    expect(logs).toEqual([[PET_FIXTURES.filter((pet) => pet.split === 'trainval').length, 'cat', 'Abyssinian', first.headBox, 1]]);
  });

  it('stats and splits: seeded parts, both statistics (cached), the distribution report', async () => {
    const logs = await runBlock('stats-splits');
    expect(logs).toHaveLength(4);
    const [pixelMean, pixelStd] = logs[0] as [number[], number[]];
    const [imageMean, imageStd] = logs[1] as [number[], number[]];
    for (const values of [pixelMean, pixelStd, imageMean, imageStd]) {
      expect(values).toHaveLength(3);
      for (const value of values) {
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThanOrEqual(1);
      }
    }
    // Same-size images: both means agree; the per-image std cannot exceed the pooled one.
    imageMean.forEach((value, c) => expect(value).toBeCloseTo(pixelMean[c] as number, 12));
    imageStd.forEach((value, c) => expect(value).toBeLessThanOrEqual((pixelStd[c] as number) + 1e-12));
    const report = (logs[2] as [string])[0];
    expect(report.split('\n')[0]).toBe('Mostrando distribución de targets en train');
    expect(report).toMatch(/^Class : (cat|dog), Per : 0\.\d{5} {2}\(\d+, [\d.]+%\)$/m);
    const [train, val, petTrain, petVal, petTest] = logs[3] as number[];
    expect([train, val]).toEqual([8, 2]);
    expect(petTrain! + petVal! + petTest!).toBe(PET_FIXTURES.length);
    const cached = JSON.parse(await readFile(join(cache, 'stats', 'cifar10-train80-seed42.json'), 'utf8'));
    expect(cached.pixels.mean).toEqual(pixelMean);
  });

  it('LabelEncoder: the classes travel in the model\'s user-defined metadata (as model.json stores it)', async () => {
    const train = await ip102({ split: 'train', root: join(DATASET_FIXTURES, 'ip102') });
    const model = fakeModel();
    model.setUserDefinedMetadata({ other: 1 });
    new LabelEncoder(train.classes).attachTo(model);
    const modelJson = JSON.stringify({ userDefinedMetadata: model.getUserDefinedMetadata() });
    const loaded = fakeModel();
    loaded.setUserDefinedMetadata(JSON.parse(modelJson).userDefinedMetadata);
    expect(readme).toContain(`under \`'${LABEL_ENCODER_METADATA_KEY}'\``);
    expect(LabelEncoder.fromModel(loaded).decode([0, 10])).toEqual(['rice leaf roller', 'rice water weevil']);
    expect(loaded.getUserDefinedMetadata()).toMatchObject({ other: 1 });
  });
});

function fakeModel(): ModelWithMetadata {
  let metadata: {} | undefined;
  return { setUserDefinedMetadata: (value) => void (metadata = value), getUserDefinedMetadata: () => metadata };
}

/** Each README "Bad input" row: fragments the README quotes verbatim, and how to get the real error. */
const BAD_INPUT: { case: string; fragments: string[]; error: () => Promise<unknown>; type?: Function }[] = [
  {
    case: 'root does not exist',
    fragments: ['CIFAR-10 train split not found: root ', ' does not exist. root must be the directory holding cifar-10-batches-bin/data_batch_1.bin, '],
    error: () => cifar10({ split: 'train', root: join(tmp, 'no-such-dir') }),
  },
  {
    case: 'root lacks files',
    fragments: [' is missing cifar-10-batches-bin/data_batch_1.bin, '],
    error: () => cifar10({ split: 'train', root: join(DATASET_FIXTURES, 'cifar10-truncated') }),
  },
  {
    case: 'not in the cache',
    fragments: ['Oxford-IIIT Pet not found: looked in ', '/oxford-iiit-pet for images, annotations/list.txt, annotations/trainval.txt, and download is off. To get the data: '],
    error: () => oxfordPets({ cacheDir: join(tmp, 'empty-cache') }),
  },
  {
    case: 'IP102 download without url',
    fragments: ['Cannot download: IP102 is distributed through Google Drive, which has no stable direct download URL.'],
    error: () => ip102({ split: 'train', cacheDir: join(tmp, 'empty-cache'), download: true }),
  },
  {
    case: 'checksum differs',
    fragments: ['could not download it: Checksum mismatch for ', '. The download was deleted; '],
    error: () => cifar10({ split: 'test', cacheDir: join(tmp, 'download-cache'), download: true, url: `${server.url}cifar-10-binary.tar.gz`, md5: '0'.repeat(32) }),
  },
  {
    case: 'unknown split',
    fragments: [`Unknown CIFAR-10 split "val"; use 'train' or 'test'.`],
    error: () => cifar10({ split: 'val' as 'train' }),
  },
  {
    case: 'archive entry escapes',
    fragments: ['Refusing to extract ', ': entry "../evil.txt" climbs out of the destination with "..".', 'nothing was extracted.'],
    error: () => extractArchive({ file: join(DATASET_FIXTURES, 'archives', 'evil-dotdot.tar'), destination: join(tmp, 'evil') }),
    type: UnsafeArchiveError,
  },
  {
    case: 'truncated archive',
    fragments: ['Cannot extract ', 'The archive is damaged or truncated; delete it and download it again.'],
    error: async () => {
      const bytes = await readFile(join(DATASET_FIXTURES, 'cifar-10-binary.tar.gz'));
      const file = join(tmp, 'truncated.tar.gz');
      await writeFile(file, bytes.subarray(0, bytes.length >> 1));
      return extractArchive({ file, destination: join(tmp, 'truncated-out') });
    },
  },
  {
    case: 'CIFAR-10 batch truncated',
    fragments: ['has 7146 bytes, not a whole number of 3073-byte records (2 records and 1000 bytes over; an official batch has 10,000 records, 30,730,000 bytes). The file is truncated or corrupt: '],
    error: () => cifar10({ split: 'test', root: join(DATASET_FIXTURES, 'cifar10-truncated') }),
  },
  {
    case: 'not an image',
    fragments: ['Cannot decode image ', ': not an image in a known format (JPEG, PNG, GIF, WebP, TIFF, AVIF/HEIF, SVG).'],
    error: () => decodeImage(join(DATASET_FIXTURES, 'bad-images', 'text.jpg')),
    type: ImageDecodeError,
  },
  { case: 'empty image', fragments: [': the file is empty.'], error: () => decodeImage(join(DATASET_FIXTURES, 'bad-images', 'empty.jpg')), type: ImageDecodeError },
  { case: 'truncated image', fragments: ['the file is truncated ('], error: () => decodeImage(join(DATASET_FIXTURES, 'bad-images', 'truncated.jpg')), type: ImageDecodeError },
  { case: 'corrupt image', fragments: ['the file is corrupt ('], error: () => decodeImage(join(DATASET_FIXTURES, 'bad-images', 'corrupt.jpg')), type: ImageDecodeError },
  { case: 'missing image', fragments: [': cannot read it (ENOENT).'], error: () => decodeImage(join(tmp, 'missing.jpg')), type: ImageDecodeError },
  { case: 'image folder missing', fragments: ['Image folder root ', ' does not exist.'], error: () => imageFolder({ root: join(tmp, 'no-such-folder') }) },
  {
    case: 'class folder without images',
    fragments: [' has no image files (extensions .jpg, ', '). Add images, remove the folder, or pass allowEmptyClasses: true.'],
    error: async () => {
      await mkdir(join(tmp, 'folders', 'empty'), { recursive: true });
      return imageFolder({ root: join(tmp, 'folders') });
    },
  },
  {
    case: 'IP102 folder not a number',
    fragments: ['IP102 class folder ', ' is not named by a class number (0..101). For folders named otherwise use imageFolder().'],
    error: async () => {
      const root = join(tmp, 'ip102-named');
      await cp(join(DATASET_FIXTURES, 'ip102', 'classification', 'train', '0'), join(root, 'classification', 'train', 'rice'), { recursive: true });
      return ip102({ split: 'train', root });
    },
  },
  {
    case: 'IP102 label beyond classes.txt',
    fragments: [' has label ', '/classes.txt names only '],
    error: async () => {
      const root = join(tmp, 'ip102-few-names');
      await cp(join(DATASET_FIXTURES, 'ip102', 'classification', 'train', '10'), join(root, 'classification', 'train', '10'), { recursive: true });
      await writeFile(join(root, 'classes.txt'), '1 rice leaf roller\n');
      return ip102({ split: 'train', root });
    },
  },
  {
    case: 'malformed list line',
    fragments: ['expected "Image CLASS-ID SPECIES BREED-ID", '],
    error: async () => parseOxfordPetsList('Abyssinian_1 1 1\n', 'list.txt'),
  },
  {
    case: 'malformed IP102 list line',
    fragments: ['expected "<image> <label>", e.g. "00002.jpg 0".'],
    error: async () => {
      const root = join(tmp, 'ip102-bad-list');
      await cp(join(DATASET_FIXTURES, 'ip102-official'), root, { recursive: true });
      await writeFile(join(root, 'train.txt'), '00001.jpg 0\n00002.jpg\n');
      return ip102({ split: 'train', root });
    },
  },
  {
    case: 'species contradicts the name',
    fragments: [': Bengal_1 has SPECIES 2 (dog) but its first letter says cat.'],
    error: async () => parseOxfordPetsList('Bengal_1 6 2 2\n', 'list.txt'),
  },
  {
    case: 'damaged head annotation',
    fragments: ['Head annotation ', ' has no <object><bndbox> with numeric xmin, ymin, xmax, ymax; the file is damaged.'],
    error: async () => {
      const root = join(tmp, 'pets-damaged');
      await cp(join(DATASET_FIXTURES, 'oxford-pets'), root, { recursive: true });
      await writeFile(join(root, 'annotations', 'xmls', 'Abyssinian_1.xml'), '<annotation><object></object></annotation>\n');
      return (await oxfordPets({ root, targets: ['headBox'] })).get(0);
    },
  },
  { case: 'bad split sizes', fragments: ['Split sizes must be non-negative numbers, got [0.8, -0.2]; '], error: async () => splitLengths(10, [0.8, -0.2]), type: RangeError },
  { case: 'unknown class name', fragments: ['LabelEncoder: unknown class "wasp" at position 0; known classes: '], error: async () => new LabelEncoder(['bee']).encode(['wasp']) },
  {
    case: 'model saved without encoder',
    fragments: ['LabelEncoder.fromModel: the model has no "labelEncoder" in its user-defined metadata; call encoder.attachTo(model) before saving it.'],
    error: async () => LabelEncoder.fromModel(fakeModel()),
  },
  {
    case: 'channelStats on mixed channel counts',
    fragments: [` has 1 channels, but earlier images have 3; decode all images the same way (e.g. mode 'rgb').`],
    error: () => {
      const image = (channels: number): Image => ({ data: new Uint8Array(4 * channels), height: 2, width: 2, channels });
      const mixed: Dataset<{ image: Image; file: string }> = { size: 2, get: (i) => ({ image: image(i === 0 ? 3 : 1), file: `img${i}.png` }) };
      return channelStats(mixed);
    },
  },
];

describe('README API list', () => {
  it('names every runtime export of the dataset modules', async () => {
    const index = (await import('./index.js')) as Record<string, unknown>;
    const modules = ['./archive.js', './cifar10.js', './dataset-stats.js', './decode-image.js', './fetch-dataset.js', './file-image-dataset.js', './image-folder.js', './ip102.js', './label-encoder.js', './oxford-pets.js', './splits.js'];
    // Worker-recipe factories: called by the loader's workers, not by users.
    const internal = new Set(['fileImageDataset', 'oxfordPetsDataset', 'subsetFromRecipe']);
    const missing: string[] = [];
    for (const path of modules) {
      for (const name of Object.keys((await import(/* @vite-ignore */ path)) as object)) {
        if (name in index && !internal.has(name) && !new RegExp(`\\b${name}\\b`).test(readme)) missing.push(name);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('README examples type-check', () => {
  it('against the package source, strict', async () => {
    const ts = (await import('typescript')).default;
    const dir = join(tmp, 'typecheck');
    await mkdir(dir, { recursive: true });
    const files: string[] = [];
    for (const [name, code] of markedBlocks(readme)) {
      const file = join(dir, `${name}.mts`);
      await writeFile(file, code.replaceAll("from '@cnn/data'", `from ${JSON.stringify(INDEX.replace(/\.ts$/, '.js'))}`));
      files.push(file);
    }
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      // A user's usual strict settings. (With noUncheckedIndexedAccess, `const [train, val] = randomSplit(...)` gives
      // `| undefined` parts, as split functions return arrays, not tuples.)
      strict: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
      typeRoots: [fileURLToPath(new URL('../node_modules/@types', import.meta.url)), fileURLToPath(new URL('../../../node_modules/@types', import.meta.url))],
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file === undefined || files.includes(d.file.fileName));
    expect(diagnostics.map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)).toEqual([]);
  }, 30_000);
});

describe('README "Bad input" table', () => {
  it.each(BAD_INPUT)('$case', async ({ fragments, error, type }) => {
    const failure = await error().then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(failure, 'it must fail').toBeInstanceOf(type ?? Error);
    for (const fragment of fragments) {
      expect((failure as Error).message).toContain(fragment);
      expect(readme, 'README quotes the message').toContain(fragment.replaceAll('|', '\\|'));
    }
  });
});

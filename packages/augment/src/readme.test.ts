/**
 * The README's examples and claims, checked against the code: its code blocks type-check as written, and run (as
 * exact equivalents on in-memory images where they need data or packages this package does not have); its table of
 * transforms (names, defaults, which have batch versions), the exports it names, its error message example and its
 * golden case count.
 */
import { DataLoader, ImageArrayDataset, mulberry32, sampleSeed, type AnyImage, type Image, type RandomSource } from '@cnn/data';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import * as augment from './index.js';
import {
  CenterCrop,
  ColorJitter,
  Compose,
  cutmix,
  GaussianBlur,
  GaussianNoise,
  mixup,
  Normalize,
  OversampledDataset,
  RandomCrop,
  RandomErasing,
  RandomHorizontalFlip,
  RandomResizedCrop,
  RandomRotation,
  RandomSubset,
  registerTransform,
  Resize,
  SaltAndPepperNoise,
  toBatchTransform,
  ToTensor,
  Transform,
  transformFromConfig,
  writeOversampledImages,
  type TransformConfig,
} from './index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The README's "Example" transform, verbatim. */
function ip102TrainTransform(): Compose {
  return new Compose([
    new Resize({ size: [256, 256] }),
    new CenterCrop({ size: 224 }),
    new RandomHorizontalFlip(),
    new ColorJitter({ brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 }),
    new RandomRotation({ degrees: 15 }),
    new ToTensor(),
    new Normalize({ mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }),
  ]);
}

/** A seeded random byte image. */
function randomImage(height: number, width: number, seed: number): Image {
  const random = mulberry32(seed);
  return { data: Uint8Array.from({ length: height * width * 3 }, () => Math.floor(random() * 256)), height, width, channels: 3 };
}

describe('README examples', () => {
  it('Example: the IP102 transform on one image gives a 224x224x3 float image, repeatably', () => {
    const trainTransform = ip102TrainTransform();
    const image = { data: new Uint8Array(300 * 400 * 3).fill(128), height: 300, width: 400, channels: 3 };
    const out = trainTransform.apply(image, mulberry32(42));
    expect([out.height, out.width, out.channels, out.data instanceof Float32Array]).toEqual([224, 224, 3, true]);
    const textured = randomImage(300, 400, 1);
    const a = trainTransform.apply(textured, mulberry32(42));
    expect(trainTransform.apply(textured, mulberry32(42))).toEqual(a);
    expect(trainTransform.apply(textured, mulberry32(43)).data).not.toEqual(a.data);
  });

  it("Example: as a DataLoader's sampleTransform, each sample gets mulberry32(sampleSeed(seed, epoch, position))", async () => {
    const trainTransform = ip102TrainTransform();
    const images = [randomImage(260, 300, 1), randomImage(260, 300, 2), randomImage(260, 300, 3)];
    const bytes = new Uint8Array(3 * 260 * 300 * 3);
    images.forEach((im, i) => bytes.set(im.data, i * im.data.length));
    const train = new ImageArrayDataset({ images: bytes, labels: Uint8Array.from([4, 5, 6]), height: 260, width: 300, channels: 3 });
    const loader = new DataLoader(train, { batchSize: 3, seed: 9, sampleTransform: trainTransform });
    const before = tf.memory().numTensors;
    for await (const { images: batch, labels } of loader) {
      expect(batch.shape).toEqual([3, 224, 224, 3]);
      expect(labels.dataSync()).toEqual(Int32Array.from([4, 5, 6]));
      const data = batch.dataSync();
      for (let i = 0; i < 3; i++) {
        const expected = trainTransform.apply(images[i]!, mulberry32(sampleSeed(9, 0, i)));
        expect(data.subarray(i * 224 * 224 * 3, (i + 1) * 224 * 224 * 3)).toEqual(expected.data);
      }
      batch.dispose();
      labels.dispose();
    }
    await loader.close();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('Worker threads: configs are plain JSON and transformFromConfig rebuilds an identical transform; the recipe names it', () => {
    const trainTransform = ip102TrainTransform();
    const config = trainTransform.toConfig();
    expect(config.name).toBe('Compose');
    expect((config.transforms as TransformConfig[])[0]).toMatchObject({ name: 'Resize', size: [256, 256] });
    const again = transformFromConfig(JSON.parse(JSON.stringify(config)) as TransformConfig);
    const image = randomImage(240, 250, 5);
    expect(again.apply(image, mulberry32(3))).toEqual(trainTransform.apply(image, mulberry32(3)));
    const recipe = trainTransform.workerRecipe();
    expect(recipe.factory).toBe('transformFromConfig');
    expect(recipe.module).toMatch(/^file:.*\/from-config\.(ts|js)$/);
    expect(recipe.args).toEqual([config]);
  });

  it('Worker threads: a registered transform of your own is rebuilt inside a Compose; the recipe override points at your module', () => {
    // The README's my-transforms.ts, verbatim but for the module URL.
    class RandomInvert extends Transform {
      readonly p: number;
      constructor(options: { p?: number } = {}) {
        super();
        this.p = options.p ?? 0.5;
      }
      override apply(image: AnyImage, random: RandomSource): AnyImage {
        const invert = random() < this.p;
        return { ...image, data: image.data.map((v) => (invert ? 255 - v : v)) } as AnyImage;
      }
      override toConfig(): TransformConfig {
        return { name: 'RandomInvert', p: this.p };
      }
    }
    const composed = new Compose([new RandomInvert({ p: 1 }), new RandomHorizontalFlip()]);
    expect(() => transformFromConfig(composed.toConfig())).toThrow(/unknown transform 'RandomInvert'.*use registerTransform/);
    registerTransform('RandomInvert', (options) => new RandomInvert(options));
    const image = randomImage(4, 5, 1);
    const rebuilt = transformFromConfig(JSON.parse(JSON.stringify(composed.toConfig())) as TransformConfig);
    expect(rebuilt.apply(image, mulberry32(8))).toEqual(composed.apply(image, mulberry32(8)));
    expect(Array.from(new RandomInvert({ p: 1 }).apply(image, mulberry32(0)).data)).toEqual(Array.from(image.data, (v) => 255 - v));
    const module = 'file:///app/my-transforms.js';
    const withMyTransforms = (transform: Compose): Compose => {
      transform.workerRecipe = () => ({ module, factory: 'transformFromConfig', args: [transform.toConfig()] });
      return transform;
    };
    expect(withMyTransforms(composed).workerRecipe()).toEqual({ module, factory: 'transformFromConfig', args: [composed.toConfig()] });
  });

  it("Batches: the CIFAR-10 batch transform crops, flips, scales and normalises a batch, carrying its generator over batches", () => {
    const batchTransform = toBatchTransform(
      new Compose([
        new RandomCrop({ size: 32, padding: 4 }),
        new RandomHorizontalFlip(),
        new ToTensor(),
        new Normalize({ mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] }),
      ]),
      1,
    );
    const input = tf.fill([4, 32, 32, 3], 255) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const first = tf.tidy(() => batchTransform(input));
    const second = tf.tidy(() => batchTransform(input));
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(first.shape).toEqual([4, 32, 32, 3]);
    const values = new Set(first.dataSync());
    // White pixels become (1 - mean) / std, the zero padding -mean / std: per channel, nothing else.
    expect(values.size).toBeLessThanOrEqual(6);
    const mean = [0.4914, 0.4822, 0.4465];
    const std = [0.247, 0.2435, 0.2616];
    const allowed = [...mean.map((m, c) => (1 - m) / std[c]!), ...mean.map((m, c) => -m / std[c]!)];
    for (const v of values) expect(Math.min(...allowed.map((a) => Math.abs(a - v)))).toBeLessThan(1e-5);
    expect(Math.min(...values)).toBeLessThan(0); // some crops reach into the padding
    expect(first.dataSync()).not.toEqual(second.dataSync());
    tf.dispose([input, first, second]);
    expect(() => toBatchTransform(ip102TrainTransform())).not.toThrow(); // Compose has applyBatch; its members are checked on use
    const rotate = toBatchTransform(new Compose([new RandomRotation({ degrees: 15 }), new ToTensor()]));
    const batch = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
    expect(() => tf.tidy(() => rotate(batch))).toThrow(/no batch version for RandomRotation/);
    batch.dispose();
  });

  it('Mixup and CutMix: the example runs, soft labels have the stated shapes, nothing leaks', () => {
    const before = tf.memory().numTensors;
    for (let seed = 1; seed <= 6; seed++) {
      const random = mulberry32(seed);
      const images = tf.randomUniform([8, 32, 32, 3]) as tf.Tensor4D;
      const labels = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
      const mixed = random() < 0.5 ? mixup(images, labels, random, { numClasses: 10 }) : cutmix(images, labels, random, { numClasses: 10 });
      expect(mixed.images.shape).toEqual([8, 32, 32, 3]);
      expect(mixed.labels.shape).toEqual([8, 10]);
      expect(mixed.lambda).toBeGreaterThanOrEqual(0);
      expect(mixed.lambda).toBeLessThanOrEqual(1);
      // Image i is mixed with image i - 1 (roll(1, 0)): its row holds λ at its class and 1 - λ at the previous one's.
      const rows = mixed.labels.arraySync();
      expect(rows[3]![3]! + rows[3]![2]!).toBeCloseTo(1, 6);
      expect(rows[0]![0]! + rows[0]![7]!).toBeCloseTo(1, 6);
      expect(rows[3]![3]).toBeCloseTo(mixed.lambda, 6);
      tf.dispose([images, labels, mixed.images, mixed.labels]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('Oversampling: balances the classes with seed 002 manipulations and writes generated{i}.jpg through the encoder', async () => {
    const images = Array.from({ length: 7 }, (_, i) => randomImage(12, 14, i));
    const labels = [0, 0, 0, 0, 0, 1, 1];
    const pets = { size: 7, get: (i: number) => ({ image: images[i]!, label: labels[i]! }) };
    const balanced = await OversampledDataset.create(pets, { seed: 0 });
    expect(balanced.size).toBe(10);
    expect(balanced.syntheticCount).toBe(3);
    expect(balanced.plan.labels).toEqual([1, 1, 1]);
    const first = await balanced.get(7);
    expect(first.image.data).toBeInstanceOf(Uint8Array);
    expect(await balanced.get(7)).toEqual(first);
    const files = new Map<string, Uint8Array>();
    // sharp is not a dependency of this package; a stand-in encoder (README: sharp's raw → jpeg).
    const encode = async (im: Image): Promise<Uint8Array> => Uint8Array.from([im.width, im.height, im.channels]);
    const written = await writeOversampledImages(balanced, { directory: 'data/generated', encode, writeFile: async (path, bytes) => void files.set(path, bytes) });
    expect(written.map((w) => w.path)).toEqual(['data/generated/generated0.jpg', 'data/generated/generated1.jpg', 'data/generated/generated2.jpg']);
    expect(written.every((w) => w.label === 1 && (w.sourceIndex === 5 || w.sourceIndex === 6))).toBe(true);
    expect(files.get('data/generated/generated0.jpg')).toEqual(Uint8Array.from([14, 12, 3]));
  });
});

describe('README claims', () => {
  /** Rows of the "Transforms" table: the class names of the first column, and the whole row. */
  function tableRows(): Array<{ names: string[]; row: string; batch: boolean }> {
    const section = readme.slice(readme.indexOf('## Transforms'), readme.indexOf('## Seeding'));
    return section
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((row) => {
        const first = row.split(' | ')[0]!;
        return { names: [...first.matchAll(/`([A-Za-z]+)/g)].map((m) => m[1]!), row, batch: row.trimEnd().split(' | ').at(-1)!.startsWith('✓') };
      });
  }

  it('the table lists exactly the registered transforms, with batch versions where it says so', () => {
    let registered: string[] = [];
    try {
      transformFromConfig({ name: '__none__' });
    } catch (error) {
      registered = /registered: ([^(]*) \(/.exec((error as Error).message)![1]!.split(', ');
    }
    const rows = tableRows();
    const listed = rows.flatMap((r) => r.names);
    expect(listed.sort()).toEqual(registered.filter((name) => name !== 'RandomInvert').sort());
    for (const { names, batch } of rows) {
      for (const name of names) {
        const prototype = (augment as unknown as Record<string, { prototype: object }>)[name]!.prototype;
        expect(typeof (prototype as { applyBatch?: unknown }).applyBatch === 'function', `${name} batch column`).toBe(batch);
      }
    }
  });

  it("the table's defaults are the constructors' defaults", () => {
    const row = (name: string): string => tableRows().find((r) => r.names.includes(name))!.row;
    const cases: Array<[string, Transform, Record<string, unknown>, string[]]> = [
      ['RandomSubset', new RandomSubset({ transforms: [new ToTensor(), new ToTensor(), new ToTensor()] }), { min: 1, max: 3 }, ['`min` (1)', '`max` (`transforms.length`)']],
      ['Resize', new Resize({ size: 8 }), { interpolation: 'bilinear' }, ["`interpolation` (`'bilinear'`"]],
      ['RandomCrop', new RandomCrop({ size: 8 }), { padding: undefined, padIfNeeded: false, fill: 0, paddingMode: 'constant' }, ['`padding` (none', '`padIfNeeded` (`false`)', '`fill` (0', "`paddingMode` (`'constant'`"]],
      ['RandomResizedCrop', new RandomResizedCrop({ size: 8 }), { scale: [0.08, 1], ratio: [3 / 4, 4 / 3], interpolation: 'bilinear' }, ['`scale` (`[0.08, 1]`)', '`ratio` (`[3/4, 4/3]`)', "`interpolation` (`'bilinear'`)"]],
      ['RandomHorizontalFlip', new RandomHorizontalFlip(), { p: 0.5 }, ['`p` (0.5)']],
      ['RandomRotation', new RandomRotation({ degrees: 15 }), { degrees: [-15, 15], interpolation: 'nearest', expand: false, center: undefined, fill: 0, fillMode: 'constant' }, ["`interpolation` (`'nearest'`)", '`expand` (`false`)', '`fill` (0)', "`fillMode` (`'constant'`"]],
      ['ColorJitter', new ColorJitter({ brightness: 0.4 }), { brightness: [0.6, 1.4], contrast: undefined, maxValue: 255 }, ['`maxValue` (255)']],
      ['RandomErasing', new RandomErasing(), { p: 0.5, scale: [0.02, 0.33], ratio: [0.3, 3.3], value: 0, maxValue: 255 }, ['`p` (0.5)', '`scale` (`[0.02, 0.33]`)', '`ratio` (`[0.3, 3.3]`)', '`value` (0', '`maxValue` (255)']],
      ['GaussianBlur', new GaussianBlur({ kernelSize: 3 }), { kernelSize: [3, 3], sigma: [0.1, 2] }, ['`sigma` (`[0.1, 2]`']],
      ['GaussianNoise', new GaussianNoise(), { mean: 0, sigma: 0.1, clip: true, p: 1, maxValue: 255 }, ['`mean` (0)', '`sigma` (0.1)', '`clip` (`true`', '`p` (1)', '`maxValue` (255)']],
      ['SaltAndPepperNoise', new SaltAndPepperNoise(), { amount: 0.05, saltVsPepper: 0.5, perChannel: true, p: 1, maxValue: 255 }, ['`amount` (0.05)', '`saltVsPepper` (0.5)', '`perChannel` (`true`', '`p` (1)', '`maxValue` (255)']],
    ];
    for (const [name, transform, defaults, fragments] of cases) {
      expect(transform.toConfig(), name).toMatchObject(defaults);
      for (const fragment of fragments) expect(row(name), `${name} row says ${fragment}`).toContain(fragment);
    }
  });

  it('every name the README imports from @cnn/augment or lists as exported is exported', () => {
    const index = readFileSync(new URL('./index.ts', import.meta.url), 'utf8');
    const imported = [...readme.matchAll(/import \{([^}]*)\} from '@cnn\/augment'/g)].flatMap((m) => m[1]!.split(',').map((s) => s.trim()).filter(Boolean));
    expect(imported.length).toBeGreaterThan(20);
    for (const name of imported) {
      if (name.startsWith('type ')) expect(index, name).toMatch(new RegExp(`\\btype ${name.slice(5)}\\b`));
      else expect(augment, name).toHaveProperty(name);
    }
    const paragraph = readme.slice(readme.indexOf('The operations underneath are exported too'), readme.indexOf('## Seeding'));
    const listed = [...paragraph.matchAll(/`([a-zA-Z0-9]+)`/g)].map((m) => m[1]!);
    expect(listed.length).toBeGreaterThan(15);
    for (const name of listed) expect(typeof (augment as Record<string, unknown>)[name], name).toBe('function');
    for (const name of ['toUnitRange', 'normalize', 'compose', 'toBatchTransform', 'seed002Manipulations', 'registerTransform', 'transformFromConfig']) {
      expect(typeof (augment as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(typeof new ColorJitter().applyParameters).toBe('function');
    expect(new RandomCrop({ size: 2 }).sampleParameters(3, 3, mulberry32(1))).toHaveProperty('top');
  });

  it('quotes a real error message and the real golden case count', () => {
    let message = '';
    try {
      new RandomCrop({ size: 8, paddingMode: 'mirror' as never });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(readme).toContain(message);
    expect(message).toMatch(/^RandomCrop: paddingMode/);
    const golden = JSON.parse(readFileSync(new URL('./__fixtures__/augment-golden.json', import.meta.url), 'utf8')) as { cases: unknown[] };
    expect(readme).toContain(`${golden.cases.length} reference`);
    expect(readme).toContain(`${golden.cases.length} cases`);
  });
});

describe('README code blocks', () => {
  it('type-check as written (strict, NodeNext, as the repository compiles)', () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const directory = fileURLToPath(new URL('./__readme__/', import.meta.url)); // virtual: never written to disk
    // Names a block uses from an earlier one (or from the reader's own code), declared with their types.
    const context: Record<string, string> = {
      trainTransform: "declare const trainTransform: import('@cnn/augment').Compose;",
      pets: "declare const pets: import('@cnn/data').Dataset<{ image: import('@cnn/data').Image; label: number }>;",
    };
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(7);
    const files = new Map<string, string>();
    blocks.forEach((block, i) => {
      const declared = Object.entries(context)
        .filter(([name]) => new RegExp(`\\b${name}\\b`).test(block) && !new RegExp(`const ${name}\\b`).test(block))
        .map(([, declaration]) => declaration);
      files.set(`${directory}block${i}.mts`, [...declared, block, 'export {};'].join('\n'));
    });
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noUncheckedIndexedAccess: true,
      noImplicitOverride: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
      typeRoots: [`${root}node_modules/@types`],
      paths: {
        '@cnn/augment': [`${root}packages/augment/src/index.ts`],
        '@cnn/data': [`${root}packages/data/src/index.ts`],
        sharp: [`${root}packages/data/node_modules/sharp/lib/index.d.ts`],
      },
    };
    const host = ts.createCompilerHost(options);
    const { getSourceFile, fileExists, readFile } = host;
    host.getSourceFile = (name, language, ...rest) =>
      files.has(name) ? ts.createSourceFile(name, files.get(name)!, language) : getSourceFile.call(host, name, language, ...rest);
    host.fileExists = (name) => files.has(name) || fileExists.call(host, name);
    host.readFile = (name) => files.get(name) ?? readFile.call(host, name);
    const program = ts.createProgram([...files.keys()], options, host);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file === undefined || files.has(d.file.fileName))
      .map((d) => {
        const where = d.file ? `${d.file.fileName.slice(directory.length)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
        return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
  }, 60_000);
});

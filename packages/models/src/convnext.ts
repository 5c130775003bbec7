/**
 * ConvNeXt (Liu et al. 2022, "A ConvNet for the 2020s", https://arxiv.org/abs/2201.03545) in the timm / torchvision
 * layout, and seed 003's CIFAR-10 ConvNeXt (the last step of its seven-step ablation, `convnext_cifar`).
 *
 * Official network: a 4x4 stride-4 "patchify" convolution + LayerNorm stem; four stages of ConvNeXt blocks
 * (depthwise 7x7 → LayerNorm → 1x1 4x → GELU → 1x1 → layer scale → drop path → residual), stages 2-4 preceded by a
 * LayerNorm + 2x2 stride-2 downsampling convolution; global average pooling → LayerNorm → linear head. Drop path rates
 * rise linearly over the blocks from 0 to `dropPathRate`; layer scale starts at 1e-6. Weights are initialised as the
 * official code does: convolution and linear weights from a normal with std 0.02 truncated at ±2 (PyTorch's
 * `trunc_normal_(w, std=.02)`, whose bounds a = −2, b = 2 are absolute, i.e. ±100 std, so practically untruncated),
 * biases 0. tfjs's `truncatedNormal` is not used: it re-draws beyond 2 *standard deviations* (±0.04), which narrows
 * the spread to about 0.88 · 0.02.
 *
 * Seed 003's network differs (its code, kept exactly): the stem is its patchify step's `Conv2d(3, 64, 1, 1)` +
 * BatchNorm (no downsampling on 32x32 CIFAR images); normalisation is `nn.GroupNorm(1)` (over C, H, W; epsilon 1e-5);
 * the depthwise convolution has no bias; a stage downsamples only when its width differs from the previous one;
 * drop path is torchvision's `'batch'` mode with one rate per *stage*, the first four values of
 * `linspace(0, drop_p, sum(depths))`; the head's LayerNorm has PyTorch's epsilon 1e-5; weights keep PyTorch's default
 * initialisation. Layer names are the seed's PyTorch module paths (`encoder.stages.1.0.1`), timm's for the official
 * networks (`stages.1.blocks.0.mlp.fc1`), so that state dicts port by name.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  convNextBlock,
  convNextDownsample,
  convNextNormLayer,
  GroupedConv2D,
  pytorchBatchNorm,
  pytorchDense,
  type ConvNextNorm,
  type StochasticDepthMode,
} from '@cnn/layers';
import { registerModel, type BaseModelOptions } from './registry.js';

/** Which codebase's layout and details a ConvNeXt follows (see the module documentation). */
export type ConvNextLayout = 'official' | 'seed003';

/** Options of {@link convNext}; every field defaults to the registered variant's value. */
export interface ConvNextOptions extends BaseModelOptions {
  /** Blocks per stage. Official T: [3, 3, 9, 3]; seed 003: [2, 2, 6, 2]. */
  depths?: readonly number[];
  /** Channels per stage. Official T: [96, 192, 384, 768]; seed 003: [64, 128, 256, 512]. */
  dims?: readonly number[];
  /** `'official'` (timm / torchvision) or `'seed003'` (seed 003's CIFAR code). Default `'official'`. */
  layout?: ConvNextLayout;
  /** Stem output channels. Default `dims[0]` (official); seed 003: 64. */
  stemFeatures?: number;
  /** Stem kernel size and stride. Default 4 (official); seed 003: 1. */
  patchSize?: number;
  /** Largest drop path probability (the schedule's end). Default 0 (timm's default; seed 003's `drop_p`). */
  dropPathRate?: number;
  /** Initial layer scale γ; `null` leaves layer scale out. Default 1e-6. */
  layerScaleInit?: number | null;
}

/** The official networks' shared defaults: ImageNet classes and input. */
const IMAGENET = { numClasses: 1000, inputShape: [224, 224, 3] as const, layout: 'official' as const, dropPathRate: 0, layerScaleInit: 1e-6 };

/** Variants as data: depths and widths per registry name. */
export const CONVNEXT_CONFIGS = {
  convnext_tiny: { ...IMAGENET, depths: [3, 3, 9, 3], dims: [96, 192, 384, 768], patchSize: 4 },
  convnext_small: { ...IMAGENET, depths: [3, 3, 27, 3], dims: [96, 192, 384, 768], patchSize: 4 },
  convnext_base: { ...IMAGENET, depths: [3, 3, 27, 3], dims: [128, 256, 512, 1024], patchSize: 4 },
  /** A tiny official-layout network for tests: the smallest input the four downsamplings allow (32x32). */
  convnext_test: { ...IMAGENET, numClasses: 10, inputShape: [32, 32, 3] as const, depths: [1, 1, 2, 1], dims: [8, 16, 24, 32], patchSize: 4 },
  /** Seed 003's final model: `ConvNext(3, 64, [2, 2, 6, 2], [64, 128, 256, 512])` on CIFAR-10. */
  convnext_cifar: {
    numClasses: 10,
    inputShape: [32, 32, 3] as const,
    layout: 'seed003' as const,
    depths: [2, 2, 6, 2],
    dims: [64, 128, 256, 512],
    stemFeatures: 64,
    patchSize: 1,
    dropPathRate: 0,
    layerScaleInit: 1e-6,
  },
} satisfies Record<string, ConvNextOptions & Required<Pick<ConvNextOptions, 'numClasses' | 'inputShape'>>>;

/** What differs between the two layouts. */
interface LayoutRules {
  norm: ConvNextNorm;
  stemNorm: 'layerNorm' | 'batchNorm';
  depthwiseBias: boolean;
  dropPathMode: StochasticDepthMode;
  headNormEpsilon: number;
  names: {
    stem: [string, string];
    downsample: (stage: number) => string;
    block: (stage: number, block: number, downsampled: boolean) => string;
    blockParts?: Partial<Record<'depthwise' | 'norm' | 'expand' | 'project' | 'layerScale', string>>;
    headNorm: string;
    head: string;
  };
}

const LAYOUTS: Record<ConvNextLayout, LayoutRules> = {
  official: {
    norm: 'layerNorm',
    stemNorm: 'layerNorm',
    depthwiseBias: true,
    dropPathMode: 'row',
    headNormEpsilon: 1e-6,
    names: {
      stem: ['stem.0', 'stem.1'],
      downsample: (s) => `stages.${s}.downsample`,
      block: (s, b) => `stages.${s}.blocks.${b}`,
      headNorm: 'head.norm',
      head: 'head.fc',
    },
  },
  seed003: {
    norm: 'groupNorm',
    stemNorm: 'batchNorm',
    depthwiseBias: false,
    dropPathMode: 'batch',
    headNormEpsilon: 1e-5,
    names: {
      stem: ['encoder.stem.0', 'encoder.stem.1'],
      downsample: (s) => `encoder.stages.${s}.0`,
      block: (s, b, downsampled) => `encoder.stages.${s}.${b + (downsampled ? 1 : 0)}`,
      blockParts: { depthwise: 'block.0', norm: 'block.1', expand: 'block.2', project: 'block.4', layerScale: 'layer_scaler' },
      headNorm: 'head.2',
      head: 'head.3',
    },
  },
};

/** `n` evenly spaced values from 0 to `end`, as `torch.linspace(0, end, n)` (float32). */
function linspace(end: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.fround(n === 1 ? 0 : (end * i) / (n - 1)));
}

function checkOptions(name: string, depths: readonly number[], dims: readonly number[], patchSize: number, stemFeatures: number, dropPathRate: number): void {
  const positiveIntegers = (xs: readonly number[]): boolean => xs.length > 0 && xs.every((d) => Number.isInteger(d) && d > 0);
  if (!positiveIntegers(depths)) throw new Error(`${name}: depths must be positive integers, got ${JSON.stringify(depths)}`);
  if (!positiveIntegers(dims)) throw new Error(`${name}: dims must be positive integers, got ${JSON.stringify(dims)}`);
  if (depths.length !== dims.length) {
    throw new Error(`${name}: depths (${depths.length} stages) and dims (${dims.length} stages) must have the same length`);
  }
  if (!positiveIntegers([patchSize, stemFeatures])) {
    throw new Error(`${name}: patchSize and stemFeatures must be positive integers, got ${patchSize} and ${stemFeatures}`);
  }
  if (!(dropPathRate >= 0 && dropPathRate < 1)) throw new Error(`${name}: dropPathRate must be in [0, 1), got ${dropPathRate}`);
}

/**
 * Builds a ConvNeXt. Throws when the input is too small for the stem and the downsamplings (the official T/S/B need
 * at least 32x32, seed 003's network at least 8x8) or when depths and dims disagree.
 */
export function convNext(options: ConvNextOptions = {}): tfl.LayersModel {
  const merged = { ...CONVNEXT_CONFIGS.convnext_tiny, ...options };
  const { numClasses, inputShape, layout, depths, dims, patchSize, dropPathRate, layerScaleInit, seed } = merged;
  const name = merged.name ?? 'convnext';
  const stemFeatures = merged.stemFeatures ?? dims[0]!;
  const rules = LAYOUTS[layout];
  if (rules === undefined) throw new Error(`${name}: layout must be 'official' or 'seed003', got '${String(layout)}'`);
  checkOptions(name, depths, dims, patchSize, stemFeatures, dropPathRate);
  if (layout === 'official' && stemFeatures !== dims[0]) {
    throw new Error(`${name}: the official layout's stem outputs dims[0] (${dims[0]}) channels; stemFeatures ${stemFeatures} differs`);
  }
  const [height, width, channels] = inputShape;
  const downsamples = dims.map((d, i) => (layout === 'official' ? i > 0 : d !== (i === 0 ? stemFeatures : dims[i - 1])));
  const smallest = downsamples.reduce((size, down) => (down ? size * 2 : size), patchSize);
  let [h, w] = [Math.floor(height / patchSize), Math.floor(width / patchSize)];
  for (const down of downsamples) if (down) [h, w] = [Math.floor(h / 2), Math.floor(w / 2)];
  if (h < 1 || w < 1) {
    throw new Error(
      `${name}: input ${height}x${width} is too small: the ${patchSize}x${patchSize} stem and ${downsamples.filter(Boolean).length} ` +
        `2x2 downsamplings need at least ${smallest}x${smallest}`,
    );
  }
  const layerSeed = (i: number): { seed?: number } => (seed === undefined ? {} : { seed: seed * 1000 + i });
  const rates = linspace(dropPathRate, depths.reduce((a, b) => a + b, 0));

  const input = tfl.input({ shape: [height, width, channels] });
  let x = new GroupedConv2D({ name: rules.names.stem[0], filters: stemFeatures, kernelSize: patchSize, strides: patchSize, ...layerSeed(0) })
    .apply(input) as tfl.SymbolicTensor;
  const stemNorm = rules.stemNorm === 'batchNorm' ? pytorchBatchNorm({ name: rules.names.stem[1] }) : convNextNormLayer('layerNorm', rules.names.stem[1]);
  x = stemNorm.apply(x) as tfl.SymbolicTensor;
  let blockIndex = 0;
  dims.forEach((dim, stage) => {
    const downsampled = downsamples[stage]!;
    if (downsampled) x = convNextDownsample(x, { name: rules.names.downsample(stage), filters: dim, norm: rules.norm, ...layerSeed(100 * stage + 99) });
    for (let b = 0; b < depths[stage]!; b += 1) {
      x = convNextBlock(x, {
        name: rules.names.block(stage, b, downsampled),
        norm: rules.norm,
        depthwiseBias: rules.depthwiseBias,
        layerScaleInit,
        dropPath: layout === 'official' ? rates[blockIndex]! : rates[stage]!, // seed 003: one rate per stage (its code)
        dropPathMode: rules.dropPathMode,
        ...(rules.names.blockParts === undefined ? {} : { partNames: rules.names.blockParts }),
        ...layerSeed(100 * stage + b + 1),
      });
      blockIndex += 1;
    }
  });
  x = tfl.layers.globalAveragePooling2d({ name: 'head.pool' }).apply(x) as tfl.SymbolicTensor;
  x = convNextNormLayer('layerNorm', rules.names.headNorm, rules.headNormEpsilon).apply(x) as tfl.SymbolicTensor;
  const logits = pytorchDense({ name: rules.names.head, inFeatures: dims[dims.length - 1]!, units: numClasses, ...layerSeed(999) }).apply(x);
  const model = tfl.model({ name, inputs: input, outputs: logits as tfl.SymbolicTensor });
  if (layout === 'official') initOfficialWeights(model, seed);
  return model;
}

/**
 * Draws from N(0, std²) truncated to [a, b] in absolute units, as PyTorch's `trunc_normal_(w, std=std)` with its
 * default a = −2, b = 2: values outside are re-drawn (round r takes the value at the same position of a fresh draw
 * seeded `seed + r`).
 *
 * The check runs in JavaScript on the draws, which every backend keeps on the CPU right after `tf.randomNormal`
 * creates them: a synchronous read of a GPU-computed tensor would break WebGPU in browsers.
 */
export function pytorchTruncatedNormal(shape: number[], std: number, seed?: number, a = -2, b = 2): tf.Tensor {
  const draw = (round: number): Float32Array => {
    const tensor = tf.randomNormal(shape, 0, std, 'float32', seed === undefined ? undefined : seed + round);
    const values = tensor.dataSync() as Float32Array;
    tensor.dispose();
    return values;
  };
  const values = Float32Array.from(draw(0));
  let outside: number[] = [];
  values.forEach((v, i) => {
    if (v < a || v > b) outside.push(i);
  });
  for (let round = 1; outside.length > 0; round += 1) {
    const fresh = draw(round);
    outside = outside.filter((i) => {
      values[i] = fresh[i]!;
      return values[i]! < a || values[i]! > b;
    });
  }
  return tf.tensor(values, shape, 'float32');
}

/** The official ConvNeXt init (`_init_weights`): convolution and linear weights trunc-normal std 0.02, biases 0. */
function initOfficialWeights(model: tfl.LayersModel, seed: number | undefined): void {
  model.layers.forEach((layer, i) => {
    if (!(layer instanceof GroupedConv2D) && layer.getClassName() !== 'Dense') return;
    const [kernel, bias] = layer.weights; // kernel first, then the bias if any, in GroupedConv2D and Dense
    const fresh = [pytorchTruncatedNormal(kernel!.shape as number[], 0.02, seed === undefined ? undefined : seed * 1000 + i)];
    if (bias !== undefined) fresh.push(tf.zeros(bias.shape as number[]));
    layer.setWeights(fresh);
    tf.dispose(fresh);
  });
}

function register(name: keyof typeof CONVNEXT_CONFIGS, description: string): void {
  registerModel<ConvNextOptions>({ name, description, defaults: CONVNEXT_CONFIGS[name], build: convNext });
}

register('convnext_tiny', 'ConvNeXt-T (Liu et al. 2022; timm/torchvision layout), 28.6M parameters, ImageNet 224x224');
register('convnext_small', 'ConvNeXt-S (Liu et al. 2022; timm/torchvision layout), 50.2M parameters, ImageNet 224x224');
register('convnext_base', 'ConvNeXt-B (Liu et al. 2022; timm/torchvision layout), 88.6M parameters, ImageNet 224x224');
register('convnext_test', 'Tiny ConvNeXt in the official layout for tests (depths 1-1-2-1, dims 8-32), 32x32 input');
register('convnext_cifar', "Seed 003's CIFAR-10 ConvNeXt (step 7 of its ablation): patchify-1 stem, GroupNorm(1), 8.5M parameters");

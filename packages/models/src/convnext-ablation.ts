/**
 * Seed 003's seven-step path from ResNet-50 to ConvNeXt on CIFAR-10 (after Liu et al. 2022, "A ConvNet for the
 * 2020s", https://arxiv.org/abs/2201.03545, section 2), steps 1-6; step 7, the final network, is `convnext_cifar`
 * in `convnext.ts`.
 *
 * The notebook redefines `Stem` and `BottleNeckBlock` at each step, so every step keeps the previous ones' changes:
 * 1. `convnext_ablation_base`: a ResNet-50-style CIFAR network: stem 3x3 conv (bias) + BN + ReLU without downsampling,
 *    stages of depths [3, 4, 6, 3] and widths [64, 128, 256, 512] of bottleneck blocks (1x1 reduce to width/4 with
 *    the stage's stride → 3x3 → 1x1 expand; projection shortcut conv 1x1 + BN + ReLU when the width changes; ReLU
 *    after the sum); the first stage has stride 1, the others 2;
 * 2. `convnext_ablation_stage_ratio`: depths [3, 3, 9, 3] (the notebook's text says [2, 2, 6, 2]; its code, kept
 *    here, uses [3, 3, 9, 3]);
 * 3. `convnext_ablation_patchify`: stem `Conv2d(3, 64, kernel 1, stride 1)` + BN (patch size 1 for 32x32 images);
 * 4. `convnext_ablation_resnextify`: the 3x3 convolution depthwise (groups = width/4);
 * 5. `convnext_ablation_inverted_bottleneck`: 1x1 expand to 4·width (with the stride) → 3x3 with groups = the block's
 *    *input* channels (as the seed's code, so not depthwise) → 1x1 reduce;
 * 6. `convnext_ablation_large_kernel`: depthwise 7x7 first (with the stride) → 1x1 expand to 4·width (with bias) →
 *    1x1 reduce.
 *
 * As in the seed, these networks end with a softmax (its `Decoder` applies `F.softmax`, and it trains them with
 * `CrossEntropyLoss` on those probabilities); pass `softmax: false` for logits. Initialisation and BatchNorm are
 * PyTorch's defaults. Layer names are the seed's PyTorch module paths (`encoder.stages.1.0.block.0.0`).
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { GroupedConv2D, pytorchBatchNorm, pytorchDense } from '@cnn/layers';
import { registerModel, type BaseModelOptions } from './registry.js';

/** The stem of an ablation step: the ResNet one (steps 1-2) or the patchify one (steps 3-6). */
export type AblationStem = 'resnet' | 'patchify';

/** The residual block of an ablation step (steps 1-3, 4, 5, 6). */
export type AblationBlock = 'bottleneck' | 'resnextify' | 'inverted' | 'large_kernel';

/** Options of {@link convNextAblation}; every field defaults to the registered step's value. */
export interface ConvNextAblationOptions extends BaseModelOptions {
  /** Blocks per stage. Default [3, 4, 6, 3] (step 1), [3, 3, 9, 3] (steps 2-6). */
  depths?: readonly number[];
  /** Output channels per stage. Default [64, 128, 256, 512]. */
  widths?: readonly number[];
  /** Stem output channels. Default 64. */
  stemFeatures?: number;
  /** The stem. Default `'resnet'` (steps 1-2), `'patchify'` (steps 3-6). */
  stem?: AblationStem;
  /** Patchify stem's kernel size and stride. Default 1 (the seed's; the paper uses 4 on ImageNet). */
  patchSize?: number;
  /** The residual block. Default per step (see the module documentation). */
  block?: AblationBlock;
  /** End with a softmax, as the seed's `Decoder`. Default true. */
  softmax?: boolean;
}

const CIFAR = {
  numClasses: 10,
  inputShape: [32, 32, 3] as const,
  widths: [64, 128, 256, 512],
  stemFeatures: 64,
  patchSize: 1,
  softmax: true,
};

/** The six steps as data. */
export const CONVNEXT_ABLATION_CONFIGS = {
  convnext_ablation_base: { ...CIFAR, depths: [3, 4, 6, 3], stem: 'resnet', block: 'bottleneck' },
  convnext_ablation_stage_ratio: { ...CIFAR, depths: [3, 3, 9, 3], stem: 'resnet', block: 'bottleneck' },
  convnext_ablation_patchify: { ...CIFAR, depths: [3, 3, 9, 3], stem: 'patchify', block: 'bottleneck' },
  convnext_ablation_resnextify: { ...CIFAR, depths: [3, 3, 9, 3], stem: 'patchify', block: 'resnextify' },
  convnext_ablation_inverted_bottleneck: { ...CIFAR, depths: [3, 3, 9, 3], stem: 'patchify', block: 'inverted' },
  convnext_ablation_large_kernel: { ...CIFAR, depths: [3, 3, 9, 3], stem: 'patchify', block: 'large_kernel' },
} satisfies Record<string, ConvNextAblationOptions & Required<Pick<ConvNextAblationOptions, 'numClasses' | 'inputShape'>>>;

/** One `utilConv` of the seed: conv (padding k // 2) → BatchNorm → ReLU (unless `relu` is false). */
interface UtilConv {
  filters: number;
  kernelSize: number;
  strides: number;
  groups: number;
  useBias: boolean;
  relu: boolean;
}

/** The three `utilConv`s of a block of `kind` from `inC` to `outC` channels with stride `stride`. */
function blockLayers(kind: AblationBlock, inC: number, outC: number, stride: number, where: string): UtilConv[] {
  const conv = (filters: number, kernelSize: number, extra: Partial<UtilConv> = {}): UtilConv => ({
    filters, kernelSize, strides: 1, groups: 1, useBias: false, relu: true, ...extra,
  });
  if (kind === 'bottleneck' || kind === 'resnextify') {
    const reduced = Math.floor(outC / 4);
    if (reduced < 1) throw new Error(`${where}: width ${outC} is too small for the bottleneck's reduction by 4; use at least 4`);
    return [
      conv(reduced, 1, { strides: stride }),
      conv(reduced, 3, { groups: kind === 'resnextify' ? reduced : 1 }),
      conv(outC, 1, { relu: false }),
    ];
  }
  const expanded = outC * 4;
  if (kind === 'inverted') {
    if (expanded % inC !== 0) {
      throw new Error(`${where}: the inverted bottleneck's 3x3 convolution has groups = input channels (${inC}), which must divide 4 · width (${expanded})`);
    }
    return [conv(expanded, 1, { strides: stride }), conv(expanded, 3, { groups: inC }), conv(outC, 1, { relu: false })];
  }
  if (kind === 'large_kernel') {
    return [conv(inC, 7, { strides: stride, groups: inC }), conv(expanded, 1, { useBias: true }), conv(outC, 1, { relu: false })];
  }
  throw new Error(`${where}: block must be 'bottleneck', 'resnextify', 'inverted' or 'large_kernel', got '${String(kind)}'`);
}

/** The seed's `utilConv` on `x`, its conv and BatchNorm named `<name>.0` and `<name>.1`. */
function utilConv(x: tfl.SymbolicTensor, spec: UtilConv, name: string, seed: number | undefined): tfl.SymbolicTensor {
  const { filters, kernelSize, strides, groups, useBias, relu } = spec;
  const convSeed = seed === undefined ? {} : { seed };
  let y = new GroupedConv2D({ name: `${name}.0`, filters, kernelSize, strides, groups, useBias, padding: Math.floor(kernelSize / 2), ...convSeed })
    .apply(x) as tfl.SymbolicTensor;
  y = pytorchBatchNorm({ name: `${name}.1` }).apply(y) as tfl.SymbolicTensor;
  return relu ? (tfl.layers.reLU({ name: `${name}.2` }).apply(y) as tfl.SymbolicTensor) : y;
}

function checkOptions(name: string, o: { depths: readonly number[]; widths: readonly number[]; stemFeatures: number; patchSize: number }): void {
  const positiveIntegers = (xs: readonly number[]): boolean => xs.length > 0 && xs.every((d) => Number.isInteger(d) && d > 0);
  if (!positiveIntegers(o.depths)) throw new Error(`${name}: depths must be positive integers, got ${JSON.stringify(o.depths)}`);
  if (!positiveIntegers(o.widths)) throw new Error(`${name}: widths must be positive integers, got ${JSON.stringify(o.widths)}`);
  if (o.depths.length !== o.widths.length) {
    throw new Error(`${name}: depths (${o.depths.length} stages) and widths (${o.widths.length} stages) must have the same length`);
  }
  if (!positiveIntegers([o.stemFeatures, o.patchSize])) {
    throw new Error(`${name}: stemFeatures and patchSize must be positive integers, got ${o.stemFeatures} and ${o.patchSize}`);
  }
  o.widths.forEach((w, i) => {
    if (i > 0 && w === o.widths[i - 1]) {
      throw new Error(
        `${name}: widths[${i}] equals widths[${i - 1}] (${w}): the seed's stage would then put an identity shortcut around a stride-2 block, whose sum cannot be formed; use different widths`,
      );
    }
  });
}

/** Builds one of seed 003's ablation networks (steps 1-6). Throws on impossible options, naming the value. */
export function convNextAblation(options: ConvNextAblationOptions = {}): tfl.LayersModel {
  const o = { ...CONVNEXT_ABLATION_CONFIGS.convnext_ablation_base, ...options };
  const { numClasses, inputShape, depths, widths, stemFeatures, stem, patchSize, block, softmax, seed } = o;
  const name = o.name ?? 'convnext_ablation';
  checkOptions(name, o);
  const [height, width, channels] = inputShape;
  if (stem === 'patchify' && (height < patchSize || width < patchSize)) {
    throw new Error(`${name}: input ${height}x${width} is smaller than the ${patchSize}x${patchSize} patchify stem`);
  }
  let layerIndex = 0;
  const nextSeed = (): number | undefined => (seed === undefined ? undefined : seed * 1000 + (layerIndex += 1));

  const input = tfl.input({ shape: [height, width, channels] });
  let x: tfl.SymbolicTensor;
  if (stem === 'resnet') {
    x = utilConv(input, { filters: stemFeatures, kernelSize: 3, strides: 1, groups: 1, useBias: true, relu: true }, 'encoder.stem.0', nextSeed());
  } else if (stem === 'patchify') {
    const s = nextSeed();
    x = new GroupedConv2D({ name: 'encoder.stem.0', filters: stemFeatures, kernelSize: patchSize, strides: patchSize, ...(s === undefined ? {} : { seed: s }) })
      .apply(input) as tfl.SymbolicTensor;
    x = pytorchBatchNorm({ name: 'encoder.stem.1' }).apply(x) as tfl.SymbolicTensor;
  } else {
    throw new Error(`${name}: stem must be 'resnet' or 'patchify', got '${String(stem)}'`);
  }
  let inC = stemFeatures;
  widths.forEach((outStage, stage) => {
    for (let b = 0; b < depths[stage]!; b += 1) {
      const [blockIn, stride] = b === 0 ? [inC, stage === 0 ? 1 : 2] : [outStage, 1];
      const path = `encoder.stages.${stage}.${b}`;
      let y = x;
      blockLayers(block, blockIn, outStage, stride, `${name} ${path}`).forEach((spec, k) => {
        y = utilConv(y, spec, `${path}.block.${k}`, nextSeed());
      });
      const shortcut = blockIn === outStage
        ? x
        : utilConv(x, { filters: outStage, kernelSize: 1, strides: stride, groups: 1, useBias: false, relu: true }, `${path}.shortcut.0`, nextSeed());
      x = tfl.layers.add({ name: `${path}.add` }).apply([y, shortcut]) as tfl.SymbolicTensor;
      x = tfl.layers.reLU({ name: `${path}.act` }).apply(x) as tfl.SymbolicTensor;
    }
    inC = outStage;
  });
  x = tfl.layers.globalAveragePooling2d({ name: 'decoder.avg' }).apply(x) as tfl.SymbolicTensor;
  const s = nextSeed();
  x = pytorchDense({ name: 'decoder.decoder', inFeatures: inC, units: numClasses, ...(s === undefined ? {} : { seed: s }) }).apply(x) as tfl.SymbolicTensor;
  if (softmax) x = tfl.layers.softmax({ name: 'decoder.softmax' }).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ name, inputs: input, outputs: x });
}

function register(name: keyof typeof CONVNEXT_ABLATION_CONFIGS, description: string): void {
  registerModel<ConvNextAblationOptions>({ name, description, defaults: CONVNEXT_ABLATION_CONFIGS[name], build: convNextAblation });
}

register('convnext_ablation_base', 'Seed 003 step 1: ResNet-50-style CIFAR-10 network (depths 3-4-6-3, bottleneck blocks), softmax output');
register('convnext_ablation_stage_ratio', 'Seed 003 step 2: step 1 with stage depths 3-3-9-3');
register('convnext_ablation_patchify', 'Seed 003 step 3: step 2 with a 1x1 stride-1 patchify stem (conv + BatchNorm)');
register('convnext_ablation_resnextify', "Seed 003 step 4: step 3 with the bottleneck's 3x3 convolution depthwise");
register('convnext_ablation_inverted_bottleneck', 'Seed 003 step 5: step 4 with inverted bottlenecks (1x1 expand 4x, grouped 3x3, 1x1 reduce)');
register('convnext_ablation_large_kernel', 'Seed 003 step 6: step 5 with the depthwise convolution moved first and enlarged to 7x7');

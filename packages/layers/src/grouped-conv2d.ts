/**
 * Grouped 2-D convolution, `torch.nn.Conv2d(in, filters, kernel, stride, padding, dilation, groups, bias)` on NHWC
 * input, which tfjs-layers lacks (its `conv2d` has no `groups`). The kernel is stored as PyTorch's weight
 * `[out, in/groups, kh, kw]` transposed to `[kh, kw, in/groups, out]`; output channel o belongs to group
 * ⌊o / (out/groups)⌋, as in PyTorch. Initialised as `nn.Conv2d` (Kaiming uniform a = √5, bias U(±1/√fan_in) with
 * fan_in = in/groups · kh · kw).
 *
 * How it runs: `groups: 1` is one `conv2d`; `groups` equal to the input channels (depthwise, with `filters` a
 * multiple of them) is one `depthwiseConv2d`, whose channel-multiplier layout matches PyTorch's output order; any other
 * group count splits the input channels and the kernel into `groups` slices, convolves each slice and concatenates the
 * results. A single convolution with a block-diagonal `[kh, kw, in, out]` kernel would also do, at `groups` times the
 * multiply-adds and kernel memory, so the split is used. Dilation is applied by spreading the kernel with zeros, because
 * tfjs's convolution gradients do not support dilation > 1 and its convolutions refuse dilation with stride > 1.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { FanInUniform, KaimingUniform } from './initializers.js';
import { channelsOf, oneShape, oneTensor, positiveInteger, type Kwargs, type LayerArgs, type Shape } from './layer-utils.js';

/** Padding as PyTorch gives it (`number` or `[height, width]`, zeros on both sides) or tfjs's `'same'` / `'valid'`. */
export type ConvPadding = 'same' | 'valid' | number | [number, number];

/** Options of {@link GroupedConv2D}. */
export interface GroupedConv2DArgs extends LayerArgs {
  /** Output channels (PyTorch's `out_channels`); a multiple of `groups`. */
  filters: number;
  /** Kernel height and width, or one number for both. */
  kernelSize: number | [number, number];
  /** Channel groups; must divide the input channels and `filters`. Default 1. */
  groups?: number;
  /** Strides, height and width or one number. Default 1. */
  strides?: number | [number, number];
  /**
   * Zero padding on each side as PyTorch (`padding=1` is `1` here), or `'same'` / `'valid'` as tfjs (with strides > 1
   * tfjs's `'same'` pads the bottom/right more than the top/left, unlike PyTorch's symmetric padding). Default 0.
   */
  padding?: ConvPadding;
  /** Dilation, height and width or one number. Default 1. */
  dilation?: number | [number, number];
  /** Whether to add a learnable bias. Default true, as PyTorch. */
  useBias?: boolean;
  /** Seed of the kernel and bias draws; unseeded when absent. */
  seed?: number;
}

function pair(value: number | [number, number] | undefined, fallback: number, what: string): [number, number] {
  const [a, b] = typeof value === 'number' ? [value, value] : (value ?? [fallback, fallback]);
  return [positiveInteger(a, what, 'GroupedConv2D'), positiveInteger(b, what, 'GroupedConv2D')];
}

/** Inserts d − 1 zeros between kernel taps along height and width: a dilated kernel as a plain one. */
function dilateKernel(kernel: tf.Tensor4D, [dh, dw]: [number, number]): tf.Tensor4D {
  if (dh === 1 && dw === 1) return kernel;
  const [kh, kw, i, o] = kernel.shape;
  const spread = tf.pad(tf.reshape(kernel, [kh, 1, kw, 1, i, o]), [[0, 0], [0, dh - 1], [0, 0], [0, dw - 1], [0, 0], [0, 0]]);
  return tf.slice(tf.reshape(spread, [kh * dh, kw * dw, i, o]), 0, [(kh - 1) * dh + 1, (kw - 1) * dw + 1, i, o]) as tf.Tensor4D;
}

/** `nn.Conv2d` with `groups`, on NHWC input; trainable weights `kernel` `[kh, kw, in/groups, filters]` and `bias`. */
export class GroupedConv2D extends tfl.layers.Layer {
  /** @nocollapse */
  static className = 'GroupedConv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly groups: number;
  readonly strides: [number, number];
  readonly padding: ConvPadding;
  readonly dilation: [number, number];
  readonly useBias: boolean;
  readonly seed: number | undefined;
  private kernel: tfl.LayerVariable | undefined;
  private bias: tfl.LayerVariable | undefined;

  constructor(args: GroupedConv2DArgs) {
    super(args);
    this.filters = positiveInteger(args?.filters, 'filters', 'GroupedConv2D');
    this.kernelSize = pair(args.kernelSize, NaN, 'kernelSize');
    this.groups = positiveInteger(args.groups ?? 1, 'groups', 'GroupedConv2D');
    this.strides = pair(args.strides, 1, 'strides');
    this.dilation = pair(args.dilation, 1, 'dilation');
    this.padding = args.padding ?? 0;
    this.useBias = args.useBias ?? true;
    this.seed = args.seed;
    if (this.filters % this.groups !== 0) {
      throw new Error(`GroupedConv2D: filters (${this.filters}) must be a multiple of groups (${this.groups})`);
    }
    const pads = typeof this.padding === 'number' ? [this.padding] : this.padding;
    if (!(this.padding === 'same' || this.padding === 'valid' || (Array.isArray(pads) && pads.every((p) => Number.isInteger(p) && p >= 0)))) {
      throw new Error(`GroupedConv2D: padding must be 'same', 'valid', or non-negative integers, got ${JSON.stringify(args.padding)}`);
    }
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = oneShape(inputShape, 'GroupedConv2D');
    if (shape.length !== 4) throw new Error(`GroupedConv2D: expects NHWC input of rank 4, got shape [${shape.join(', ')}]`);
    const channels = channelsOf(shape, 'GroupedConv2D');
    if (channels % this.groups !== 0) {
      throw new Error(`GroupedConv2D: input channels (${channels}) must be a multiple of groups (${this.groups})`);
    }
    const [kh, kw] = this.kernelSize;
    const fanIn = (channels / this.groups) * kh * kw;
    const seeds = this.seed === undefined ? [{}, {}] : [{ seed: this.seed * 2 + 1 }, { seed: this.seed * 2 + 2 }];
    const kernelInit = new KaimingUniform({ a: Math.sqrt(5), ...seeds[0] });
    this.kernel = this.addWeight('kernel', [kh, kw, channels / this.groups, this.filters], 'float32', kernelInit);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', new FanInUniform({ fanIn, ...seeds[1] }));
    this.built = true;
  }

  private explicitPadding(): 'same' | 'valid' | tf.backend_util.ExplicitPadding {
    if (this.padding === 'same' || this.padding === 'valid') return this.padding;
    const [ph, pw] = typeof this.padding === 'number' ? [this.padding, this.padding] : this.padding;
    return [[0, 0], [ph, ph], [pw, pw], [0, 0]];
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    const [n, h, w] = oneShape(inputShape, 'GroupedConv2D');
    const size = (length: number | null | undefined, axis: 0 | 1): number | null => {
      if (length == null) return null;
      const stride = this.strides[axis];
      if (this.padding === 'same') return Math.ceil(length / stride);
      const span = this.dilation[axis] * (this.kernelSize[axis] - 1) + 1;
      const pad = this.padding === 'valid' ? 0 : typeof this.padding === 'number' ? this.padding : this.padding[axis];
      return Math.floor((length + 2 * pad - span) / stride) + 1;
    };
    return [n ?? null, size(h, 0), size(w, 1), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = oneTensor(inputs, 'GroupedConv2D') as tf.Tensor4D;
      const channels = x.shape[3];
      const kernel = dilateKernel(this.kernel!.read() as tf.Tensor4D, this.dilation);
      const pad = this.explicitPadding();
      let y: tf.Tensor4D;
      if (this.groups === 1) {
        y = tf.conv2d(x, kernel, this.strides, pad);
      } else if (this.groups === channels) {
        const [kh, kw] = kernel.shape;
        y = tf.depthwiseConv2d(x, tf.reshape(kernel, [kh, kw, channels, this.filters / channels]), this.strides, pad);
      } else {
        const xs = tf.split(x, this.groups, 3) as tf.Tensor4D[];
        const ks = tf.split(kernel, this.groups, 3) as tf.Tensor4D[];
        y = tf.concat(xs.map((xi, g) => tf.conv2d(xi, ks[g]!, this.strides, pad)), 3);
      }
      return this.bias === undefined ? y : tf.add(y, this.bias.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      groups: this.groups,
      strides: this.strides,
      padding: this.padding,
      dilation: this.dilation,
      useBias: this.useBias,
    };
    if (this.seed !== undefined) config.seed = this.seed;
    return config;
  }
}

tf.serialization.registerClass(GroupedConv2D, 'cnn');

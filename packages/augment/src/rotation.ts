/** `RandomRotation`: torchvision's, plus the wrap / reflect / nearest fill modes of Keras and scikit-image. */
import type { AnyImage, RandomSource } from '@cnn/data';
import type { Interpolation } from './functional-geometry.js';
import { rotate, type RotationFillMode } from './functional-rotate.js';
import { checkImage } from './image.js';
import { checkChoice, checkFill, checkNumber, checkRange } from './options.js';
import { uniform } from './sampling.js';
import { Transform, type TransformConfig } from './transform-base.js';

/** Options of {@link RandomRotation}. */
export interface RandomRotationOptions {
  /** Angle range in degrees, counter-clockwise: `d` means `[-d, d]` (d >= 0), or `[min, max]`. */
  degrees: number | [number, number];
  /** `'nearest'` (default, as torchvision) or `'bilinear'`. */
  interpolation?: Interpolation;
  /** Enlarge the output to hold the whole rotated image; default `false`. */
  expand?: boolean;
  /** Centre `[x, y]` in pixels from the top-left corner; default the image centre. */
  center?: [number, number];
  /** Value outside the source in `'constant'` mode, one value or one per channel (image units); default 0. */
  fill?: number | number[];
  /** `'constant'` (default), `'wrap'` (seed 002's `rotate(mode='wrap')`), `'reflect'` or `'nearest'`. */
  fillMode?: RotationFillMode;
}

/** `transforms.RandomRotation`: rotates by an angle drawn uniformly from `degrees`; see {@link rotate} for the arithmetic. */
export class RandomRotation extends Transform {
  readonly degrees: [number, number];
  readonly interpolation: Interpolation;
  readonly expand: boolean;
  readonly center: [number, number] | undefined;
  readonly fill: number | number[];
  readonly fillMode: RotationFillMode;

  constructor(options: RandomRotationOptions) {
    super();
    const { degrees, interpolation = 'nearest', expand = false, center, fill = 0, fillMode = 'constant' } = options ?? ({} as RandomRotationOptions);
    this.degrees =
      typeof degrees === 'number'
        ? [-checkNumber('RandomRotation', 'degrees', degrees, 0), degrees]
        : checkRange('RandomRotation', 'degrees', degrees);
    this.interpolation = checkChoice('RandomRotation', 'interpolation', interpolation, ['nearest', 'bilinear']);
    this.expand = Boolean(expand);
    if (center !== undefined && (!Array.isArray(center) || center.length !== 2 || !center.every((v) => Number.isFinite(v)))) {
      throw new RangeError(`RandomRotation: center must be [x, y] in pixels, got ${JSON.stringify(center)}`);
    }
    this.center = center === undefined ? undefined : [center[0], center[1]];
    this.fill = checkFill('RandomRotation', 'fill', fill);
    this.fillMode = checkChoice('RandomRotation', 'fillMode', fillMode, ['constant', 'wrap', 'reflect', 'nearest']);
  }

  /** The angle in degrees, `U(degrees[0], degrees[1])`. */
  sampleParameters(random: RandomSource): number {
    return uniform(random, this.degrees[0], this.degrees[1]);
  }

  override apply(image: AnyImage, random: RandomSource): AnyImage {
    checkImage(image, 'RandomRotation');
    const angle = this.sampleParameters(random);
    return rotate(image, angle, {
      interpolation: this.interpolation,
      expand: this.expand,
      ...(this.center ? { center: this.center } : {}),
      fill: this.fill,
      fillMode: this.fillMode,
    });
  }

  override toConfig(): TransformConfig {
    return {
      name: 'RandomRotation',
      degrees: this.degrees,
      interpolation: this.interpolation,
      expand: this.expand,
      center: this.center,
      fill: this.fill,
      fillMode: this.fillMode,
    };
  }
}

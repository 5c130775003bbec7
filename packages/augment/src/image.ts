/**
 * Helpers on single images (`Image` bytes or {@link FloatImage} floats, channels last), shared by the transforms.
 */
import type { AnyImage, FloatImage } from '@cnn/data';

/** The pixel array of either kind of image. */
export type PixelArray = Uint8Array | Float32Array;

/** True for a float image (`Float32Array` data). */
export function isFloatImage(image: AnyImage): image is FloatImage {
  return image.data instanceof Float32Array;
}

/** Throws a clear error unless `image` is a well-formed {@link Image} or {@link FloatImage}. */
export function checkImage(image: AnyImage, who: string): void {
  if (image === null || typeof image !== 'object' || !(image.data instanceof Uint8Array || image.data instanceof Float32Array)) {
    throw new TypeError(`${who}: expected an image { data: Uint8Array | Float32Array, height, width, channels }, got ${String(image)}`);
  }
  const { height, width, channels, data } = image;
  if (![height, width, channels].every((v) => Number.isSafeInteger(v) && v > 0) || data.length !== height * width * channels) {
    throw new RangeError(
      `${who}: image of ${height}x${width}x${channels} must have positive integer sizes and ${height}*${width}*${channels} values, got ${data.length}`,
    );
  }
}

/** A new image of the same kind as `like` (bytes or floats) with the given size, filled with zeros. */
export function emptyLike(like: AnyImage, height: number, width: number, channels = like.channels): AnyImage {
  const size = height * width * channels;
  const data = isFloatImage(like) ? new Float32Array(size) : new Uint8Array(size);
  return { data, height, width, channels } as AnyImage;
}

/** Rounds half away from zero (C's `round`) and clamps to 0..255. */
export function clampByte(value: number): number {
  return value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
}

/**
 * A per-channel fill value list of length `channels` from a number or a list (one value, or one per channel).
 *
 * @param who The caller's name for the error message.
 */
export function fillPerChannel(fill: number | readonly number[], channels: number, who: string): number[] {
  const values = typeof fill === 'number' ? [fill] : [...fill];
  if (values.length === 1) return Array.from({ length: channels }, () => values[0] as number);
  if (values.length !== channels) {
    throw new RangeError(`${who}: fill ${JSON.stringify(fill)} has ${values.length} values but the image has ${channels} channel(s)`);
  }
  return values;
}

/** The greyscale of an RGB byte pixel as PIL's `convert('L')` computes it: `(r*19595 + g*38470 + b*7471 + 0x8000) >> 16`. */
export function pilLuma(r: number, g: number, b: number): number {
  return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
}

import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { Image } from './dataset.js';

/** Resampling filters for {@link DecodeImageOptions.resize}, as `sharp` names them. */
export type ResizeKernel = 'nearest' | 'linear' | 'cubic' | 'mitchell' | 'lanczos2' | 'lanczos3';

/** How {@link decodeImage} decodes an image. */
export interface DecodeImageOptions {
  /**
   * Colour of the result: `'rgb'` (default) gives 3 channels whatever the file holds (greyscale, palette, CMYK and
   * alpha images become RGB; alpha is dropped, not composited, like PIL's `convert('RGB')`); `'greyscale'` gives 1
   * channel, computed from RGB with PIL's `convert('L')` weights (ITU-R 601-2: `0.299 R + 0.587 G + 0.114 B`).
   */
  mode?: 'rgb' | 'greyscale';
  /**
   * Resize while decoding: a number sets the shorter side to that many pixels keeping the aspect ratio (like
   * torchvision's `Resize(int)`, the longer side rounded down); `{ width, height }` sets both. Default none (original size).
   */
  resize?: number | { width: number; height: number };
  /** Filter used by `resize`; default `'linear'` (bilinear, antialiased when shrinking, close to PIL's). */
  kernel?: ResizeKernel;
  /**
   * How damaged a file may be before it is refused, as sharp's `failOn`: `'none'` decodes whatever it can (a
   * truncated JPEG comes out grey at the bottom), `'truncated'` refuses truncated files, `'error'` (default) also files
   * the decoder reports errors for (as PIL refuses them), `'warning'` also files with recoverable damage (e.g. a JPEG
   * with a bad Huffman code, which PIL and `'error'` decode with artefacts). Unreadable headers always fail.
   */
  failOn?: 'none' | 'truncated' | 'error' | 'warning';
  /** The name used in errors when `input` is bytes; default `'<buffer>'`. Ignored when `input` is a path. */
  file?: string;
}

/** An image that could not be read or decoded; {@link ImageDecodeError.file} names it. */
export class ImageDecodeError extends Error {
  /** The file (path, or {@link DecodeImageOptions.file} for bytes) that failed. */
  readonly file: string;

  /**
   * @param file The file that failed.
   * @param reason What went wrong, e.g. sharp's message.
   * @param options `cause`: the underlying error.
   */
  constructor(file: string, reason: string, options?: { cause?: unknown }) {
    super(`Cannot decode image ${file}: ${reason}. Replace or remove the file (a loader can be told to skip bad images).`, options);
    this.name = 'ImageDecodeError';
    this.file = file;
  }
}

function checkSide(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`decodeImage: ${name} must be a positive integer, got ${value}.`);
  }
}

/** Output size for a shorter-side resize, as torchvision's `Resize(int)` computes it. */
function shorterSideSize(width: number, height: number, size: number): { width: number; height: number } {
  if (width <= height) return { width: size, height: Math.floor((size * height) / width) };
  return { width: Math.floor((size * width) / height), height: size };
}

/** Explains sharp's messages a little: "unsupported image format" means the bytes are not an image it knows. */
function reasonOf(error: unknown): string {
  const message = (error as Error).message ?? String(error);
  if (/unsupported image format/i.test(message)) return 'not an image in a known format (JPEG, PNG, GIF, WebP, TIFF, AVIF/HEIF, SVG)';
  if (/premature end|end of stream|truncated|unexpected end/i.test(message)) return `the file is truncated (${message})`;
  return `the file is corrupt (${message})`;
}

/**
 * Decodes an image file or its bytes with `sharp` (Node only) into an {@link Image}, channels last, 8 bits per
 * channel. The format is detected from the content, not the file name, so a PNG named `.jpg` decodes. Multi-frame
 * GIF/TIFF files give their first frame; EXIF orientation is not applied (as PIL and torchvision do not).
 *
 * @param input A path, or the file's bytes.
 * @returns An image with 3 channels (`mode: 'rgb'`) or 1 (`mode: 'greyscale'`).
 * @throws ImageDecodeError naming the file when it cannot be read, is not an image, or is corrupt or truncated.
 * @throws RangeError for an invalid `resize`.
 */
export async function decodeImage(input: string | Uint8Array, options: DecodeImageOptions = {}): Promise<Image> {
  const { mode = 'rgb', resize, kernel = 'linear', failOn = 'error' } = options;
  if (mode !== 'rgb' && mode !== 'greyscale') {
    throw new RangeError(`decodeImage: mode must be 'rgb' or 'greyscale', got ${JSON.stringify(mode)}.`);
  }
  if (typeof resize === 'number') checkSide('resize', resize);
  else if (resize !== undefined) {
    checkSide('resize.width', resize.width);
    checkSide('resize.height', resize.height);
  }
  const file = typeof input === 'string' ? input : (options.file ?? '<buffer>');
  let bytes: Uint8Array;
  if (typeof input === 'string') {
    try {
      bytes = await readFile(input);
    } catch (error) {
      throw new ImageDecodeError(file, `cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
    }
  } else {
    bytes = input;
  }
  if (bytes.length === 0) throw new ImageDecodeError(file, 'the file is empty');
  let data: Buffer;
  let info: sharp.OutputInfo;
  try {
    let pipeline = sharp(bytes, { failOn });
    if (resize !== undefined) {
      let target = typeof resize === 'number' ? undefined : resize;
      if (target === undefined) {
        const metadata = await pipeline.metadata();
        target = shorterSideSize(metadata.width, metadata.height, resize as number);
      }
      pipeline = pipeline.resize(target.width, target.height, { fit: 'fill', kernel });
    }
    ({ data, info } = await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true }));
  } catch (error) {
    throw new ImageDecodeError(file, reasonOf(error), { cause: error });
  }
  if (info.channels !== 3 || data.length !== info.width * info.height * 3) {
    throw new ImageDecodeError(file, `sharp returned ${info.channels} channels, ${data.length} bytes for ${info.width}x${info.height}, expected 8-bit RGB`);
  }
  const rgb = new Uint8Array(data.buffer, data.byteOffset, data.length);
  if (mode === 'rgb') return { data: rgb, height: info.height, width: info.width, channels: 3 };
  const grey = new Uint8Array(info.width * info.height);
  for (let i = 0, j = 0; i < grey.length; i++, j += 3) {
    // PIL's ImagingConvert RGB -> L: fixed-point 0.299/0.587/0.114, rounded.
    grey[i] = ((rgb[j] as number) * 19595 + (rgb[j + 1] as number) * 38470 + (rgb[j + 2] as number) * 7471 + 0x8000) >>> 16;
  }
  return { data: grey, height: info.height, width: info.width, channels: 1 };
}

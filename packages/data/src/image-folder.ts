import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { FileImageDataset, type ImageDecoding } from './file-image-dataset.js';

/** File extensions {@link imageFolder} reads by default (lower case; compared case-insensitively): torchvision's, less `.bmp` (sharp cannot decode it), plus `.gif`. */
export const IMAGE_EXTENSIONS: readonly string[] = Object.freeze(['.jpg', '.jpeg', '.png', '.ppm', '.pgm', '.tif', '.tiff', '.webp', '.gif']);

/** Where an image-folder dataset is and how to read it. */
export interface ImageFolderOptions {
  /** The directory holding one folder per class (`root/<class>/**\/<image>`). */
  root: string;
  /** Extensions of the files to read, with the dot, case-insensitive; default {@link IMAGE_EXTENSIONS}. Other files are ignored. */
  extensions?: readonly string[];
  /** How images are decoded (mode, resize, kernel, failOn); default RGB at the original size. */
  decode?: ImageDecoding;
  /** Accept class folders with no image (their class keeps its index but has no sample); default `false`: an error, as in torchvision. */
  allowEmptyClasses?: boolean;
}

/** The error for a directory that cannot be listed, naming it and what to do. */
export function directoryError(path: string, what: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT' ? 'does not exist' : code === 'EACCES' || code === 'EPERM' ? `cannot be read (${code}: permission denied); check its permissions` : code === 'ENOTDIR' ? 'is not a directory' : `cannot be read (${(error as Error).message})`;
  return new Error(`${what} ${path} ${reason}.`, { cause: error });
}

/** Every file under `dir` (following symbolic links), ordered like torchvision's `sorted(os.walk(dir))` with sorted names; hidden names (`.*`) skipped. */
async function walk(dir: string, keep: (name: string) => boolean): Promise<string[]> {
  const pairs: [string, string][] = [];
  const visit = async (path: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(path, { withFileTypes: true });
    } catch (error) {
      throw directoryError(path, 'Image folder', error);
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = join(path, entry.name);
      const isDirectory = entry.isDirectory() || (entry.isSymbolicLink() && (await stat(full).catch(() => undefined))?.isDirectory() === true);
      if (isDirectory) await visit(full);
      else if (keep(entry.name)) pairs.push([path, entry.name]);
    }
  };
  await visit(dir);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([path, name]) => join(path, name));
}

/** The sorted class folders of `root` (following symbolic links), hidden names skipped. */
export async function classFolders(root: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    throw directoryError(root, 'Image folder root', error);
  }
  const folders: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    if (entry.isDirectory() || (entry.isSymbolicLink() && (await stat(join(root, entry.name)).catch(() => undefined))?.isDirectory())) folders.push(entry.name);
  }
  return folders.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Lists the images of each class folder: `files` and their `labels` (index into `folders`).
 *
 * @throws Error naming the folder when it has no image and `allowEmpty` is false, or when it cannot be read.
 */
export async function listClassFolders(
  root: string,
  folders: readonly string[],
  labelOf: (folder: string, index: number) => number,
  options: { extensions?: readonly string[]; allowEmpty?: boolean } = {},
): Promise<{ files: string[]; labels: number[] }> {
  const extensions = new Set((options.extensions ?? IMAGE_EXTENSIONS).map((extension) => extension.toLowerCase()));
  const keep = (name: string) => extensions.has(extname(name).toLowerCase());
  const files: string[] = [];
  const labels: number[] = [];
  for (const [index, folder] of folders.entries()) {
    const found = await walk(join(root, folder), keep);
    if (found.length === 0 && !options.allowEmpty) {
      throw new Error(`Class folder ${join(root, folder)} has no image files (extensions ${[...extensions].join(', ')}). Add images, remove the folder, or pass allowEmptyClasses: true.`);
    }
    for (const file of found) {
      files.push(file);
      labels.push(labelOf(folder, index));
    }
  }
  return { files, labels };
}

/** An image-folder dataset: a {@link FileImageDataset} that also maps class names to indices. */
export class ImageFolderDataset extends FileImageDataset {
  /** The class folder names' indices: `classToIndex[name]` is the label of images in `root/<name>/`. */
  get classToIndex(): Record<string, number> {
    return Object.fromEntries(this.classes.map((name, index) => [name, index]));
  }
}

/**
 * A dataset of images laid out one folder per class, like torchvision's `ImageFolder` (Node only): classes are the
 * sub-folder names of `root` sorted by code point (so `'10'` sorts before `'2'`, as in torchvision), images are
 * found recursively in each class folder, ordered by path, and decoded lazily when a sample is read.
 *
 * @returns A dataset whose `get(index)` resolves to `{ image, label, file }`; `classes`, `classToIndex`, `files` and
 *   `labels` describe it without decoding anything.
 * @throws Error naming the path when `root` does not exist or cannot be read (e.g. EACCES), has no class folder,
 *   or a class folder holds no image.
 */
export async function imageFolder(options: ImageFolderOptions): Promise<ImageFolderDataset> {
  const { root } = options;
  const classes = await classFolders(root);
  if (classes.length === 0) throw new Error(`Image folder root ${root} has no class folders; it must hold one folder of images per class.`);
  const { files, labels } = await listClassFolders(root, classes, (_, index) => index, { extensions: options.extensions, allowEmpty: options.allowEmptyClasses });
  return new ImageFolderDataset({ files, labels, classes, decode: options.decode });
}

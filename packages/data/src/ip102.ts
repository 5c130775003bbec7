import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DownloadProgress } from './download.js';
import { fetchDataset, type DatasetLocation } from './fetch-dataset.js';
import { FileImageDataset, type ImageDecoding } from './file-image-dataset.js';
import { classFolders, listClassFolders } from './image-folder.js';

/** IP102's number of classes. */
export const IP102_CLASS_COUNT = 102;

/** The two ways IP102 is laid out on disk. */
export type Ip102Layout = 'classification' | 'official';

/** Which IP102 split to load and where to find it. */
export interface Ip102Options {
  /** 6:1:3 split of the 75,222 images: `'train'` (45,095), `'val'` (7,508) or `'test'` (22,619). */
  split: 'train' | 'val' | 'test';
  /**
   * The dataset's directory: holding `classification/{train,val,test}/<label>/*.jpg` (the layout seed 000 used), or
   * IP102's official `images/` with `train.txt`, `val.txt`, `test.txt` (`<image> <label>` lines, labels 0..101).
   * `classes.txt` (lines `1 rice leaf roller`, numbered from 1) beside them gives class names. Default unset (use the cache).
   */
  root?: string;
  /** Which layout `root` has; default detected (`classification/` first, then the official lists). */
  layout?: Ip102Layout;
  /** How images are decoded (mode, resize, kernel, failOn); default RGB at the original size. */
  decode?: ImageDecoding;
  /** The cache; the dataset lives in `<cacheDir>/ip102`. Default `defaultCacheDir()`. */
  cacheDir?: string;
  /**
   * Download `url` into the cache when the dataset is not there; default `false`. IP102 is distributed through Google
   * Drive, which has no stable direct URL, so this needs `url` and `md5` of an archive (`.tar`, `.tar.gz`) you host.
   */
  download?: boolean;
  /** URL of an IP102 archive in either layout, for `download`; default none. */
  url?: string;
  /** MD5 of the archive at `url`; required with `url`. */
  md5?: string;
  /** Called as download bytes arrive; default none. */
  onProgress?: (progress: DownloadProgress) => void;
}

/** Paths that make a directory an IP102 copy of `layout` for `split`. */
function requiredFor(layout: Ip102Layout, split: Ip102Options['split']): string[] {
  return layout === 'classification' ? [`classification/${split}`] : ['images', `${split}.txt`];
}

/** Reads `classes.txt` (`<number> <name>` lines from 1, or bare names), or `undefined` when absent. */
async function readClassNames(dir: string): Promise<string[] | undefined> {
  const path = join(dir, 'classes.txt');
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const names: string[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line) continue;
    const match = /^(\d+)\s+(.+)$/.exec(line);
    if (match === null) {
      names.push(line);
      continue;
    }
    const number = Number(match[1]);
    if (number !== names.length + 1) throw new Error(`${path} line ${i + 1}: class number ${number}, expected ${names.length + 1}; lines must be numbered 1, 2, ... in order.`);
    names.push((match[2] as string).trim());
  }
  return names;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function locate(options: Ip102Options): Promise<{ location: DatasetLocation; layout: Ip102Layout }> {
  const { split, layout } = options;
  const layouts: Ip102Layout[] = layout ? [layout] : ['classification', 'official'];
  const base = { cacheSubdir: 'ip102', root: options.root, cacheDir: options.cacheDir, archives: [] };
  const howToGet = 'download IP102 (https://github.com/xpwu95/IP102, Google Drive or Kaggle) and pass root, or pass download: true with url and md5 of an archive you host';
  const errors: string[] = [];
  for (const candidate of layouts) {
    try {
      const location = await fetchDataset({ ...base, name: `IP102 ${split} split (${candidate} layout)`, required: requiredFor(candidate, split), download: false, howToGet });
      return { location, layout: candidate };
    } catch (error) {
      errors.push((error as Error).message);
    }
  }
  if (options.root !== undefined || !options.download) throw new Error(errors.join(' Also: '));
  if (options.url === undefined || options.md5 === undefined) {
    throw new Error(`${errors.join(' Also: ')} Cannot download: IP102 is distributed through Google Drive, which has no stable direct download URL. Download it yourself and pass root, or pass url and md5 of an archive you host.`);
  }
  const archives = [{ url: options.url, md5: options.md5 }];
  const errorsAfter: string[] = [];
  for (const [i, candidate] of layouts.entries()) {
    try {
      // The first attempt downloads and extracts; later ones only look at what it extracted.
      const location = await fetchDataset({ ...base, name: `IP102 ${split} split (${candidate} layout)`, required: requiredFor(candidate, split), download: i === 0, archives, onProgress: options.onProgress, howToGet });
      return { location, layout: candidate };
    } catch (error) {
      errorsAfter.push((error as Error).message);
    }
  }
  throw new Error(errorsAfter.join(' Also: '));
}

/**
 * Loads one split of IP102, the insect-pest dataset of seed 000 (Node only): 102 imbalanced classes, images decoded
 * lazily. In the `classification` layout the label is the class folder's number (`classification/train/17/` holds
 * label 17), not its rank in sorted order as `imageFolder` would give; in the official layout it is the list's label.
 *
 * @returns A dataset whose `get(index)` resolves to `{ image, label, file }`, with `classes` from `classes.txt`
 *   (else the numbers `'0'..'101'`), `files`, `labels` and `classCounts()`.
 * @throws Error naming the path when the split cannot be found (and cannot be downloaded: see `download`), a class
 *   folder is not a number or is empty, a list line is malformed, or a label has no class.
 */
export async function ip102(options: Ip102Options): Promise<FileImageDataset> {
  const { split } = options;
  if (!['train', 'val', 'test'].includes(split)) throw new Error(`Unknown IP102 split ${JSON.stringify(split)}; use 'train', 'val' or 'test'.`);
  const { location, layout } = await locate(options);
  const dir = location.dir;
  const names = await readClassNames(dir);
  let files: string[];
  let labels: number[];
  if (layout === 'classification') {
    const splitDir = join(dir, 'classification', split);
    const folders = await classFolders(splitDir);
    const bad = folders.find((folder) => !/^\d+$/.test(folder));
    if (bad !== undefined) {
      throw new Error(`IP102 class folder ${join(splitDir, bad)} is not named by a class number (0..101). For folders named otherwise use imageFolder().`);
    }
    ({ files, labels } = await listClassFolders(splitDir, folders, (folder) => Number(folder)));
  } else {
    const listPath = join(dir, `${split}.txt`);
    const text = await readFile(listPath, 'utf8');
    files = [];
    labels = [];
    for (const [i, raw] of text.split(/\r?\n/).entries()) {
      const line = raw.trim();
      if (!line) continue;
      const match = /^(\S+)\s+(\d+)$/.exec(line);
      if (match === null) throw new Error(`${listPath} line ${i + 1} is ${JSON.stringify(line)}; expected "<image> <label>", e.g. "00002.jpg 0".`);
      files.push(join(dir, 'images', match[1] as string));
      labels.push(Number(match[2]));
    }
    if (files.length > 0 && !(await exists(files[0] as string))) {
      throw new Error(`IP102 image ${files[0]} (first line of ${listPath}) does not exist; images must be in ${join(dir, 'images')}.`);
    }
  }
  const largest = labels.reduce((max, label) => Math.max(max, label), -1);
  let classes: string[];
  if (names !== undefined) {
    if (largest >= names.length) {
      const at = labels.indexOf(largest);
      throw new Error(`IP102 ${files[at]} has label ${largest}, but ${join(dir, 'classes.txt')} names only ${names.length} classes (labels 0..${names.length - 1}).`);
    }
    classes = names;
  } else {
    classes = Array.from({ length: Math.max(IP102_CLASS_COUNT, largest + 1) }, (_, i) => String(i));
  }
  return new FileImageDataset({ files, labels, classes, decode: options.decode });
}

import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultCacheDir } from './cache-dir.js';
import { downloadFile, type DownloadProgress } from './download.js';
import {
  FASHION_MNIST_FILES,
  FASHION_MNIST_MIRROR,
  FASHION_MNIST_SYSTEM_DIR,
  type FashionMnistFile,
  type FashionMnistSplit,
} from './fashion-mnist-files.js';

/** Where to look for Fashion-MNIST and whether to download it. */
export interface LocateFashionMnistOptions {
  /** Which split's files to find. */
  split: FashionMnistSplit;
  /** A directory that must hold the files; when set, nothing else is searched and nothing downloaded. Default unset. */
  root?: string;
  /** The cache; files live in `<cacheDir>/fashion-mnist`. Default {@link defaultCacheDir}(). */
  cacheDir?: string;
  /** Download into the cache when no copy is found; default `true`. */
  download?: boolean;
  /** System-wide directories searched after the cache; default `['/usr/share/datasets/fashion-mnist']` (Debian). Pass `[]` to skip them. */
  systemPaths?: readonly string[];
  /** More directories searched after `systemPaths`; default `[]`. */
  searchPaths?: readonly string[];
  /** Base URL to download `<name>.gz` files from; default the official Zalando bucket, {@link FASHION_MNIST_MIRROR}. */
  mirror?: string;
  /**
   * Expected MD5 (lowercase hex) of downloaded files by file name, e.g.
   * `{ 't10k-labels-idx1-ubyte.gz': '…' }`, merged over the official digests. For mirrors
   * that serve other bytes, and for tests. Default `{}`.
   */
  checksums?: Readonly<Record<string, string>>;
  /** Called as download bytes arrive; default none. */
  onProgress?: (progress: DownloadProgress) => void;
}

/** Where a split's files were found. */
export interface FashionMnistLocation {
  /** The directory holding both files. */
  dir: string;
  /** How they were found: in `root`, the cache, a `systemPaths` directory, a `searchPaths` directory, or just downloaded into the cache. */
  source: 'root' | 'cache' | 'system' | 'searchPath' | 'download';
  /** Full paths of the image and label files (`.gz` or uncompressed). */
  files: { images: string; labels: string };
}

const HOW_TO_GET = "install Debian's dataset-fashion-mnist, pass root/--data, or allow download";

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** The path of `file` in `dir`, gzipped or not, or `undefined` when neither exists. */
async function findFile(dir: string, file: FashionMnistFile): Promise<string | undefined> {
  for (const name of [`${file.name}.gz`, file.name]) {
    if (await exists(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

async function findSplit(dir: string, split: FashionMnistSplit): Promise<{ images?: string; labels?: string }> {
  const { images, labels } = FASHION_MNIST_FILES[split];
  return { images: await findFile(dir, images), labels: await findFile(dir, labels) };
}

/**
 * Finds (and if need be downloads) the files of one Fashion-MNIST split (Node only).
 *
 * Lookup order: `root` alone when given (missing files there are an error); otherwise
 * `<cacheDir>/fashion-mnist`, then each of `systemPaths` (Debian's
 * `/usr/share/datasets/fashion-mnist`), then each of `searchPaths`, then a download from
 * `mirror` into `<cacheDir>/fashion-mnist`, verified against the published MD5s.
 * In each directory both `<name>.gz` and the uncompressed `<name>` are accepted; the
 * image and label files must be in the same directory.
 *
 * @throws Error naming `root` and the missing files when `root` lacks them; otherwise,
 *   when no copy is found and download is off or fails, one error listing every directory
 *   looked in, the download failure if any, and how to get the data.
 */
export async function locateFashionMnist(options: LocateFashionMnistOptions): Promise<FashionMnistLocation> {
  const { split, root, download = true, systemPaths = [FASHION_MNIST_SYSTEM_DIR], searchPaths = [] } = options;
  const wanted = FASHION_MNIST_FILES[split];
  if (wanted === undefined) {
    throw new Error(`Unknown Fashion-MNIST split ${JSON.stringify(split)}; use 'train' or 'test'.`);
  }
  const names = `${wanted.images.name}[.gz] and ${wanted.labels.name}[.gz]`;
  if (root !== undefined) {
    const found = await findSplit(root, split);
    if (found.images && found.labels) return { dir: root, source: 'root', files: { images: found.images, labels: found.labels } };
    const missing = [found.images ? undefined : wanted.images.name, found.labels ? undefined : wanted.labels.name].filter(Boolean);
    const state = (await exists(root)) ? `is missing ${missing.map((name) => `${name}[.gz]`).join(' and ')}` : 'does not exist';
    throw new Error(`Fashion-MNIST ${split} split not found: root ${root} ${state}. Check the path given as root/--data, or leave it unset to search the cache, ${FASHION_MNIST_SYSTEM_DIR} and download.`);
  }

  const cache = join(options.cacheDir ?? defaultCacheDir(), 'fashion-mnist');
  const candidates: { dir: string; source: FashionMnistLocation['source'] }[] = [
    { dir: cache, source: 'cache' },
    ...systemPaths.map((dir) => ({ dir, source: 'system' as const })),
    ...searchPaths.map((dir) => ({ dir, source: 'searchPath' as const })),
  ];
  for (const { dir, source } of candidates) {
    const found = await findSplit(dir, split);
    if (found.images && found.labels) return { dir, source, files: { images: found.images, labels: found.labels } };
  }

  const lookedIn = `looked in ${candidates.map((c) => c.dir).join(', ')} for ${names}`;
  if (!download) {
    throw new Error(`Fashion-MNIST ${split} split not found: ${lookedIn}, and download is off. To get the data: ${HOW_TO_GET}.`);
  }
  const mirror = options.mirror ?? FASHION_MNIST_MIRROR;
  try {
    return { dir: cache, source: 'download', files: await downloadSplit(split, cache, mirror, options) };
  } catch (error) {
    throw new Error(`Fashion-MNIST ${split} split not found: ${lookedIn}, and could not download it: ${(error as Error).message} To get the data: ${HOW_TO_GET}.`, { cause: error });
  }
}

/** Downloads the split's missing `.gz` files into `dir`, keeping any already there. */
async function downloadSplit(split: FashionMnistSplit, dir: string, mirror: string, options: LocateFashionMnistOptions): Promise<{ images: string; labels: string }> {
  let base: URL;
  try {
    base = new URL(mirror.endsWith('/') ? mirror : `${mirror}/`);
  } catch {
    throw new Error(`mirror ${JSON.stringify(mirror)} is not a valid URL; pass a base URL such as ${FASHION_MNIST_MIRROR}.`);
  }
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const file of [FASHION_MNIST_FILES[split].images, FASHION_MNIST_FILES[split].labels]) {
    const existing = await findFile(dir, file);
    if (existing !== undefined) {
      paths.push(existing);
      continue;
    }
    const name = `${file.name}.gz`;
    const destination = join(dir, name);
    const md5 = options.checksums?.[name] ?? file.gzipMd5;
    await downloadFile({ url: new URL(name, base).href, destination, md5, onProgress: options.onProgress });
    paths.push(destination);
  }
  return { images: paths[0] as string, labels: paths[1] as string };
}

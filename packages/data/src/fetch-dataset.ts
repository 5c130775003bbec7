import { access, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { extractArchive } from './archive.js';
import { defaultCacheDir } from './cache-dir.js';
import { downloadFile, type DownloadProgress } from './download.js';

/** One archive a dataset is distributed as. */
export interface DatasetArchive {
  /** Where to download it from (http or https). */
  url: string;
  /** Its expected MD5, lowercase hex; `undefined` skips the check (only for user-supplied URLs). */
  md5: string | undefined;
  /** File name to save it as in the cache; default the last segment of `url`'s path. */
  file?: string;
}

/** Where to look for a dataset and how to get it. */
export interface FetchDatasetOptions {
  /** The dataset's name in messages, e.g. `'CIFAR-10'`. */
  name: string;
  /** Its subdirectory of the cache, e.g. `'cifar-10'`. */
  cacheSubdir: string;
  /** Paths, relative to the dataset's root, that must all exist for a copy to count as found, e.g. `['cifar-10-batches-bin/test_batch.bin']`. */
  required: readonly string[];
  /** The dataset's root as its authors distribute it once extracted; when set, only it is searched and nothing is downloaded. Default unset. */
  root?: string;
  /** The cache directory; the dataset lives in `<cacheDir>/<cacheSubdir>`. Default {@link defaultCacheDir}(). */
  cacheDir?: string;
  /** Download and extract `archives` into the cache when no copy is found; default `false`. */
  download?: boolean;
  /** The archives to download and extract, in order. */
  archives: readonly DatasetArchive[];
  /** Why the dataset cannot be downloaded, when it cannot (`download: true` then fails with this reason); default unset. */
  downloadRefusal?: string;
  /** How to get the data, appended to "not found" errors; default "pass root, or allow download". */
  howToGet?: string;
  /** Keep the downloaded archives in the cache after extracting them; default `false` (deleted). */
  keepArchives?: boolean;
  /** Called as download bytes arrive; default none. */
  onProgress?: (progress: DownloadProgress) => void;
}

/** Where a dataset was found. */
export interface DatasetLocation {
  /** The dataset's root: the directory holding every `required` path. */
  dir: string;
  /** How it was found: the given `root`, the cache, or just downloaded into the cache. */
  source: 'root' | 'cache' | 'download';
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function missingIn(dir: string, required: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const path of required) if (!(await exists(join(dir, path)))) missing.push(path);
  return missing;
}

/** `dir` when it holds every required path, else its only subdirectory that does (archives often wrap the dataset in one folder). */
async function findRoot(dir: string, required: readonly string[]): Promise<string | undefined> {
  if ((await missingIn(dir, required)).length === 0) return dir;
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const entry of entries) {
    if (entry.isDirectory() && !entry.name.startsWith('.') && (await missingIn(join(dir, entry.name), required)).length === 0) found.push(join(dir, entry.name));
  }
  return found.length === 1 ? found[0] : undefined;
}

function archiveName(archive: DatasetArchive): string {
  if (archive.file !== undefined) return archive.file;
  let url: URL;
  try {
    url = new URL(archive.url);
  } catch {
    throw new Error(`${JSON.stringify(archive.url)} is not a valid URL; pass an http(s) URL of the archive.`);
  }
  const name = url.pathname.split('/').filter(Boolean).at(-1);
  if (name === undefined) throw new Error(`Cannot tell the archive's file name from ${archive.url}; pass one as file.`);
  return name;
}

/**
 * Finds a dataset on disk, or downloads and extracts it into the cache (Node only). The generic part of `cifar10`,
 * `ip102` and `oxfordPets`.
 *
 * Lookup: `root` alone when given (missing files there are an error naming them); otherwise
 * `<cacheDir>/<cacheSubdir>` (or its only subdirectory holding the files); otherwise, with `download: true`, each of
 * `archives` is downloaded into that directory with its MD5 verified (see {@link downloadFile}), extracted safely
 * (see {@link extractArchive}) and deleted.
 *
 * @throws Error naming `root` and the missing paths; or, when nothing is found and download is off or fails, one
 *   error listing where it looked, what it looked for, the download failure if any, and how to get the data.
 */
export async function fetchDataset(options: FetchDatasetOptions): Promise<DatasetLocation> {
  const { name, required, root, download = false, howToGet = 'pass root, or allow download' } = options;
  const wanted = required.join(', ');
  if (root !== undefined) {
    const dir = await findRoot(root, required);
    if (dir !== undefined) return { dir, source: 'root' };
    const state = (await exists(root)) ? `is missing ${(await missingIn(root, required)).join(', ')}` : 'does not exist';
    throw new Error(`${name} not found: root ${root} ${state}. root must be the directory holding ${wanted} (the dataset as its authors distribute it, extracted); or leave root unset to use the cache and download.`);
  }
  const cache = join(options.cacheDir ?? defaultCacheDir(), options.cacheSubdir);
  const cached = await findRoot(cache, required);
  if (cached !== undefined) return { dir: cached, source: 'cache' };
  const lookedIn = `looked in ${cache} for ${wanted}`;
  if (!download) throw new Error(`${name} not found: ${lookedIn}, and download is off. To get the data: ${howToGet}.`);
  if (options.downloadRefusal !== undefined) throw new Error(`${name} not found: ${lookedIn}, and cannot download it: ${options.downloadRefusal}`);
  try {
    await mkdir(cache, { recursive: true });
    for (const archive of options.archives) {
      const path = join(cache, archiveName(archive));
      if (!(await exists(path))) await downloadFile({ url: archive.url, destination: path, md5: archive.md5, onProgress: options.onProgress });
      // The cache copy is incomplete (or we would not be here): what the archive holds replaces it.
      await extractArchive({ file: path, destination: cache, replace: true });
      if (!options.keepArchives) await rm(path, { force: true });
    }
  } catch (error) {
    throw new Error(`${name} not found: ${lookedIn}, and could not download it: ${(error as Error).message} To get the data: ${howToGet}.`, { cause: error });
  }
  const downloaded = await findRoot(cache, required);
  if (downloaded === undefined) {
    throw new Error(`${name}: the downloaded archives (${options.archives.map((a) => a.url).join(', ')}) did not contain ${(await missingIn(cache, required)).join(', ')} in ${cache}. Check the URLs; delete ${cache} and retry.`);
  }
  return { dir: downloaded, source: 'download' };
}

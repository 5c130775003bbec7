import { createHash, randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Progress of one file download, reported after each received chunk. */
export interface DownloadProgress {
  /** The file being downloaded, e.g. `'t10k-labels-idx1-ubyte.gz'`. */
  file: string;
  /** Where it comes from. */
  url: string;
  /** Bytes received so far. */
  receivedBytes: number;
  /** The response's `Content-Length`, or `undefined` when the server did not send one. */
  totalBytes: number | undefined;
}

/** What {@link downloadFile} fetches, where to, and how to check it. */
export interface DownloadFileOptions {
  /** The http(s) URL to fetch. */
  url: string;
  /** The final path of the file; its directory must exist. */
  destination: string;
  /** Expected MD5 of the downloaded bytes, lowercase hex; `undefined` skips the check. */
  md5: string | undefined;
  /** Called after each received chunk; default none. */
  onProgress?: (progress: DownloadProgress) => void;
}

/**
 * Downloads `url` to `destination` atomically (Node only): the bytes go to a temporary
 * file in the same directory, are checked against `md5`, and only then renamed into
 * place, so `destination` is either absent or complete. On any failure the temporary
 * file is deleted.
 *
 * @throws Error naming the URL and HTTP status when the server refuses, or naming the
 *   file, expected and actual digests when the checksum does not match.
 */
export async function downloadFile(options: DownloadFileOptions): Promise<void> {
  const { url, destination, md5, onProgress } = options;
  const file = basename(destination);
  const response = await fetch(url).catch((error: unknown) => {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    throw new Error(`Downloading ${url} failed: ${(error as Error).message}${cause ? ` (${cause})` : ''}.`, { cause: error });
  });
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    throw new Error(`Downloading ${url} failed: HTTP ${response.status} ${response.statusText}.`);
  }
  const length = response.headers.get('content-length');
  const totalBytes = length === null ? undefined : Number(length);
  const temporary = join(dirname(destination), `.${file}.${randomBytes(6).toString('hex')}.part`);
  const hash = createHash('md5');
  const handle = await open(temporary, 'wx');
  try {
    const reader = response.body.getReader();
    let receivedBytes = 0;
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      hash.update(chunk.value);
      await handle.write(chunk.value);
      receivedBytes += chunk.value.length;
      onProgress?.({ file, url, receivedBytes, totalBytes });
    }
    await handle.close();
    const actual = hash.digest('hex');
    if (md5 !== undefined && actual !== md5.toLowerCase()) {
      throw new Error(`Checksum mismatch for ${file} from ${url}: expected MD5 ${md5}, got ${actual}. The download was deleted; retry, or check the mirror and checksums options.`);
    }
    await rename(temporary, destination);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
}

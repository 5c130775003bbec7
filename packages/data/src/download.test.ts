import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeSplitFiles } from './__fixtures__/idx.js';
import type { DownloadProgress } from './download.js';
import { fashionMnist } from './fashion-mnist.js';

const files = fakeSplitFiles('test', 20);
const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');
const checksums = Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, md5(bytes)]));

let server: Server;
let mirror: string;
let tmp: string;
const requests: string[] = [];

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cnn-data-download-'));
  server = createServer((request, response) => {
    requests.push(request.url ?? '');
    const body = files[(request.url ?? '').replace(/^\/mirror\//, '')];
    if (body === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('no such file');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mirror`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(tmp, { recursive: true, force: true });
});
beforeEach(() => {
  requests.length = 0;
});

/** Options that only the local server can satisfy. */
const options = (name: string) => ({ split: 'test' as const, cacheDir: join(tmp, name), systemPaths: [], mirror, checksums });

describe('fashionMnist download', () => {
  it('downloads into the cache once, verified, then reads the cache', async () => {
    const progress: DownloadProgress[] = [];
    const first = await fashionMnist({ ...options('once'), onProgress: (p) => progress.push(p) });
    expect(first.size).toBe(20);
    expect(requests).toEqual(['/mirror/t10k-images-idx3-ubyte.gz', '/mirror/t10k-labels-idx1-ubyte.gz']);
    const cache = join(tmp, 'once', 'fashion-mnist');
    expect((await readdir(cache)).sort()).toEqual(['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']);
    expect(md5(await readFile(join(cache, 't10k-labels-idx1-ubyte.gz')))).toBe(checksums['t10k-labels-idx1-ubyte.gz']);
    const last = progress.at(-1);
    expect(last).toMatchObject({ file: 't10k-labels-idx1-ubyte.gz', url: `${mirror}/t10k-labels-idx1-ubyte.gz` });
    expect(last?.receivedBytes).toBe(last?.totalBytes);

    requests.length = 0;
    const second = await fashionMnist(options('once'));
    expect(second.size).toBe(20);
    expect(requests).toEqual([]);
  });

  it('deletes a download whose checksum does not match and says which digests differ', async () => {
    const wrong = { ...checksums, 't10k-images-idx3-ubyte.gz': '0123456789abcdef0123456789abcdef' };
    const error = await fashionMnist({ ...options('mismatch'), checksums: wrong }).catch((e: Error) => e);
    expect((error as Error).message).toContain(
      `Checksum mismatch for t10k-images-idx3-ubyte.gz from ${mirror}/t10k-images-idx3-ubyte.gz: expected MD5 0123456789abcdef0123456789abcdef, got ${checksums['t10k-images-idx3-ubyte.gz']}.`,
    );
    expect((error as Error).message).toContain("To get the data: install Debian's dataset-fashion-mnist, pass root/--data, or allow download.");
    expect(await readdir(join(tmp, 'mismatch', 'fashion-mnist'))).toEqual([]);
  });

  it('uses the official checksums by default, so a mirror serving other bytes is refused', async () => {
    const { checksums: _, ...official } = options('official');
    await expect(fashionMnist(official)).rejects.toThrow(/expected MD5 bef4ecab320f06d8554ea6380940ec79, got [0-9a-f]{32}/);
  });

  it('reports an HTTP error with the URL and status, and where it looked', async () => {
    const error = await fashionMnist({ ...options('missing'), mirror: `${mirror}/nothing-here/` }).catch((e: Error) => e);
    expect((error as Error).message).toBe(
      `Fashion-MNIST test split not found: looked in ${join(tmp, 'missing', 'fashion-mnist')} for t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz], ` +
        `and could not download it: Downloading ${mirror}/nothing-here/t10k-images-idx3-ubyte.gz failed: HTTP 404 Not Found. ` +
        `To get the data: install Debian's dataset-fashion-mnist, pass root/--data, or allow download.`,
    );
    expect(await readdir(join(tmp, 'missing', 'fashion-mnist'))).toEqual([]);
  });

  it('reports an unreachable server', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(fashionMnist({ ...options('refused'), mirror: `http://127.0.0.1:${port}/` })).rejects.toThrow(
      new RegExp(`Downloading http://127\\.0\\.0\\.1:${port}/t10k-images-idx3-ubyte\\.gz failed: fetch failed \\(.*ECONNREFUSED.*\\)`),
    );
  });

  it('does not download when download is false', async () => {
    await expect(fashionMnist({ ...options('off'), download: false })).rejects.toThrow(/and download is off/);
    expect(requests).toEqual([]);
  });
});

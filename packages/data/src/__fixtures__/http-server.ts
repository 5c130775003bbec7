import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';

/** A local HTTP server on 127.0.0.1 serving the files under a directory, for download tests. */
export interface FixtureServer {
  /** Base URL, ending with `/`. */
  url: string;
  /** Paths requested so far. */
  requests: string[];
  close(): Promise<void>;
}

/** Serves `root` on a free port of 127.0.0.1; unknown paths get 404. */
export async function serveDirectory(root: string): Promise<FixtureServer> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    requests.push(path);
    const file = join(root, normalize(path).replace(/^(\.\.[/\\])+/, ''));
    readFile(file).then(
      (body) => response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body),
      () => response.writeHead(404, { 'content-type': 'text/plain' }).end('no such file'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

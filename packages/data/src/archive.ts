import { createReadStream } from 'node:fs';
import { link, lstat, mkdir, open, readdir, rename, rm, symlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';

/** What {@link extractArchive} extracts and where to. */
export interface ExtractArchiveOptions {
  /** A `.tar`, `.tar.gz` or `.tgz` file; gzip is detected from the content, not the name. */
  file: string;
  /** The directory that receives the archive's top-level entries; created if missing. */
  destination: string;
  /**
   * What to do when a top-level entry already exists in `destination`: `false` (default) fails naming it; `true`
   * replaces it (the old one is deleted only once the new one is in place). Default `false`.
   */
  replace?: boolean;
}

/** An archive entry that would write outside the destination, or that cannot be extracted. */
export class UnsafeArchiveError extends Error {
  /** The archive file. */
  readonly file: string;
  /** The offending entry's name, as stored in the archive. */
  readonly entry: string;

  /**
   * @param file The archive file.
   * @param entry The offending entry's name.
   * @param reason Why it is refused.
   */
  constructor(file: string, entry: string, reason: string) {
    super(`Refusing to extract ${file}: entry ${JSON.stringify(entry)} ${reason}. The archive is damaged or malicious; nothing was extracted. Delete it and download it again from the official source.`);
    this.name = 'UnsafeArchiveError';
    this.file = file;
    this.entry = entry;
  }
}

/** Whether `path` (absolute) is `root` or inside it. */
function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** True when the file starts with gzip's magic bytes `1f 8b`. */
async function startsWithGzipMagic(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/**
 * Extracts a tar archive, gzipped or not (Node only), refusing every entry that could write outside `destination`:
 * absolute names, names with `..` that climb out, and symbolic or hard links whose target lies outside. Regular
 * files, directories and links are extracted (links last, so no file is ever written through one); device files and
 * FIFOs are skipped.
 *
 * Entries go to a temporary directory beside `destination` first; only when the whole archive has been extracted
 * is each top-level entry renamed into `destination`, so a failed or interrupted extraction leaves no partial tree
 * under its final name.
 *
 * @returns The names of the top-level entries now in `destination`, sorted.
 * @throws UnsafeArchiveError naming the archive and the entry for an entry that escapes the destination.
 * @throws Error naming the archive when it is not a valid tar (e.g. truncated), or naming the path when a top-level
 *   entry already exists in `destination` and `replace` is off.
 */
export async function extractArchive(options: ExtractArchiveOptions): Promise<string[]> {
  const file = resolve(options.file);
  const destination = resolve(options.destination);
  await mkdir(destination, { recursive: true });
  const temporary = join(dirname(destination), `.${basename(destination)}.extract-${randomBytes(6).toString('hex')}`);
  await mkdir(temporary);
  try {
    await extractInto(file, temporary);
    const entries = (await readdir(temporary)).sort();
    const replaced: string[] = [];
    for (const entry of entries) {
      const target = join(destination, entry);
      if ((await lstat(target).catch(() => undefined)) === undefined) continue;
      if (!options.replace) {
        throw new Error(`Cannot extract ${file} into ${destination}: ${target} already exists. Delete it (or choose another destination) and retry.`);
      }
      replaced.push(entry);
    }
    const old = `${temporary}.old`;
    if (replaced.length > 0) await mkdir(old);
    try {
      for (const entry of entries) {
        if (replaced.includes(entry)) await rename(join(destination, entry), join(old, entry));
        await rename(join(temporary, entry), join(destination, entry));
      }
    } finally {
      if (replaced.length > 0) await rm(old, { recursive: true, force: true });
    }
    return entries;
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}

/** A link to create once every regular file is in place. */
interface PendingLink {
  kind: 'symlink' | 'link';
  path: string;
  target: string;
}

async function extractInto(file: string, root: string): Promise<void> {
  const gzipped = await startsWithGzipMagic(file);
  const extract = tar.extract();
  const links: PendingLink[] = [];
  const consume = (async () => {
    for await (const entry of extract) {
      const { header } = entry;
      const name = header.name;
      if (isAbsolute(name) || /^[A-Za-z]:[\\/]/.test(name) || name.startsWith('\\')) {
        throw new UnsafeArchiveError(file, name, 'has an absolute path');
      }
      const path = resolve(root, name);
      if (!isInside(root, path) || name.split(/[\\/]/).includes('..')) {
        throw new UnsafeArchiveError(file, name, 'climbs out of the destination with ".."');
      }
      if (path === root) {
        entry.resume();
        continue;
      }
      switch (header.type) {
        case 'directory':
          await mkdir(path, { recursive: true });
          break;
        case 'file':
        case 'contiguous-file':
        case undefined:
        case null: {
          await mkdir(dirname(path), { recursive: true });
          const handle = await open(path, 'wx', header.mode !== undefined && header.mode & 0o111 ? 0o755 : 0o644);
          try {
            for await (const chunk of entry) await handle.write(chunk as Buffer);
          } finally {
            await handle.close();
          }
          continue;
        }
        case 'symlink': {
          const linkname = header.linkname ?? '';
          if (isAbsolute(linkname) || !isInside(root, resolve(dirname(path), linkname))) {
            throw new UnsafeArchiveError(file, name, `is a symbolic link to ${JSON.stringify(linkname)}, outside the destination`);
          }
          links.push({ kind: 'symlink', path, target: linkname });
          break;
        }
        case 'link': {
          const linkname = header.linkname ?? '';
          const target = resolve(root, linkname);
          if (isAbsolute(linkname) || !isInside(root, target) || linkname.split(/[\\/]/).includes('..')) {
            throw new UnsafeArchiveError(file, name, `is a hard link to ${JSON.stringify(linkname)}, outside the destination`);
          }
          links.push({ kind: 'link', path, target });
          break;
        }
        default:
          break; // devices, FIFOs: skipped
      }
      entry.resume();
    }
  })();
  const source = createReadStream(file);
  const feed = gzipped ? pipeline(source, createGunzip(), extract) : pipeline(source, extract);
  const [fed, consumed] = await Promise.allSettled([feed, consume]);
  const failure = consumed.status === 'rejected' ? consumed.reason : fed.status === 'rejected' ? fed.reason : undefined;
  if (failure !== undefined) {
    source.destroy();
    if (failure instanceof UnsafeArchiveError) throw failure;
    throw new Error(`Cannot extract ${file}: ${(failure as Error).message}. The archive is damaged or truncated; delete it and download it again.`, { cause: failure });
  }
  for (const pending of links) {
    await mkdir(dirname(pending.path), { recursive: true });
    if (pending.kind === 'symlink') await symlink(pending.target, pending.path);
    else await link(pending.target, pending.path);
  }
}

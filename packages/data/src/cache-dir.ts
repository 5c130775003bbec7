import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where downloaded datasets are kept (Node only): `$CNN_CACHE_DIR` when set, else
 * `$XDG_CACHE_HOME/cnn`, else `~/.cache/cnn`. Each dataset uses a subdirectory,
 * e.g. `<cache>/fashion-mnist`. Empty variables count as unset.
 */
export function defaultCacheDir(): string {
  const explicit = process.env['CNN_CACHE_DIR'];
  if (explicit) return explicit;
  const xdg = process.env['XDG_CACHE_HOME'];
  if (xdg) return join(xdg, 'cnn');
  return join(homedir(), '.cache', 'cnn');
}

import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultCacheDir } from './cache-dir.js';

describe('defaultCacheDir', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('prefers $CNN_CACHE_DIR, then $XDG_CACHE_HOME/cnn, then ~/.cache/cnn', () => {
    vi.stubEnv('CNN_CACHE_DIR', '/data/cnn-cache');
    vi.stubEnv('XDG_CACHE_HOME', '/xdg');
    expect(defaultCacheDir()).toBe('/data/cnn-cache');
    vi.stubEnv('CNN_CACHE_DIR', '');
    expect(defaultCacheDir()).toBe(join('/xdg', 'cnn'));
    vi.stubEnv('XDG_CACHE_HOME', '');
    expect(defaultCacheDir()).toBe(join(homedir(), '.cache', 'cnn'));
  });
});

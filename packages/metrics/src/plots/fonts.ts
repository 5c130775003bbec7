/** Finds the DejaVu fonts that PNG rendering uses, so that text looks the same on every machine. */
import { existsSync } from 'node:fs';
import type { ResvgRenderOptions } from '@resvg/resvg-js';

/** Where Linux distributions put DejaVu Sans (Debian/Ubuntu fonts-dejavu-core, Fedora, Arch). */
const DEJAVU_DIRECTORIES = ['/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/dejavu-sans-fonts', '/usr/share/fonts/TTF'];

let cached: ResvgRenderOptions['font'] | undefined;

/**
 * resvg font options: system fonts plus DejaVu Sans as the `sans-serif` family where it is found
 * (charts name only `sans-serif`, so the SVG stays portable). Elsewhere resvg picks a system font.
 */
export function fontOptions(): NonNullable<ResvgRenderOptions['font']> {
  if (cached === undefined) {
    const directory = DEJAVU_DIRECTORIES.find((dir) => existsSync(`${dir}/DejaVuSans.ttf`));
    cached =
      directory === undefined
        ? { loadSystemFonts: true }
        : { loadSystemFonts: true, fontDirs: [directory], defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' };
  }
  return cached;
}

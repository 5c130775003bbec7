/** Writes a chart to disk as SVG or PNG. */
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import type { Chart } from './chart.js';

/**
 * Saves a chart as SVG or PNG (2× scale), chosen by the file extension (`.svg` or `.png`, any case).
 * Creates the parent directory, and writes a temporary file that is renamed into place, so a reader
 * never sees a half-written chart.
 *
 * @throws If the extension is neither `.svg` nor `.png`, or the file cannot be written.
 */
export async function saveChart(chart: Chart, filePath: string): Promise<void> {
  const extension = extname(filePath).toLowerCase();
  if (extension !== '.svg' && extension !== '.png') {
    throw new Error(`Cannot save chart to '${filePath}': the extension must be .svg or .png, got '${extension || '(none)'}'.`);
  }
  const contents = extension === '.svg' ? chart.svg : chart.png();
  await mkdir(dirname(filePath), { recursive: true });
  const temporaryPath = `${filePath}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await writeFile(temporaryPath, contents);
    await rename(temporaryPath, filePath);
  } catch (error) {
    await rm(temporaryPath, { force: true });
    throw error;
  }
}

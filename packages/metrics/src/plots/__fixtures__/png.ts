/** Test helper: the PNG signature and the image size from a PNG's IHDR chunk. */

/** The eight bytes every PNG file starts with. */
export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Reads width and height from the IHDR chunk, which always follows the signature. */
export function readPngSize(bytes: Uint8Array): { width: number; height: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunkType = String.fromCharCode(...bytes.subarray(12, 16));
  if (chunkType !== 'IHDR') throw new Error(`Expected the IHDR chunk at byte 12, found '${chunkType}'.`);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { Dataset, Image } from './dataset.js';
import { decodeImage } from './decode-image.js';
import type { DownloadProgress } from './download.js';
import { fetchDataset } from './fetch-dataset.js';
import type { ImageDecoding } from './file-image-dataset.js';
import type { WorkerRecipe } from './image-transform.js';

/** The 37 breeds, indexed by `CLASS-ID - 1`, spelt as in the file names (upper-case first letter: cat). */
export const OXFORD_PETS_BREEDS: readonly string[] = Object.freeze([
  'Abyssinian', 'american_bulldog', 'american_pit_bull_terrier', 'basset_hound', 'beagle', 'Bengal', 'Birman', 'Bombay', 'boxer',
  'British_Shorthair', 'chihuahua', 'Egyptian_Mau', 'english_cocker_spaniel', 'english_setter', 'german_shorthaired', 'great_pyrenees',
  'havanese', 'japanese_chin', 'keeshond', 'leonberger', 'Maine_Coon', 'miniature_pinscher', 'newfoundland', 'Persian', 'pomeranian',
  'pug', 'Ragdoll', 'Russian_Blue', 'saint_bernard', 'samoyed', 'scottish_terrier', 'shiba_inu', 'Siamese', 'Sphynx',
  'staffordshire_bull_terrier', 'wheaten_terrier', 'yorkshire_terrier',
]);

/** The two species, indexed by `SPECIES - 1`. */
export const OXFORD_PETS_SPECIES: readonly string[] = Object.freeze(['cat', 'dog']);

/** The official archives (Visual Geometry Group, Oxford) and their MD5s. */
export const OXFORD_PETS_ARCHIVES = Object.freeze({
  images: { url: 'https://thor.robots.ox.ac.uk/datasets/pets/images.tar.gz', md5: '5c4f3ee8e5d25df40f4fd59a7f44e54c' },
  annotations: { url: 'https://thor.robots.ox.ac.uk/datasets/pets/annotations.tar.gz', md5: '95a8c909bbe2e81eed6a22bccdf3f68f' },
});

/** Trimap values: each pixel of a trimap is one of these. */
export const TRIMAP = Object.freeze({ pet: 1, background: 2, border: 3 });

/** A head bounding box in pixels, PASCAL VOC style (1-based, inclusive). */
export interface HeadBox {
  /** Left column. */
  xmin: number;
  /** Top row. */
  ymin: number;
  /** Right column. */
  xmax: number;
  /** Bottom row. */
  ymax: number;
}

/** Extra annotations an Oxford-IIIT Pet sample can carry. */
export type OxfordPetsTarget = 'headBox' | 'trimap';

/** One Oxford-IIIT Pet sample. */
export interface OxfordPetsSample {
  /** The photo, RGB (whatever the file's real format: JPEG, PNG, GIF; greyscale, CMYK or RGBA). */
  image: Image;
  /** The training label: `species` or `breed`, as `target` says. */
  label: number;
  /** 0 cat, 1 dog ({@link OXFORD_PETS_SPECIES}). */
  species: number;
  /** 0..36 ({@link OXFORD_PETS_BREEDS}). */
  breed: number;
  /** The image file's path. */
  file: string;
  /** With `targets` including `'headBox'`: the head box from `xmls/<name>.xml`, or `null` for the images that have none (the test split's). */
  headBox?: HeadBox | null;
  /** With `targets` including `'trimap'`: `trimaps/<name>.png`, 1 channel, values {@link TRIMAP}. */
  trimap?: Image;
}

/** Which Oxford-IIIT Pet split to load and where to find it. */
export interface OxfordPetsOptions {
  /** `'trainval'` (3,680 images), `'test'` (3,669), or `'all'` (`list.txt`, 7,349); default `'trainval'`. */
  split?: 'trainval' | 'test' | 'all';
  /** The label: `'breed'` (37 classes, default) or `'species'` (cat 0, dog 1). */
  target?: 'species' | 'breed';
  /** Annotations loaded with each sample beside the label; default `[]`. */
  targets?: readonly OxfordPetsTarget[];
  /** The directory holding `images/` and `annotations/`; when set, nothing else is searched. Default unset (use the cache). */
  root?: string;
  /** How images are decoded (mode, resize, kernel, failOn); default RGB at the original size. Trimaps are never resized. */
  decode?: ImageDecoding;
  /** The cache; the dataset lives in `<cacheDir>/oxford-iiit-pet`. Default `defaultCacheDir()`. */
  cacheDir?: string;
  /** Download and extract the two archives into the cache when the dataset is not there; default `false`. */
  download?: boolean;
  /** Archive URLs and MD5s; default {@link OXFORD_PETS_ARCHIVES}. */
  archives?: { images: { url: string; md5: string }; annotations: { url: string; md5: string } };
  /** Called as download bytes arrive; default none. */
  onProgress?: (progress: DownloadProgress) => void;
}

/** A listed image: its name (no extension) and labels. Structured-cloneable. */
export interface OxfordPetsEntry {
  /** The file name without extension, e.g. `'Abyssinian_100'`. */
  name: string;
  /** `CLASS-ID - 1`: 0..36, an index into {@link OXFORD_PETS_BREEDS}. */
  breed: number;
  /** `SPECIES - 1`: 0 cat, 1 dog. */
  species: number;
}

/** Everything an {@link OxfordPetsDataset} is. Structured-cloneable; the worker recipe's argument. */
export interface OxfordPetsState {
  /** The directory holding `images/` and `annotations/`. */
  dir: string;
  /** The listed images, in sample order. */
  entries: readonly OxfordPetsEntry[];
  /** What `label` is. */
  target: 'species' | 'breed';
  /** Annotations loaded with each sample. */
  targets: readonly OxfordPetsTarget[];
  /** How photos are decoded. */
  decode: ImageDecoding;
}

/**
 * Parses an annotation list (`list.txt`, `trainval.txt`, `test.txt`): `Image CLASS-ID SPECIES BREED-ID` lines, `#`
 * comments. Checks each line against the file name: the breed must be `OXFORD_PETS_BREEDS[CLASS-ID - 1]` and the
 * species must match the name's first letter (upper case cat, lower case dog).
 *
 * @throws Error naming the file and line of a malformed or inconsistent line.
 */
export function parseOxfordPetsList(text: string, path: string): OxfordPetsEntry[] {
  const entries: OxfordPetsEntry[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^(\S+)\s+(\d+)\s+([12])\s+(\d+)$/.exec(line);
    const where = `${path} line ${i + 1}`;
    if (match === null) throw new Error(`${where} is ${JSON.stringify(line)}; expected "Image CLASS-ID SPECIES BREED-ID", e.g. "Abyssinian_100 1 1 1".`);
    const name = match[1] as string;
    const breed = Number(match[2]) - 1;
    const species = Number(match[3]) - 1;
    const expected = OXFORD_PETS_BREEDS[breed];
    if (expected === undefined) throw new Error(`${where}: CLASS-ID ${breed + 1} is not 1..37.`);
    if (name.slice(0, name.lastIndexOf('_')).toLowerCase() !== expected.toLowerCase()) {
      throw new Error(`${where}: ${name} has CLASS-ID ${breed + 1}, which is ${expected}; the list does not match the file names.`);
    }
    const first = name[0] as string;
    const fromName = first === first.toUpperCase() && first !== first.toLowerCase() ? 0 : 1;
    if (fromName !== species) throw new Error(`${where}: ${name} has SPECIES ${species + 1} (${OXFORD_PETS_SPECIES[species]}) but its first letter says ${OXFORD_PETS_SPECIES[fromName]}.`);
    entries.push({ name, breed, species });
  }
  return entries;
}

const xmlParser = new XMLParser({ ignoreAttributes: true, parseTagValue: true });

/** Reads a PASCAL VOC file's first object's box. */
function parseHeadBox(xml: string, path: string): HeadBox {
  let parsed: { annotation?: { object?: unknown } };
  try {
    parsed = xmlParser.parse(xml) as typeof parsed;
  } catch (error) {
    throw new Error(`Head annotation ${path} is not valid XML: ${(error as Error).message}.`, { cause: error });
  }
  const objects = parsed.annotation?.object;
  const object = (Array.isArray(objects) ? objects[0] : objects) as { bndbox?: Record<string, unknown> } | undefined;
  const box = object?.bndbox;
  const values = ['xmin', 'ymin', 'xmax', 'ymax'].map((key) => Number(box?.[key]));
  if (box === undefined || values.some((value) => !Number.isFinite(value))) {
    throw new Error(`Head annotation ${path} has no <object><bndbox> with numeric xmin, ymin, xmax, ymax; the file is damaged.`);
  }
  const [xmin, ymin, xmax, ymax] = values as [number, number, number, number];
  return { xmin, ymin, xmax, ymax };
}

/**
 * The Oxford-IIIT Pet dataset: photos decoded lazily by content (the real archive's `.jpg` files include PNG, GIF,
 * greyscale, CMYK and RGBA data, all returned as RGB), with species, breed and, on request, head box and trimap.
 */
export class OxfordPetsDataset implements Dataset<OxfordPetsSample> {
  /** Number of samples. */
  readonly size: number;
  /** Class names of `label`: {@link OXFORD_PETS_BREEDS} or {@link OXFORD_PETS_SPECIES}. */
  readonly classes: readonly string[];
  /** Image paths, indexed like samples. */
  readonly files: readonly string[];
  /** `label` of each sample, without decoding anything. */
  readonly labels: Int32Array;
  readonly #state: OxfordPetsState;

  /** Builds the dataset from a listing; {@link oxfordPets} is the usual way to get one. */
  constructor(state: OxfordPetsState) {
    this.#state = state;
    this.size = state.entries.length;
    this.classes = state.target === 'species' ? OXFORD_PETS_SPECIES : OXFORD_PETS_BREEDS;
    this.files = state.entries.map((entry) => join(state.dir, 'images', `${entry.name}.jpg`));
    this.labels = Int32Array.from(state.entries, (entry) => (state.target === 'species' ? entry.species : entry.breed));
  }

  /** The listed entries (name, breed, species), in sample order. */
  get entries(): readonly OxfordPetsEntry[] {
    return this.#state.entries;
  }

  /**
   * Reads sample `index` and the annotations asked for.
   *
   * @throws ImageDecodeError naming the image or trimap that cannot be decoded; Error naming a missing trimap or a
   *   damaged xml; RangeError for a bad index.
   */
  async get(index: number): Promise<OxfordPetsSample> {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`OxfordPetsDataset: index ${index} is out of range for ${this.size} samples; use an integer in 0..${this.size - 1}.`);
    }
    const { dir, targets, decode } = this.#state;
    const entry = this.#state.entries[index] as OxfordPetsEntry;
    const file = this.files[index] as string;
    const sample: OxfordPetsSample = { image: await decodeImage(file, decode), label: this.labels[index] as number, species: entry.species, breed: entry.breed, file };
    if (targets.includes('headBox')) {
      const path = join(dir, 'annotations', 'xmls', `${entry.name}.xml`);
      const xml = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw new Error(`Cannot read head annotation ${path}: ${error.message}.`, { cause: error });
      });
      sample.headBox = xml === undefined ? null : parseHeadBox(xml, path);
    }
    if (targets.includes('trimap')) {
      const path = join(dir, 'annotations', 'trimaps', `${entry.name}.png`);
      const trimap = await decodeImage(path, { mode: 'greyscale', failOn: decode.failOn });
      sample.trimap = trimap;
    }
    return sample;
  }

  /** Rebuilds this dataset in a worker from its listing. */
  workerRecipe(): WorkerRecipe {
    return { module: import.meta.url, factory: 'oxfordPetsDataset', args: [this.#state] };
  }
}

/** Builds an {@link OxfordPetsDataset} from its state; the factory of its worker recipe. */
export function oxfordPetsDataset(state: OxfordPetsState): OxfordPetsDataset {
  return new OxfordPetsDataset(state);
}

/**
 * Loads the Oxford-IIIT Pet dataset (Node only): 7,349 photos of 37 breeds (12 cat, 25 dog) from
 * `annotations/{list,trainval,test}.txt`; only listed images are read (the `.mat` files in `images/` are not).
 * Species and breed come from the list and are checked against the file name (upper-case first letter: cat).
 *
 * @returns A dataset whose `get(index)` resolves to {@link OxfordPetsSample}.
 * @throws Error naming the path when the dataset cannot be found (and download is off or fails), `list.txt` or the
 *   split's list is missing, or a list line is malformed.
 */
export async function oxfordPets(options: OxfordPetsOptions = {}): Promise<OxfordPetsDataset> {
  const { split = 'trainval', target = 'breed', targets = [] } = options;
  const listName = { trainval: 'trainval.txt', test: 'test.txt', all: 'list.txt' }[split];
  if (listName === undefined) throw new Error(`Unknown Oxford-IIIT Pet split ${JSON.stringify(split)}; use 'trainval', 'test' or 'all'.`);
  if (target !== 'species' && target !== 'breed') throw new Error(`Unknown Oxford-IIIT Pet target ${JSON.stringify(target)}; use 'species' or 'breed'.`);
  const unknown = targets.find((t) => t !== 'headBox' && t !== 'trimap');
  if (unknown !== undefined) throw new Error(`Unknown Oxford-IIIT Pet target ${JSON.stringify(unknown)} in targets; use 'headBox' and/or 'trimap'.`);
  const archives = options.archives ?? OXFORD_PETS_ARCHIVES;
  const { dir } = await fetchDataset({
    name: 'Oxford-IIIT Pet',
    cacheSubdir: 'oxford-iiit-pet',
    required: ['images', 'annotations/list.txt', `annotations/${listName}`],
    root: options.root,
    cacheDir: options.cacheDir,
    download: options.download,
    archives: [archives.images, archives.annotations],
    howToGet: `pass root (the directory holding images/ and annotations/), or download: true to fetch ${OXFORD_PETS_ARCHIVES.images.url} and annotations.tar.gz`,
    onProgress: options.onProgress,
  });
  const listPath = join(dir, 'annotations', listName);
  const entries = parseOxfordPetsList(await readFile(listPath, 'utf8'), listPath);
  return new OxfordPetsDataset({ dir, entries, target, targets: [...targets], decode: options.decode ?? {} });
}

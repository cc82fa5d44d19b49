/**
 * `npm run bench:compare`: runs facematch, face-api and human through the LFW harness on the same
 * pairs and writes the side-by-side comparison to `docs/benchmarks.md` and the combined ROC curves
 * to `docs/benchmarks-roc.svg`.
 *
 * ```sh
 * npm run bench:compare -- [--data DIR] [--pairs FILE] [--workers N] [--limit N] [--cache DIR | --no-cache]
 *                          [--cold LIB,…] [--libraries LIB,…] [--skip-facematch] [--markdown FILE] [--roc FILE]
 * ```
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { version_core as tfjsVersion } from '../src/runtime/tf.js';
import { UsageError } from '../src/cli/usage.js';
import { FaceMatchError } from '../src/errors.js';
import { machineInfo } from './lfw/machine.js';
import { comparisonEntry, renderComparisonMarkdown, renderComparisonRoc, type ComparisonDocument, type ComparisonEntry } from './peers/compare-report.js';
import { PEER_NAMES, type PeerName } from './peers/engine.js';
import { FACE_API_SETTINGS, HUMAN_SETTINGS } from './peers/settings.js';
import { peerPackage } from './peers/packages.js';
import { runLfwBench, runPeerBench, type EngineBenchResult } from './peers/run.js';
import { embedWithEngine } from './peers/embed.js';
import type { EngineSpec } from './peers/engine.js';
import { findLfw, firstPairsOfEachFold, loadPairs } from './lfw/pairs.js';
import { throughputOf } from './lfw/stats.js';
import type { Throughput } from './lfw/types.js';
import type { FaceMatcherOptions } from '../src/matcher-options.js';
import { testModelsDirFromEnv } from './lfw/lfw-dir.js';

/**
 * A library of the comparison.
 *
 * @category Benchmark
 */
export type ComparedLibrary = 'facematch' | PeerName;

/**
 * Every {@link ComparedLibrary}, in table order.
 *
 * @category Benchmark
 */
export const COMPARED_LIBRARIES: readonly ComparedLibrary[] = Object.freeze(['facematch', ...PEER_NAMES]);

/**
 * Options of {@link runComparison}.
 *
 * @category Benchmark
 */
export interface ComparisonOptions {
  /** LFW folder; default FACEMATCH_LFW_DIR. */
  data?: string;
  /** Pairs file; default `<data>/pairs.txt`. */
  pairs?: string;
  /** Worker threads per library. Default 2. */
  workers?: number;
  /** Use only the first N matched and N mismatched pairs of each fold. */
  limit?: number;
  /** Embedding cache folder, or false for none. Default `.cache/facematch`. */
  cache?: string | false;
  /** Libraries to run without the cache, to measure their throughput. Default none. */
  cold?: readonly ComparedLibrary[];
  /** Libraries to run, in table order. Default all three. */
  libraries?: readonly ComparedLibrary[];
  /** Where to write the Markdown. Default `docs/benchmarks.md`. */
  markdown?: string;
  /** Where to write the ROC picture. Default `docs/benchmarks-roc.svg`. */
  roc?: string;
  /** Print progress. Default true. */
  progress?: boolean;
  /**
   * facematch configurations to compare, each a row: a label and the FaceMatcherOptions. Default:
   * the defaults alone (dlib-resnet, largest face).
   */
  facematch?: readonly FacematchConfiguration[];
  /**
   * After the accuracy runs, measure every distinct embedding configuration's throughput on the
   * first this many images of the pairs, cold (no cache), one after the other in this run, with
   * the same workers: the rates in the table come from that pass, so they compare like with like.
   * 0 keeps each run's own (possibly cached) throughput. Default 0.
   */
  throughputImages?: number;
}

/**
 * One facematch row of the comparison.
 *
 * @category Benchmark
 */
export interface FacematchConfiguration {
  /** Short label for the table, such as `dlib-resnet · center`. */
  label: string;
  /** The matcher options of the run. */
  matcher: FaceMatcherOptions;
}

/**
 * The facematch rows for a folder of test models: dlib alone, the 512-D MobileFaceNet in ONNX
 * alone, and their fusion, each with the largest and with the central face.
 *
 * @category Benchmark
 */
export function testModelConfigurations(modelsDir: string): FacematchConfiguration[] {
  const onnx = `onnx:${path.join(modelsDir, 'mobilefacenet-faceplugin.onnx')}:arcface`;
  const embedders = [
    { label: 'dlib-resnet', embedder: 'dlib-resnet' },
    { label: 'MobileFaceNet (ONNX)', embedder: onnx },
    { label: 'dlib-resnet + MobileFaceNet', embedder: `dlib-resnet+${onnx}` },
  ];
  return embedders.flatMap((e) =>
    (['largest', 'center'] as const).map((faceSelection) => ({
      label: `${e.label} · ${faceSelection}`,
      matcher: { embedder: e.embedder, ...(faceSelection === 'center' ? { faceSelection } : {}) },
    })),
  );
}

/**
 * What {@link runComparison} produced.
 *
 * @category Benchmark
 */
export interface ComparisonResult {
  /** The document's content. */
  document: ComparisonDocument;
  /** Absolute path of the Markdown written. */
  markdownFile: string;
  /** Absolute path of the ROC picture written. */
  rocFile: string;
}

/** A row of the comparison with the library it belongs to. */
interface LibraryEntry {
  library: ComparedLibrary;
  entry: ComparisonEntry;
}

const SHARED_SETUP =
  'All three: images decoded once per library by facematch’s own `loadImage` (sharp when installed, else the built-in decoder; EXIF-oriented RGB), ' +
  `handed to each library as a \`tf.tensor3d\` of those pixels, on tfjs ${tfjsVersion} with the wasm backend (SIMD, binaries from ` +
  '`@tensorflow/tfjs-backend-wasm`, no network), one worker thread per tfjs. Of several faces, the largest is used (in facematch\u2019s `center` rows, the most central of the faces of comparable size). ' +
  'A library that finds no face in an image answers nothing for its pairs, which count as wrong.';

function setupNotes(entries: readonly LibraryEntry[]): string[] {
  const notes = [SHARED_SETUP];
  const libraries = entries.map((e) => e.library);
  const facematch = entries.find((e) => e.library === 'facematch');
  if (facematch) {
    notes.push(
      `facematch ${facematch.entry.report.version}: \`FaceMatcher\` defaults, as \`runLfwBench\` runs them: detector ${facematch.entry.report.detector}; ` +
        `embedder ${facematch.entry.report.embedder}, L2-normalised; pairs scored by cosine similarity (the calibrated 0–100 score is a monotone map of it, ` +
        'so the protocol figures are the same).',
    );
  }
  if (libraries.includes('face-api')) {
    const fa = peerPackage('face-api');
    notes.push(
      `face-api ${fa.version}: its \`dist/face-api.node-wasm.js\` build; models from the package’s \`model/\` folder with \`loadFromDisk\`; ` +
        `\`detectAllFaces\` with \`SsdMobilenetv1Options\` at the library defaults (minConfidence ${FACE_API_SETTINGS.minConfidence}, maxResults ${FACE_API_SETTINGS.maxResults}), ` +
        'then, for the largest detection, the library’s own `withFaceLandmarks().withFaceDescriptor()` task (68 landmarks, aligned crop, 128-D descriptor). ' +
        'Pairs scored by `faceapi.euclideanDistance` on the raw descriptors (negated), as its `FaceMatcher` does; its default threshold 0.6 is in the JSON report. ' +
        'Its no-face pairs come from the detector: on LFW’s 250×250 crops the face fills much of the frame, and SSD MobileNet v1’s confidence for such ' +
        'frame-filling faces often stays under 0.5. Padding the image with a plain border lets it find nearly all of them; that is not the library’s ' +
        'documented use, so it is not done here.',
    );
  }
  if (libraries.includes('human')) {
    const hm = peerPackage('human');
    notes.push(
      `human ${hm.version}: its \`dist/human.node-wasm.js\` build with \`backend: 'wasm'\`, \`modelBasePath\` a \`file://\` URL of the package’s \`models/\` folder ` +
        '(read by a small tfjs `file://` load router, which is what tfjs-node would provide); its default face pipeline (BlazeFace, FaceMesh with iris, FaceRes 1024-D). ' +
        `Changed from its defaults: \`cacheSensitivity: ${HUMAN_SETTINGS.cacheSensitivity}\` (the default reuses the previous frame’s results for a similar-looking input, ` +
        `which is for video), \`warmup: '${HUMAN_SETTINGS.warmup}'\`, \`face.detector.maxDetected: ${HUMAN_SETTINGS.maxDetected}\` (default 1, the highest-scoring face) so the largest face can be chosen, ` +
        'and body, hand, object, gesture, segmentation and emotion off (none feeds the embedding). Pairs scored by `human.match.similarity` with its default options.',
    );
  }
  return notes;
}

function commandsFor(options: ComparisonOptions): string[] {
  const extra = [
    options.workers === undefined ? '--workers 2' : `--workers ${options.workers}`,
    ...(options.limit === undefined ? [] : [`--limit ${options.limit}`]),
    ...(options.pairs === undefined ? [] : ['--pairs FILE']),
  ].join(' ');
  return [
    'npm ci',
    'export FACEMATCH_LFW_DIR=/path/to/lfw        # lfw-deepfunneled/ and pairs.txt (npx facematch datasets fetch lfw --dir /path/to/lfw)',
    'export FACEMATCH_TEST_MODELS_DIR=/path/to/models   # optional: the MobileFaceNet rows (a model you are entitled to use)',
    `npm run bench:compare -- ${extra} --throughput-images ${options.throughputImages || 1000}   # writes docs/benchmarks.md and docs/benchmarks-roc.svg`,
    '# one library at a time, with its full report (JSON, Markdown, ROC and score SVGs, per-pair CSV):',
    `npx facematch bench lfw ${extra} --out bench-results`,
    `npx facematch bench lfw --peer face-api ${extra} --out bench-results`,
    `npx facematch bench lfw --peer human ${extra} --out bench-results`,
  ];
}

/** Runs one library through the LFW harness: facematch with the given options, or a peer. */
async function runLibrary(library: ComparedLibrary, options: ComparisonOptions, cold: boolean, matcher?: FaceMatcherOptions): Promise<EngineBenchResult> {
  const common = {
    data: options.data,
    pairs: options.pairs,
    workers: options.workers ?? 2,
    limit: options.limit,
    cache: cold ? false : options.cache,
    progress: options.progress,
  };
  return library === 'facematch' ? runLfwBench({ ...common, ...(matcher ? { matcher } : {}) }) : runPeerBench(library, common);
}

/**
 * The throughput pass: every distinct embedding configuration embeds the same first `count`
 * images, cold, one configuration after another, with the same workers. Face selection does not
 * change what is embedded, so configurations that differ only in it share one measurement.
 */
async function measureThroughput(entries: readonly { spec: EngineSpec; entry: ComparisonEntry }[], options: ComparisonOptions, count: number): Promise<void> {
  const location = await findLfw(options.data, options.pairs === undefined ? {} : { pairs: options.pairs });
  const pairs = firstPairsOfEachFold((await loadPairs(location)).pairs, options.limit);
  const images = [...new Set(pairs.flatMap((p) => [p.a, p.b]))].slice(0, count);
  const measured = new Map<string, Throughput>();
  for (const { spec, entry } of entries) {
    const id = JSON.stringify(spec.engine === 'facematch' ? { ...spec.matcher, faceSelection: undefined } : spec);
    let throughput = measured.get(id);
    if (throughput === undefined) {
      const label = `${entry.library}: throughput on ${images.length} images`;
      const run = await embedWithEngine(spec, images, { dataDir: location.dir, cacheKey: 'throughput', cacheDir: false, workers: options.workers ?? 2, progress: options.progress === false ? false : label });
      throughput = throughputOf(run, new Date().toISOString()) ?? undefined;
      if (throughput) measured.set(id, throughput);
    }
    if (throughput) entry.throughput = throughput;
  }
}

/**
 * Runs each library through the LFW harness (facematch with its defaults, then the peers), and
 * writes the comparison document and the combined ROC picture.
 *
 * @throws {@link FaceMatchError} `INVALID_INPUT` for a missing LFW folder or an empty library list;
 *   whatever a run throws.
 * @category Benchmark
 */
export async function runComparison(options: ComparisonOptions = {}): Promise<ComparisonResult> {
  const libraries = options.libraries ?? COMPARED_LIBRARIES;
  if (libraries.length === 0) throw new FaceMatchError('INVALID_INPUT', 'expected at least one library to compare, received none', { field: 'libraries' });
  const entries: (LibraryEntry & { spec: EngineSpec })[] = [];
  for (const library of COMPARED_LIBRARIES.filter((l) => libraries.includes(l))) {
    const cold = options.cold?.includes(library) ?? false;
    if (library === 'facematch') {
      for (const config of options.facematch ?? [{ label: 'dlib-resnet · largest', matcher: {} }]) {
        const run = await runLibrary(library, options, cold, config.matcher);
        const entry = comparisonEntry(run);
        entries.push({ library, entry: { ...entry, library: `${entry.library} · ${config.label}` }, spec: { engine: 'facematch', matcher: { ...config.matcher } } });
      }
    } else {
      entries.push({ library, entry: comparisonEntry(await runLibrary(library, options, cold)), spec: { engine: library, backend: 'auto' } });
    }
  }
  if ((options.throughputImages ?? 0) > 0) await measureThroughput(entries, options, options.throughputImages!);
  const rows = entries.map((e) => e.entry);

  const markdownFile = path.resolve(options.markdown ?? 'docs/benchmarks.md');
  const rocFile = path.resolve(options.roc ?? 'docs/benchmarks-roc.svg');
  const document: ComparisonDocument = {
    entries: rows,
    dataset: rows[0]!.report.dataset,
    machine: machineInfo(),
    date: new Date().toISOString(),
    rocFile: path.relative(path.dirname(markdownFile), rocFile).split(path.sep).join('/'),
    setup: setupNotes(entries),
    commands: commandsFor(options),
  };
  await mkdir(path.dirname(markdownFile), { recursive: true });
  await mkdir(path.dirname(rocFile), { recursive: true });
  await writeFile(markdownFile, renderComparisonMarkdown(document));
  await writeFile(rocFile, renderComparisonRoc(rows, document.dataset));
  return { document, markdownFile, rocFile };
}

const USAGE = `Usage: npm run bench:compare -- [options]

Runs facematch, face-api and human through the LFW harness on the same pairs and writes
docs/benchmarks.md (side-by-side table) and docs/benchmarks-roc.svg (ROC curves).

Options:
  --data DIR          LFW folder with lfw-deepfunneled/ and pairs.txt (default FACEMATCH_LFW_DIR)
  --pairs FILE        any file in pairs.txt format (default DIR/pairs.txt)
  --workers N         worker threads per library (default 2)
  --limit N           first N matched and N mismatched pairs of each fold
  --cache DIR         embedding cache folder (default .cache/facematch)
  --no-cache          embed everything from scratch, read and write no cache
  --cold LIB,...      run these libraries without the cache (facematch, face-api, human)
  --libraries LIB,... run only these libraries, in table order (default facematch,face-api,human)
  --skip-facematch    compare the peers only
  --markdown FILE     output Markdown (default docs/benchmarks.md)
  --roc FILE          output SVG (default docs/benchmarks-roc.svg)
  --test-models DIR   also compare the test models there (default FACEMATCH_TEST_MODELS_DIR):
                      MobileFaceNet (ONNX) and its fusion with dlib-resnet, each with the
                      largest and the central face
  --throughput-images N
                      measure every configuration's images/s on the same first N images,
                      cold, in this run (default 0: each run's own figure)`;

function wholeNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} expects a whole number >= 1, received "${value}"`);
  return n;
}

function libraryList(value: string | undefined, name: string): ComparedLibrary[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((s) => s.trim());
  for (const item of items) {
    if (!COMPARED_LIBRARIES.includes(item as ComparedLibrary)) {
      throw new UsageError(`--${name} expects libraries among ${COMPARED_LIBRARIES.join(', ')}, received "${item}"`);
    }
  }
  return items as ComparedLibrary[];
}

function facematchRows(modelsDir: string | undefined): Pick<ComparisonOptions, 'facematch'> {
  return modelsDir === undefined ? {} : { facematch: testModelConfigurations(modelsDir) };
}

/** The command line entry point. @internal */
async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        data: { type: 'string' },
        pairs: { type: 'string' },
        workers: { type: 'string' },
        limit: { type: 'string' },
        cache: { type: 'string' },
        'no-cache': { type: 'boolean' },
        cold: { type: 'string' },
        'skip-facematch': { type: 'boolean' },
        libraries: { type: 'string' },
        markdown: { type: 'string' },
        roc: { type: 'string' },
        'test-models': { type: 'string' },
        'throughput-images': { type: 'string' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const result = await runComparison({
    data: values.data,
    pairs: values.pairs,
    workers: wholeNumber(values.workers, 'workers'),
    limit: wholeNumber(values.limit, 'limit'),
    cache: values['no-cache'] ? false : values.cache,
    cold: libraryList(values.cold, 'cold'),
    libraries: (libraryList(values.libraries, 'libraries') ?? COMPARED_LIBRARIES).filter((l) => !(values['skip-facematch'] && l === 'facematch')),
    markdown: values.markdown,
    roc: values.roc,
    ...facematchRows(values['test-models'] ?? testModelsDirFromEnv()),
    throughputImages: values['throughput-images'] === undefined ? 0 : wholeNumber(values['throughput-images'], 'throughput-images'),
  });
  process.stdout.write(`${renderComparisonMarkdown(result.document)}\nWrote ${result.markdownFile} and ${result.rocFile}\n`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(err instanceof UsageError ? 2 : 1);
    },
  );
}

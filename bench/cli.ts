/**
 * `facematch bench …`: the benchmark commands. Loaded on demand by the CLI.
 * @module
 */
import { DETECTOR_MODELS, type DetectorModel } from '../src/detect/options.js';
import { FACE_SELECTIONS, type FaceSelection } from '../src/detect/select.js';
import { parseEmbedderSpec } from '../src/embed/spec.js';
import { ALIGNMENT_MODES, type AlignmentMode } from '../src/matcher-options.js';
import { BACKEND_NAMES, type BackendName } from '../src/runtime/backend.js';
import { choiceOption, numberOption, parseCommandArgs, UsageError, type CommandOptions } from '../src/cli/usage.js';
import { runLfwBench, runPeerBench, type BenchRunOptions, type EngineBenchResult } from './peers/run.js';
import { renderMarkdown } from './lfw/report.js';

const USAGE = `Usage: facematch bench lfw [options]

Runs the LFW verification protocol (10 folds in file order; each fold's threshold chosen on the
other nine; a pair with a missing face counted wrong) and prints a Markdown summary.

Options:
  --data DIR          LFW folder with lfw-deepfunneled/ and pairs.txt (default FACEMATCH_LFW_DIR)
  --pairs FILE        any file in pairs.txt format (default DIR/pairs.txt)
  --workers N         worker threads, each with its own tfjs (default: one per core)
  --limit N           first N matched and N mismatched pairs of each fold
  --embedder SPEC     dlib-resnet (default), onnx:PATH[:arcface|facenet], a registered name
                      (onnx:NAME), or a fusion A+B (its weights come from the parts' similarity
                      spread; --fit-calibration stores them with the calibration)
  --face-selection P  largest (default) | center: which face of a multi-face image
  --detector NAME     auto|short|full (default auto)
  --alignment MODE    landmarks|keypoints (default landmarks)
  --no-flip           no horizontal-flip averaging of embeddings (on by default)
  --backend NAME      auto|node|wasm|cpu (default auto)
  --peer NAME         face-api|human: run a peer library through the same harness
  --json FILE         write the JSON report here
  --out DIR           write JSON, Markdown, SVG and CSV reports here
  --cache DIR         embedding cache folder (default .cache/facematch)
  --no-cache          do not read or write the embedding cache
  --fit-calibration   fit the score calibration on these pairs, print it, and store it in the
                      user models folder (FACEMATCH_MODELS_HOME) where FaceMatcher finds it
  --calibrations-file FILE
                      store the fitted calibration in this JSON file instead (the format of
                      models/calibrations.json)
  --quality           measure how well face quality predicts errors: error-versus-discard
                      curves in the reports (and --out's lfw-quality-edc.svg)`;

const BENCH_OPTIONS = {
  data: { type: 'string' },
  pairs: { type: 'string' },
  workers: { type: 'string' },
  limit: { type: 'string' },
  embedder: { type: 'string' },
  'face-selection': { type: 'string' },
  detector: { type: 'string' },
  alignment: { type: 'string' },
  'no-flip': { type: 'boolean' },
  backend: { type: 'string' },
  peer: { type: 'string' },
  json: { type: 'string' },
  out: { type: 'string' },
  cache: { type: 'string' },
  'no-cache': { type: 'boolean' },
  'fit-calibration': { type: 'boolean' },
  'calibrations-file': { type: 'string' },
  quality: { type: 'boolean' },
} as const satisfies CommandOptions;

/** Runs `facematch bench <args>`; resolves to the exit code. @internal */
export async function runBench(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, BENCH_OPTIONS, 'bench');
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'lfw') throw new UsageError(`expected "bench lfw", received "bench ${positionals.join(' ')}"`);
  const workers = numberOption(values.workers, 'workers');
  const limit = numberOption(values.limit, 'limit');
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1)) throw new UsageError('--workers expects a whole number >= 1');
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) throw new UsageError('--limit expects a whole number >= 1');
  const embedder = values.embedder ?? 'dlib-resnet';
  try {
    parseEmbedderSpec(embedder);
  } catch (err) {
    throw new UsageError(`--embedder: ${(err as Error).message}`);
  }
  const faceSelection = choiceOption<FaceSelection>(values['face-selection'], 'face-selection', FACE_SELECTIONS);
  const detector = choiceOption<DetectorModel>(values.detector, 'detector', DETECTOR_MODELS);
  const alignment = choiceOption<AlignmentMode>(values.alignment, 'alignment', ALIGNMENT_MODES);
  const backend = choiceOption<BackendName>(values.backend, 'backend', BACKEND_NAMES);
  const peer = choiceOption(values.peer, 'peer', ['face-api', 'human'] as const);
  const common: BenchRunOptions = {
    data: values.data,
    pairs: values.pairs,
    workers,
    limit,
    out: values.out,
    json: values.json,
    cache: values['no-cache'] ? false : values.cache,
  };
  let result: EngineBenchResult;
  if (peer !== undefined) {
    result = await runPeerBench(peer, { ...common, backend });
  } else {
    const run = await runLfwBench({
      ...common,
      // The matcher options every worker's FaceMatcher is created with: passed to the workers as
      // they are, so a new FaceMatcherOptions field needs only its flag here.
      matcher: {
        embedder,
        detector: detector ?? 'auto',
        alignment: alignment ?? 'landmarks',
        flip: !(values['no-flip'] ?? false),
        // Only when given, so that the default configuration keeps its cache key.
        ...(faceSelection ? { faceSelection } : {}),
        ...(backend ? { backend } : {}),
      },
      fitCalibration: values['fit-calibration'] ?? false,
      ...(values['calibrations-file'] ? { calibrationsFile: values['calibrations-file'] } : {}),
      quality: values.quality ?? false,
    });
    if (run.fitted) {
      process.stdout.write(`${renderMarkdown(run.report)}\n`);
      process.stdout.write(`\nFitted calibration, stored in ${run.stored ?? 'nowhere'}:\n${JSON.stringify(run.fitted.calibration, null, 2)}\n`);
      process.stdout.write(`${JSON.stringify(run.fitted.table, null, 2)}\n`);
      reportFailures(run);
      return 0;
    }
    result = run;
  }
  process.stdout.write(`${renderMarkdown(result.report)}\n`);
  reportFailures(result);
  return 0;
}

/** Lists, on stderr, the first images without a face or that could not be read. */
function reportFailures(result: EngineBenchResult): void {
  const failures = result.embedded.failures;
  if (failures.length === 0) return;
  process.stderr.write(`${failures.length} image(s) without a face or unreadable:\n`);
  for (const f of failures.slice(0, 20)) process.stderr.write(`  ${f.path}: ${f.code} ${f.message}\n`);
}

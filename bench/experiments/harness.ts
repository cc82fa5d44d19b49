/**
 * LFW View 2 alignment experiments: which chip recipe gives the dlib ResNet the best 10-fold
 * accuracy. Detection and landmarks run once per image and are cached under /tmp; each recipe's
 * embeddings are cached too, so ensembles (`a+b`) cost nothing more.
 *
 * ```sh
 * FACEMATCH_LFW_DIR=/work/shared/datasets/lfw nice -n 5 npx vite-node bench/experiments/harness.ts -- kp4 lm51 dlib5 kp4+dlib68
 * ```
 * Options: `--workers N` (default 2), `--cache DIR` (default /tmp/fm-exp), `--table` (print the
 * stored results only). Recipe names: see {@link recipeByName}.
 * @module
 */
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { LandmarkerOptions } from '../../src/landmarks/landmarker.js';
import type { Box, Point } from '../../src/types.js';
import { evaluateProtocol } from '../lfw/metrics.js';
import { findLfw, loadPairs } from '../lfw/pairs.js';
import type { PairScore } from '../lfw/types.js';
import { runPool } from '../lfw/pool.js';
import { recipeByName, type FaceRecord, type Recipe } from './recipes.js';
import type { ExperimentItem, ExperimentResult, ExperimentWorkerData } from './worker.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const DIM = 128;

/** A face cached for one image: the largest BlazeFace face and its landmarks. */
export type CachedFace = FaceRecord & { box: Box; score: number; faceCount: number };

/** One row of the results table. */
export interface ResultRow {
  /** Recipe name. */
  name: string;
  /** What it is. */
  description: string;
  /** 10-fold mean accuracy (0–1). */
  mean: number;
  /** Sample standard deviation of the fold accuracies. */
  std: number;
  /** ROC AUC. */
  auc: number;
  /** TAR at FAR 1e-3. */
  tar3: number;
  /** TAR at FAR 1e-2. */
  tar2: number;
  /** Equal error rate. */
  eer: number;
  /** Pairs without a face. */
  noFace: number;
  /** Chips embedded per image. */
  chipsPerImage: number;
}

/** Landmarker variants the recipes may name with `-lm<variant>`. */
const LANDMARK_VARIANTS: Readonly<Record<string, LandmarkerOptions>> = {
  nomirror: { mirror: false },
  c11: { crop: { scale: 1.1 } },
  c13: { crop: { scale: 1.3 } },
};

interface Args {
  recipes: string[];
  workers: number;
  cacheDir: string;
  tableOnly: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { recipes: [], workers: 2, cacheDir: '/tmp/fm-exp', tableOnly: false };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i]!;
    if (a === '--') continue;
    else if (a === '--workers') args.workers = Number(argv[++i]);
    else if (a === '--cache') args.cacheDir = argv[++i]!;
    else if (a === '--table') args.tableOnly = true;
    else args.recipes.push(a);
  }
  return args;
}

async function exists(file: string): Promise<boolean> {
  return readFile(file).then(
    () => true,
    () => false,
  );
}

/** Bundles the worker to plain JS next to a node_modules link, so worker threads can run it. */
async function bundleWorker(cacheDir: string): Promise<URL> {
  const outfile = path.join(cacheDir, 'build', 'worker.mjs');
  await mkdir(path.dirname(outfile), { recursive: true });
  const link = path.join(cacheDir, 'node_modules');
  if (!(await exists(path.join(link, 'esbuild', 'package.json')))) await symlink(path.join(REPO, 'node_modules'), link, 'dir');
  await build({
    entryPoints: [path.join(HERE, 'worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  return pathToFileURL(outfile);
}

class Experiments {
  private faces: (CachedFace | null)[] = [];

  private constructor(
    private readonly args: Args,
    private readonly dataDir: string,
    private readonly images: string[],
    private readonly pairs: { fold: number; same: boolean; ia: number; ib: number }[],
    private readonly worker: URL,
  ) {}

  static async open(args: Args): Promise<Experiments> {
    const loaded = await loadPairs(await findLfw(undefined));
    const index = new Map(loaded.images.map((p, i) => [p, i]));
    const pairs = loaded.pairs.map((p) => ({ fold: p.fold, same: p.same, ia: index.get(p.a)!, ib: index.get(p.b)! }));
    await mkdir(path.join(args.cacheDir, 'emb'), { recursive: true });
    const worker = args.tableOnly ? new URL('file:///dev/null') : await bundleWorker(args.cacheDir);
    return new Experiments(args, loaded.location.dir, loaded.images, pairs, worker);
  }

  private pool(data: ExperimentWorkerData, items: ExperimentItem[], label: string): Promise<ExperimentResult[]> {
    const start = performance.now();
    let last = 0;
    return runPool<ExperimentItem, ExperimentResult>(this.worker, items, {
      workers: this.args.workers,
      chunkSize: 8,
      workerData: data,
      onProgress: (done, total) => {
        const now = performance.now();
        if (now - last > 15000 || done === total) {
          last = now;
          const s = (now - start) / 1000;
          console.error(`${label}: ${done}/${total} ${s.toFixed(0)} s (${((s * 1000) / done).toFixed(1)} ms/img)`);
        }
      },
    });
  }

  /** Detection and default landmarks for every image, from the cache or computed now. */
  async loadFaces(): Promise<void> {
    const file = path.join(this.args.cacheDir, 'faces.json');
    if (await exists(file)) {
      const stored = JSON.parse(await readFile(file, 'utf8')) as { images: string[]; faces: (CachedFace | null)[] };
      if (stored.images.join('\n') !== this.images.join('\n')) throw new Error(`${file} was made for other images: delete it`);
      this.faces = stored.faces;
    } else {
      const results = await this.pool(
        { job: 'faces', dataDir: this.dataDir, modelsDir: path.join(REPO, 'models') },
        this.images.map((p) => ({ path: p })),
        'faces',
      );
      this.faces = results.map((r) =>
        r.job === 'faces'
          ? { box: r.box, score: r.score, faceCount: r.faceCount, keypoints: r.keypoints, landmarks: { default: r.landmarks } }
          : null,
      );
      await writeFile(file, JSON.stringify({ images: this.images, faces: this.faces }));
    }
    console.error(`faces: ${this.faces.filter((f) => f !== null).length}/${this.images.length} images with a face`);
  }

  /** Makes sure the landmarks of `variant` are loaded (computed and cached when missing). */
  private async ensureLandmarks(variant: string): Promise<void> {
    if (variant === 'default' || this.faces.every((f) => f === null || f.landmarks[variant])) return;
    const options = LANDMARK_VARIANTS[variant];
    if (!options) throw new Error(`unknown landmark variant ${variant}: one of ${Object.keys(LANDMARK_VARIANTS).join(', ')}`);
    const file = path.join(this.args.cacheDir, `lm-${variant}.json`);
    let points: (Point[] | null)[];
    if (await exists(file)) points = JSON.parse(await readFile(file, 'utf8')) as (Point[] | null)[];
    else {
      const results = await this.pool(
        { job: 'landmarks', dataDir: this.dataDir, modelsDir: path.join(REPO, 'models'), landmarker: options },
        this.images.map((p, i) => ({ path: p, ...(this.faces[i] ? { face: this.faces[i]! } : {}) })),
        `landmarks ${variant}`,
      );
      points = results.map((r) => (r.job === 'landmarks' ? r.landmarks : null));
      await writeFile(file, JSON.stringify(points));
    }
    points.forEach((p, i) => {
      const f = this.faces[i];
      if (f && p) f.landmarks[variant] = p;
    });
  }

  /** One recipe's embeddings per image (null without a face), from the cache or computed now. */
  async embeddings(recipe: Recipe): Promise<(Float32Array | null)[]> {
    const file = path.join(this.args.cacheDir, 'emb', `${recipe.name}.f32`);
    if (await exists(file)) {
      const buf = await readFile(file);
      const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
      return this.images.map((_, i) => {
        const row = all.slice(i * DIM, (i + 1) * DIM);
        return Number.isNaN(row[0]) ? null : row;
      });
    }
    for (const chip of recipe.chips) await this.ensureLandmarks(chip.landmarks ?? 'default');
    const results = await this.pool(
      { job: 'embed', dataDir: this.dataDir, modelsDir: path.join(REPO, 'models'), recipe },
      this.images.map((p, i) => ({ path: p, ...(this.faces[i] ? { face: this.faces[i]! } : {}) })),
      recipe.name,
    );
    const all = new Float32Array(this.images.length * DIM).fill(Number.NaN);
    const rows = results.map((r, i) => {
      if (r.job !== 'embed') return null;
      all.set(r.embedding, i * DIM);
      return r.embedding;
    });
    await writeFile(file, Buffer.from(all.buffer, all.byteOffset, all.byteLength));
    return rows;
  }

  /** Scores a recipe (or an ensemble `a+b+…` of recipes) and evaluates the 10-fold protocol. */
  async evaluate(name: string): Promise<ResultRow> {
    const parts = name.split('+').map(recipeByName);
    const sets: (Float32Array | null)[][] = [];
    for (const r of parts) sets.push(await this.embeddings(r));
    const combined = this.images.map((_, i) => {
      const rows = sets.map((s) => s[i]);
      if (rows.some((r) => !r)) return null;
      const out = new Float32Array(DIM);
      for (const r of rows) for (let k = 0; k < DIM; k += 1) out[k]! += r![k]!;
      const norm = Math.hypot(...out);
      return out.map((v) => v / norm);
    });
    const scores: PairScore[] = this.pairs.map((p) => {
      const a = combined[p.ia];
      const b = combined[p.ib];
      if (!a || !b) return null;
      let dot = 0;
      for (let k = 0; k < DIM; k += 1) dot += a[k]! * b[k]!;
      return dot;
    });
    const m = evaluateProtocol(this.pairs, scores);
    return {
      name,
      description: parts.map((r) => r.description).join(' + '),
      mean: m.accuracy.mean,
      std: m.accuracy.std ?? 0,
      auc: m.auc,
      tar3: m.tarAtFar['1e-3'],
      tar2: m.tarAtFar['1e-2'],
      eer: m.eer,
      noFace: m.noFacePairs,
      chipsPerImage: parts.reduce((s, r) => s + r.chips.length * (r.flip ? 2 : 1), 0),
    };
  }
}

function formatRow(r: ResultRow): string {
  const pct = (v: number, d = 2): string => (v * 100).toFixed(d);
  return `| ${r.name} | ${pct(r.mean)} ± ${pct(r.std)} | ${r.auc.toFixed(5)} | ${pct(r.tar3, 1)} | ${pct(r.tar2, 1)} | ${pct(r.eer)} | ${r.chipsPerImage} |`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const resultsFile = path.join(args.cacheDir, 'results.json');
  await mkdir(args.cacheDir, { recursive: true });
  // Re-read before every write: several runs may share the file.
  const readStored = async (): Promise<Record<string, ResultRow>> =>
    (await exists(resultsFile)) ? (JSON.parse(await readFile(resultsFile, 'utf8')) as Record<string, ResultRow>) : {};
  if (!args.tableOnly) {
    const exp = await Experiments.open(args);
    await exp.loadFaces();
    for (const name of args.recipes) {
      const row = await exp.evaluate(name);
      await writeFile(resultsFile, JSON.stringify({ ...(await readStored()), [name]: row }, null, 2));
      console.log(formatRow(row));
    }
  }
  const stored = await readStored();
  console.log('\n| recipe | accuracy % (mean ± std) | AUC | TAR@1e-3 % | TAR@1e-2 % | EER % | chips/img |\n|---|---|---|---|---|---|---|');
  const rows = Object.values(stored).sort((a, b) => b.mean - a.mean);
  for (const r of rows) console.log(formatRow(r));
}

await main();

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lfwDirOrSkip, lfwImage } from './fixtures/lfw.js';
import { schemaErrors } from './providers-schemas.js';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'src', 'cli.js');
const LFW = lfwDirOrSkip('cli');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  json: unknown;
}

/** Runs the built CLI (npm test builds first) and parses its stdout as JSON when it is JSON. */
function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      let json: unknown;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr, json });
    });
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'facematch-cli-'));
  await writeFile(path.join(dir, 'doc.pdf'), '%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('facematch CLI usage', () => {
  it('prints help and the version', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/facematch compare <user_image> <ref_image>/);
    const version = await cli('--version');
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('exits 2 on usage errors', async () => {
    expect((await cli('compare', 'only-one.jpg')).code).toBe(2);
    expect((await cli('compare', 'a.jpg', 'b.jpg', '--format', 'xml')).code).toBe(2);
    expect((await cli('frobnicate')).code).toBe(2);
    expect((await cli('compare', 'a.jpg', 'b.jpg', '--bogus')).code).toBe(2);
  });

  it('words usage errors itself: an unknown flag or command names the closest one', async () => {
    const flag = await cli('compare', 'a.jpg', 'b.jpg', '--frmat', 'didit');
    expect(flag.code).toBe(2);
    expect(flag.stdout).toBe('');
    expect(flag.stderr).toBe('facematch: unknown option --frmat; did you mean --format?\nRun "facematch compare --help" for usage.\n');
    const command = await cli('comapre', 'a.jpg', 'b.jpg');
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/^facematch: unknown command "comapre"; did you mean "compare"\? The commands: compare, bench, serve, datasets, models\n/);
    const missing = await cli('compare', 'a.jpg', 'b.jpg', '--format');
    expect(missing.stderr).toMatch(/^facematch: --format expects a value\n/);
    const negative = await cli('compare', 'a.jpg', 'b.jpg', '--format', 'didit', '--threshold', '-5');
    expect(negative.stderr).toMatch(/^facematch: --threshold expects a value; to give one that starts with "-", write --threshold=-5\n/);
    const value = await cli('compare', 'a.jpg', 'b.jpg', '--format', 'diddit');
    expect(value.stderr).toMatch(/^facematch: --format expects one of raw, didit, attestr, received "diddit"; did you mean didit\?\n/);
    const bench = await cli('bench', 'lfw', '--limt', '10');
    expect(bench.code).toBe(2);
    expect(bench.stderr).toBe('facematch: unknown option --limt; did you mean --limit?\nRun "facematch bench --help" for usage.\n');
  });

  it('--backend node without tfjs-node: the error document on stdout, exit 1', async () => {
    const raw = await cli('compare', 'a.jpg', 'b.jpg', '--backend', 'node');
    expect(raw.code).toBe(1);
    expect(raw.json).toMatchObject({ error: { code: 'BACKEND_ERROR', field: 'backend', message: expect.stringMatching(/@tensorflow\/tfjs-node/) } });
    const didit = await cli('compare', 'a.jpg', 'b.jpg', '--backend', 'node', '--format', 'didit');
    expect(didit.code).toBe(1);
    expect(schemaErrors('diditError', didit.json)).toBe('');
    expect(didit.stderr).toMatch(/BACKEND_ERROR: .*@tensorflow\/tfjs-node/);
    const attestr = await cli('compare', 'a.jpg', 'b.jpg', '--backend', 'node', '--format', 'attestr', '--threshold', '70');
    expect(attestr.code).toBe(1);
    expect(schemaErrors('attestrError', attestr.json)).toBe('');
  });

  it('Didit thresholds that contradict each other: the 400 document names both flags, before any image is read', async () => {
    const r = await cli('compare', 'missing-a.jpg', 'missing-b.jpg', '--format', 'didit', '--threshold', '60', '--approve-threshold', '40');
    expect(r.code).toBe(1);
    expect(r.json).toEqual({ detail: 'Expected at most --approve-threshold (40) for --threshold but received 60' });
    const range = await cli('compare', 'missing-a.jpg', 'missing-b.jpg', '--format', 'didit', '--threshold', '150');
    expect(range.json).toEqual({ detail: 'Expected a number from 0 to 100 for --threshold but received 150' });
  });

  it('a missing file under --format didit names the field once', async () => {
    const r = await cli('compare', path.join(dir, 'absent.jpg'), path.join(dir, 'doc.pdf'), '--format', 'didit');
    expect(r.code).toBe(1);
    const detail = (r.json as { detail: string }).detail;
    expect(detail).toMatch(/^Expected a readable image file for user_image but /);
    expect(detail.match(/user_image/g)).toHaveLength(1);
  });

  it('prints no tfjs "install our node backend" banner, even on the cpu backend', async () => {
    const blank = path.join(dir, 'banner-blank.jpg');
    await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 120, g: 110, b: 100 } } }).jpeg().toFile(blank);
    const r = await cli('compare', blank, blank, '--backend', 'cpu');
    expect(r.json).toMatchObject({ error: { code: 'NO_FACE' } });
    expect(r.stderr).not.toMatch(/looks like you are running TensorFlow\.js in Node\.js/);
    expect(r.stdout).not.toMatch(/looks like you are running TensorFlow\.js/);
  });

  it('answers an Attestr threshold outside 1-100 with its 4001 document', async () => {
    const r = await cli('compare', 'a.jpg', 'b.jpg', '--format', 'attestr', '--threshold', '150');
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ code: 4001 });
    expect(schemaErrors('attestrError', r.json)).toBe('');
  });
});

describe.skipIf(!LFW)('facematch compare on LFW images (FACEMATCH_LFW_DIR)', () => {
  const files: Record<string, string> = {};
  beforeAll(async () => {
    // Didit wants at least 480x480: upscale 250x250 LFW images to 500x500.
    const up = async (key: string, name: string, n: number) => {
      files[key] = path.join(dir, `${key}.jpg`);
      await sharp(lfwImage(LFW!, name, n)).resize(500, 500).jpeg({ quality: 92 }).toFile(files[key]!);
    };
    await up('a1', 'Aaron_Peirsol', 1);
    await up('a2', 'Aaron_Peirsol', 2);
    await up('b1', 'Angela_Bassett', 1);
    files['small'] = lfwImage(LFW!, 'Aaron_Peirsol', 3);
  });

  it('Didit: a same-person pair is approved or in review with a score above 50', async () => {
    const r = await cli('compare', files['a1']!, files['a2']!, '--format', 'didit');
    expect(r.code).toBe(0);
    expect(schemaErrors('diditResponse', r.json)).toBe('');
    const fm = (r.json as { face_match: { status: string; score: number; source_image: string } }).face_match;
    expect(['Approved', 'In Review']).toContain(fm.status);
    expect(fm.score).toBeGreaterThan(50);
    expect(fm.source_image).toMatch(/^data:image\/jpeg;base64,/);
  });

  it('Didit: a different-person pair is declined below 30', async () => {
    const r = await cli('compare', files['a1']!, files['b1']!, '--format', 'didit');
    expect(r.code).toBe(0);
    const fm = (r.json as { face_match: { status: string; score: number } }).face_match;
    expect(fm.status).toBe('Declined');
    expect(fm.score).toBeLessThan(30);
  });

  it('Attestr, threshold 70: matched with targetFrontMatch >= 70, and not matched', async () => {
    const same = await cli('compare', files['a1']!, files['a2']!, '--format', 'attestr', '--threshold', '70');
    expect(same.code).toBe(0);
    expect(schemaErrors('attestrResponse', same.json)).toBe('');
    expect(same.json).toMatchObject({ valid: true, status: 'FACE_MATCHED' });
    expect((same.json as { targetFrontMatch: number }).targetFrontMatch).toBeGreaterThanOrEqual(70);
    const diff = await cli('compare', files['a1']!, files['b1']!, '--format', 'attestr', '--threshold', '70');
    expect(diff.code).toBe(0);
    expect(diff.json).toMatchObject({ valid: false, status: 'FACE_NOT_MATCHED' });
    expect(diff.json).not.toHaveProperty('targetFrontMatch', expect.any(Number));
  });

  it('a PDF as user_image: Didit names the accepted formats, Attestr says INVALID_FILE_FORMAT', async () => {
    const didit = await cli('compare', path.join(dir, 'doc.pdf'), files['a1']!, '--format', 'didit');
    expect(didit.code).toBe(1);
    expect(schemaErrors('diditError', didit.json)).toBe('');
    expect((didit.json as { detail: string }).detail).toMatch(/JPEG, PNG, WebP/);
    const attestr = await cli('compare', path.join(dir, 'doc.pdf'), files['a1']!, '--format', 'attestr', '--threshold', '70');
    expect(attestr.json).toMatchObject({ status: 'INVALID_FILE_FORMAT' });
    expect(attestr.code).toBe(1);
  });

  it('no face in user_image: Didit declines with NO_FACE_DETECTED, Attestr says srcValid false (exit 0)', async () => {
    const blank = path.join(dir, 'blank.jpg');
    await sharp({ create: { width: 500, height: 500, channels: 3, background: { r: 200, g: 190, b: 180 } } }).jpeg().toFile(blank);
    const didit = await cli('compare', blank, files['a1']!, '--format', 'didit');
    expect(didit.code).toBe(0);
    expect(schemaErrors('diditResponse', didit.json)).toBe('');
    const fm = (didit.json as { face_match: { status: string; warnings: { risk: string }[] } }).face_match;
    expect(fm.status).toBe('Declined');
    expect(fm.warnings.map((w) => w.risk)).toContain('NO_FACE_DETECTED');
    const attestr = await cli('compare', blank, files['a1']!, '--format', 'attestr', '--threshold', '70');
    expect(attestr.code).toBe(0);
    expect(attestr.json).toMatchObject({ valid: false, status: 'FACE_NOT_MATCHED', srcValid: false, targetFrontValid: true });
  });

  it('a 250x250 image under the didit preset gives a 400 detail about the minimum resolution', async () => {
    const r = await cli('compare', files['small']!, files['a1']!, '--format', 'didit');
    expect(r.code).toBe(1);
    expect((r.json as { detail: string }).detail).toMatch(/480/);
  });

  it('--min-quality: a heavily blurred ref_image is declined with LOW_FACE_QUALITY', async () => {
    const blurred = path.join(dir, 'blurred.jpg');
    await sharp(files['a2']!).blur(6).jpeg().toFile(blurred);
    const r = await cli('compare', files['a1']!, blurred, '--format', 'didit', '--min-quality', '50');
    expect(r.code).toBe(0);
    expect(schemaErrors('diditResponse', r.json)).toBe('');
    const fm = (r.json as { face_match: { status: string; warnings: { risk: string; log_type: string }[] } }).face_match;
    expect(fm.status).toBe('Declined');
    expect(fm.warnings).toContainEqual(expect.objectContaining({ risk: 'LOW_FACE_QUALITY', log_type: 'error' }));
    expect((await cli('compare', files['a1']!, blurred, '--min-quality', '101')).code).toBe(2);
  });

  it('--embedder and --face-selection reach the matcher, and a malformed embedder is a usage error', async () => {
    const r = await cli('compare', files['a1']!, files['a2']!, '--embedder', 'dlib-resnet', '--face-selection', 'center');
    expect(r.code).toBe(0);
    expect((r.json as { embedder: string }).embedder).toBe('dlib-resnet');
    const bad = await cli('compare', files['a1']!, files['a2']!, '--embedder', 'arcface');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--embedder: Expected 'dlib-resnet'/);
    expect((await cli('compare', files['a1']!, files['a2']!, '--face-selection', 'middle')).code).toBe(2);
  });

  it('raw format: the match result without chip pixels', async () => {
    const r = await cli('compare', files['a1']!, files['a2']!);
    expect(r.code).toBe(0);
    const json = r.json as { score: number; similarity: number; source: { chip: object; faceCount: number } };
    expect(json.source.chip).toEqual({ width: 150, height: 150 });
    expect(json.similarity).toBeGreaterThan(0.9);
  });
});

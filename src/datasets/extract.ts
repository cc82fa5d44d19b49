/**
 * Unpacks a `.tgz` archive with the system's `tar` program (present on Linux and macOS, and on
 * Windows 10 and later as bsdtar). Extraction happens in a temporary folder next to the target and
 * the archive's top-level folder is renamed into place only when `tar` succeeded, so an interrupted
 * extraction never leaves a half-filled dataset folder behind.
 * @module
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { FaceMatchError } from '../errors.js';

function runTar(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      if (stderr.length < 4000) stderr += s;
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(
        new FaceMatchError(
          'INVALID_INPUT',
          err.code === 'ENOENT' ? 'extracting a .tgz archive needs the `tar` program, which was not found on the PATH' : `cannot run tar: ${err.message}`,
          { field: 'archive', cause: err },
        ),
      );
    });
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new FaceMatchError('INVALID_INPUT', `tar ${args.join(' ')} failed with exit code ${code}: ${stderr.trim()}`, { field: 'archive' }));
    });
  });
}

/**
 * Extracts `archive` (gzip-compressed tar) into `destDir` and checks that it created the folder
 * `creates` there. An existing `destDir/creates` is replaced.
 *
 * @returns the absolute path of the created folder
 * @throws {@link FaceMatchError} `INVALID_INPUT` when `tar` is missing or fails, or when the archive
 *   does not hold the expected top-level folder.
 * @category Datasets
 */
export async function extractTgz(archive: string, destDir: string, creates: string): Promise<string> {
  const dest = path.resolve(destDir);
  const tmp = path.join(dest, `.extract-${randomBytes(4).toString('hex')}`);
  const target = path.join(dest, creates);
  await mkdir(tmp, { recursive: true });
  try {
    await runTar(['-xzf', path.resolve(archive), '-C', tmp, '--no-same-owner']);
    const created = path.join(tmp, creates);
    const ok = await stat(created).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!ok) {
      throw new FaceMatchError('INVALID_INPUT', `expected ${path.basename(archive)} to contain the folder ${creates}/, but it does not`, {
        field: 'archive',
      });
    }
    await rm(target, { recursive: true, force: true });
    await rename(created, target);
    return target;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

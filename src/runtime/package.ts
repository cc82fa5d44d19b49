import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The facematch package's root folder: the nearest ancestor of this module holding both a
 * `package.json` and `models/manifest.json`. The same code runs from `src/runtime` in development
 * and from `dist/src/runtime` when installed.
 *
 * @category Runtime
 */
export function packageRoot(): string {
  if (root === undefined) {
    const start = path.dirname(fileURLToPath(import.meta.url));
    for (let dir = start; ; dir = path.dirname(dir)) {
      if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'models', 'manifest.json'))) {
        root = dir;
        break;
      }
      if (path.dirname(dir) === dir) {
        root = path.resolve(start, '..', '..');
        break;
      }
    }
  }
  return root;
}

/**
 * The version of the installed facematch package.
 *
 * @category Runtime
 */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

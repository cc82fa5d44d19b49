/**
 * `facematch serve`: run the service from a configuration file, or write a fresh one with `--init`.
 * @module
 */
import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { applyServeOverrides, createExampleConfig, readServeConfig } from '../serve/config.js';
import { createServer } from '../serve/create.js';
import { UsageError, numberOption } from './usage.js';

/** @internal */
export const SERVE_USAGE = `Usage:
  facematch serve --config FILE [--host H] [--port P] [--workers N]
  facematch serve --init FILE [--force]

--config FILE   run the Didit v2 / Attestr v2 compatible service (JSON, schemas/serve-config.schema.json);
                FACEMATCH_SERVE_* environment variables override the file, flags override both
--init FILE     write an example configuration with one fresh Didit client and one Attestr client
                (their secrets scrypt-hashed in the file, mode 0600) and print the plaintext
                credentials once, as JSON on stdout; --force overwrites an existing FILE

Logs are JSON lines on stdout. SIGTERM or SIGINT: stop accepting, finish in-flight requests within
shutdownGraceMs, exit 0 (1 when the grace period ran out). See docs/self-hosting.md.`;

async function init(file: string, force: boolean): Promise<number> {
  if (existsSync(file) && !force) throw new UsageError(`${file} exists; pass --force to overwrite it`);
  const { config, credentials } = await createExampleConfig();
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  process.stdout.write(`${JSON.stringify(credentials)}\n`);
  process.stderr.write(`facematch: wrote ${file}; the credentials above are not stored anywhere in plaintext.\n`);
  return 0;
}

async function run(file: string, flags: { host?: string; port?: number; workers?: number }): Promise<number> {
  const config = applyServeOverrides(readServeConfig(file), process.env, flags);
  const server = await createServer({ config });
  const { url, authUrl } = await server.listen();
  server.app.log.info({ url, authUrl, workers: server.config.workers, store: server.config.store.type }, 'facematch serve ready');
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      server.app.log.info({ signal, graceMs: server.config.shutdownGraceMs }, 'shutting down: finishing in-flight requests');
      const force = setTimeout(() => {
        server.app.log.error({ graceMs: server.config.shutdownGraceMs }, 'grace period over: exiting with requests still in flight');
        process.exit(1);
      }, server.config.shutdownGraceMs);
      server.close().then(
        () => {
          clearTimeout(force);
          server.app.log.info('shut down cleanly');
          // Exit once the event loop is empty; do not hang on a stray handle.
          setTimeout(() => process.exit(0), 1000).unref();
          resolve(0);
        },
        (err: unknown) => {
          clearTimeout(force);
          server.app.log.error({ err }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

/** @internal */
export async function runServe(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        config: { type: 'string' },
        init: { type: 'string' },
        force: { type: 'boolean' },
        host: { type: 'string' },
        port: { type: 'string' },
        workers: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(`${SERVE_USAGE}\n`);
    return 0;
  }
  if (v.init !== undefined) {
    if (v.config !== undefined) throw new UsageError('--init and --config cannot be combined');
    return init(v.init, v.force === true);
  }
  if (v.config === undefined) throw new UsageError('serve expects --config FILE (or --init FILE to write one)');
  const port = numberOption(v.port, 'port');
  const workers = numberOption(v.workers, 'workers');
  return run(v.config, { ...(v.host === undefined ? {} : { host: v.host }), ...(port === undefined ? {} : { port }), ...(workers === undefined ? {} : { workers }) });
}

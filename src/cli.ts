#!/usr/bin/env node
/**
 * The `facematch` command: `compare`, `serve`, `bench lfw`, `datasets fetch lfw`. Prints JSON on stdout,
 * progress and diagnostics on stderr.
 * @module
 */
import { FaceMatchError } from './errors.js';
import { packageVersion } from './runtime/package.js';
import { runCompare, COMPARE_OPTIONS, COMPARE_USAGE } from './cli/compare.js';
import { runDatasets, DATASETS_OPTIONS, DATASETS_USAGE } from './cli/datasets.js';
import { runModels, MODELS_OPTIONS, MODELS_USAGE } from './cli/models.js';
import { parseCommandArgs, unknownCommand, UsageError, type CommandOptions } from './cli/usage.js';

const USAGE = `facematch ${packageVersion()}: face verification for Node.js

Usage:
  facematch compare <user_image> <ref_image> [options]   match two images, print JSON
  facematch serve --config FILE | --init FILE            run the Didit/Attestr compatible service
  facematch bench lfw [options]                          run the LFW benchmark
  facematch datasets fetch lfw [--dir DIR]               download LFW with checksums
  facematch models add|list|remove …                     your own ONNX face models
  facematch --help | --version

Run "facematch <command> --help" for a command's options.
Exit codes: 0 a response was produced; 1 the response is an error document; 2 usage error.`;

/** A command: its help, its options and what runs it; or a runner loaded on demand, which parses its own arguments. */
type Command =
  | { usage: string; options: CommandOptions; run: (values: Record<string, unknown>, positionals: string[]) => Promise<number> }
  | { load: () => Promise<(args: string[]) => Promise<number>> };

/**
 * The bench: a separate entry point of the package (`facematch/bench`), imported by name only
 * when asked for, so that nothing in src/ depends on bench/. The variable keeps tsc from
 * resolving it (it would need a build of bench/ to type-check src/).
 */
async function loadBench(): Promise<(args: string[]) => Promise<number>> {
  const specifier = 'facematch/bench';
  const bench = (await import(specifier)) as { runBench: (args: string[]) => Promise<number> };
  return bench.runBench;
}

const commands: Record<string, Command> = {
  compare: { usage: COMPARE_USAGE, options: COMPARE_OPTIONS, run: runCompare },
  bench: { load: loadBench },
  // Loaded on demand: the service's dependencies (fastify, ioredis, prom-client) stay out of the other commands.
  serve: { load: async () => (await import('./cli/serve.js')).runServe },
  datasets: { usage: DATASETS_USAGE, options: DATASETS_OPTIONS, run: runDatasets },
  models: { usage: MODELS_USAGE, options: MODELS_OPTIONS, run: runModels },
};

/** The command being run, for the "--help" hint of a usage error. */
let current: string | undefined;

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const spec = Object.hasOwn(commands, command) ? commands[command] : undefined;
  if (spec === undefined) throw unknownCommand(command, Object.keys(commands));
  current = command;
  if ('load' in spec) return (await spec.load())(rest);
  const { values, positionals } = parseCommandArgs(rest, spec.options, command);
  if (values['help']) {
    process.stdout.write(`${spec.usage}\n`);
    return 0;
  }
  return spec.run(values, positionals);
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      const command = err.command ?? current;
      process.stderr.write(`facematch: ${err.message}\nRun "facematch ${command === undefined ? '' : `${command} `}--help" for usage.\n`);
      process.exitCode = 2;
    } else if (err instanceof FaceMatchError) {
      process.stderr.write(`facematch: ${err.code}: ${err.message}\n`);
      process.exitCode = err.code === 'INVALID_INPUT' ? 2 : 1;
    } else {
      process.stderr.write(`facematch: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 1;
    }
  },
);

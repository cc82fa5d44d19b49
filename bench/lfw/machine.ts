/**
 * What machine a benchmark ran on, for the report.
 * @module
 */
import os from 'node:os';
import type { MachineInfo } from './types.js';

/**
 * CPU model, logical cores, memory, Node.js version and OS of this machine.
 *
 * @category Benchmark
 */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim().replace(/\s+/g, ' ') ?? 'unknown',
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.platform()} ${os.arch()}`,
  };
}

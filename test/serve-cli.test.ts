/**
 * `facematch serve` as a process: --init, a bad config, and SIGTERM while a request is in flight.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeJpeg, naturalImage } from './fixtures/images.js';
import { assertBuilt, CLI, diditForm, diditToken } from './fixtures/serve.js';

const dir = mkdtempSync(path.join(tmpdir(), 'facematch-serve-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  assertBuilt();
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

describe('facematch serve --init', () => {
  it('writes a valid config with hashed secrets (mode 0600) and prints the plaintext credentials once', async () => {
    const file = path.join(dir, 'init.json');
    const r = await cli('serve', '--init', file);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const creds = JSON.parse(lines[0]!) as { didit: { clientId: string; clientSecret: string }; attestr: { authToken: string } };
    expect(Object.keys(creds)).toEqual(['didit', 'attestr']);
    expect(Object.keys(creds.didit)).toEqual(['clientId', 'clientSecret']);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(creds.didit.clientId);
    expect(text).not.toContain(creds.didit.clientSecret);
    expect(text).not.toContain(creds.attestr.authToken);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = await cli('serve', '--init', file);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists; pass --force/);
  });

  it('exits 2 with the problem for an invalid config, and for bad usage', async () => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ port: 'eighty' }));
    const r = await cli('serve', '--config', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/INVALID_INPUT: .*port to be integer/);
    expect((await cli('serve')).code).toBe(2);
    expect((await cli('serve', '--config', path.join(dir, 'missing.json'))).stderr).toMatch(/could not be read/);
  });
});

describe('facematch serve under SIGTERM', () => {
  it('finishes the request in flight, then exits 0', async () => {
    const file = path.join(dir, 'run.json');
    const init = await cli('serve', '--init', file);
    const creds = JSON.parse(init.stdout) as { didit: { clientId: string; clientSecret: string } };
    const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...config, port: 0, workers: 1, shutdownGraceMs: 60_000 }));
    const child = spawn(process.execPath, [CLI, 'serve', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: Record<string, any>[] = [];
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let buffered = '';
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        lines.push(JSON.parse(buffered.slice(0, nl)));
        buffered = buffered.slice(nl + 1);
      }
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const waitLine = async (pred: (l: Record<string, any>) => boolean, what: string) => {
      const until = Date.now() + 90_000;
      for (;;) {
        const hit = lines.find(pred);
        if (hit) return hit;
        if (child.exitCode !== null || Date.now() > until) throw new Error(`no log line for ${what}; stderr: ${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    try {
      const ready = await waitLine((l) => l.msg === 'facematch serve ready', 'ready');
      const url = ready.url as string;
      const token = await diditToken(url, creds.didit.clientId, creds.didit.clientSecret);
      // A 2,000 × 2,000 photo without a face: decoding and both detectors keep the worker busy a while.
      const big = await encodeJpeg(naturalImage(2000, 2000, 5), 80);
      const pending = fetch(`${url}/v2/face-match`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: diditForm(big, big) });
      const incoming = await waitLine((l) => l.msg === 'incoming request' && l.req?.url === '/v2/face-match', 'the face-match request');
      child.kill('SIGTERM');
      const response = await pending;
      expect(response.status).toBe(200);
      expect(((await response.json()) as { face_match: { status: string } }).face_match.status).toBe('Declined');
      expect(await exited).toBe(0);
      const order = lines.map((l) => (l.msg === 'shutting down: finishing in-flight requests' ? 'sigterm' : l.reqId === incoming.reqId && l.msg === 'request completed' ? 'completed' : '')).filter(Boolean);
      expect(order).toEqual(['sigterm', 'completed']);
      expect(lines.some((l) => l.msg === 'shut down cleanly')).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

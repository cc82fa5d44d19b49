/**
 * Progress of a long benchmark run: on a terminal, one line redrawn in place with a bar, the count,
 * the rate and the time left; in a log (CI, a file), a plain line every few seconds.
 * @module
 */

/**
 * Where progress is written: `process.stderr` fits.
 *
 * @category Benchmark
 */
export interface ProgressStream {
  /** Writes text. */
  write(text: string): unknown;
  /** True for a terminal: the line is redrawn in place. */
  isTTY?: boolean;
  /** Terminal width in characters, when known. */
  columns?: number;
}

/**
 * Options of {@link ProgressReporter}.
 *
 * @category Benchmark
 */
export interface ProgressOptions {
  /** Number of items to do. */
  total: number;
  /** What is being done, such as `embedding`. Default `progress`. */
  label?: string;
  /** Unit of the rate. Default `img`. */
  unit?: string;
  /** Where to write. Default `process.stderr`. */
  stream?: ProgressStream;
  /** Seconds between plain lines when the stream is not a terminal. Default 10. */
  intervalSeconds?: number;
  /** Milliseconds between redraws on a terminal. Default 100. */
  redrawMs?: number;
  /** Clock in milliseconds. Default `performance.now`. */
  now?: () => number;
}

/**
 * What one progress line shows.
 *
 * @category Benchmark
 */
export interface ProgressState {
  /** Label in front of the line. */
  label: string;
  /** Items done. */
  done: number;
  /** Items in all. */
  total: number;
  /** Items per second so far. */
  rate: number;
  /** Unit of the rate. */
  unit: string;
  /** Seconds since the start. */
  elapsedSeconds: number;
}

/**
 * A duration as `m:ss` or `h:mm:ss`; `--:--` when unknown (not finite or negative).
 *
 * @category Benchmark
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * Time left at the current rate, as {@link formatDuration} writes it: `--:--` before any progress.
 *
 * @category Benchmark
 */
export function formatEta(done: number, total: number, rate: number): string {
  if (done >= total) return formatDuration(0);
  return rate > 0 ? formatDuration((total - done) / rate) : formatDuration(Number.NaN);
}

/**
 * A bar of `width` cells, filled in proportion to `fraction` (clamped to 0–1), with eighth-cell
 * resolution: `█████▌░░░░`.
 *
 * @category Benchmark
 */
export function renderBar(fraction: number, width: number): string {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const eighths = Math.round(f * width * 8);
  const full = Math.floor(eighths / 8);
  const partial = eighths % 8;
  const partials = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
  const head = '█'.repeat(full) + (partial > 0 ? partials[partial]! : '');
  return head + '░'.repeat(width - full - (partial > 0 ? 1 : 0));
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function rateText(state: ProgressState): string {
  return `${state.rate >= 100 ? state.rate.toFixed(0) : state.rate.toFixed(1)} ${state.unit}/s`;
}

/**
 * One progress line: `embedding ████▌░░░░░ 3,200/7,701  41.6%  63.2 img/s  ETA 1:11`. Without a
 * bar width (logs) the bar is left out.
 *
 * @category Benchmark
 */
export function formatProgressLine(state: ProgressState, barWidth = 0): string {
  const fraction = state.total > 0 ? state.done / state.total : 1;
  const parts = [state.label];
  if (barWidth > 0) parts.push(renderBar(fraction, barWidth));
  parts.push(`${count(state.done)}/${count(state.total)}`, ` ${(fraction * 100).toFixed(1)}%`, ` ${rateText(state)}`);
  parts.push(state.done >= state.total ? ` in ${formatDuration(state.elapsedSeconds)}` : ` ETA ${formatEta(state.done, state.total, state.rate)}`);
  return parts.join(' ');
}

/**
 * Reports progress of a counted job. Call {@link ProgressReporter.tick} as items finish and
 * {@link ProgressReporter.finish} at the end.
 *
 * @example
 * ```ts
 * const progress = new ProgressReporter({ total: images.length, label: 'embedding' });
 * for (const img of images) { await embed(img); progress.tick(); }
 * progress.finish();
 * ```
 * @category Benchmark
 */
export class ProgressReporter {
  private readonly total: number;
  private readonly label: string;
  private readonly unit: string;
  private readonly stream: ProgressStream;
  private readonly intervalMs: number;
  private readonly redrawMs: number;
  private readonly now: () => number;
  private readonly start: number;
  private done = 0;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private finished = false;

  /** @param options - total, label, stream and timings */
  constructor(options: ProgressOptions) {
    this.total = options.total;
    this.label = options.label ?? 'progress';
    this.unit = options.unit ?? 'img';
    this.stream = options.stream ?? process.stderr;
    this.intervalMs = (options.intervalSeconds ?? 10) * 1000;
    this.redrawMs = options.redrawMs ?? 100;
    this.now = options.now ?? (() => performance.now());
    this.start = this.now();
    this.lastDraw = this.stream.isTTY === true ? Number.NEGATIVE_INFINITY : this.start;
  }

  /** The current state. */
  state(): ProgressState {
    const elapsedSeconds = (this.now() - this.start) / 1000;
    return {
      label: this.label,
      done: this.done,
      total: this.total,
      rate: elapsedSeconds > 0 ? this.done / elapsedSeconds : 0,
      unit: this.unit,
      elapsedSeconds,
    };
  }

  /** Marks `n` more items done (default 1) and redraws when it is time. */
  tick(n = 1): void {
    this.update(this.done + n);
  }

  /** Sets the number of items done and redraws when it is time. */
  update(done: number): void {
    if (this.finished) return;
    this.done = Math.min(done, this.total);
    const t = this.now();
    if (t - this.lastDraw < (this.stream.isTTY === true ? this.redrawMs : this.intervalMs)) return;
    this.lastDraw = t;
    this.draw(false);
  }

  /** Writes the final line (total time and mean rate) and ends the display. Later calls do nothing. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.draw(true);
  }

  private draw(final: boolean): void {
    const state = this.state();
    if (this.stream.isTTY === true) {
      const columns = this.stream.columns ?? 80;
      const plain = formatProgressLine(state);
      const barWidth = Math.max(0, Math.min(30, columns - plain.length - 2));
      this.stream.write(`\r${formatProgressLine(state, barWidth)}\x1b[K${final ? '\n' : ''}`);
    } else {
      this.stream.write(`${formatProgressLine(state)}\n`);
    }
  }
}

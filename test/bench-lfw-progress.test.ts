import { describe, expect, it } from 'vitest';
import { formatDuration, formatEta, formatProgressLine, ProgressReporter, renderBar, type ProgressStream } from '../bench/lfw/progress.js';

/** A stream that records what is written, with a clock the test moves. */
function fakeStream(isTTY: boolean): ProgressStream & { text: string } {
  return {
    text: '',
    isTTY,
    columns: 100,
    write(s: string) {
      this.text += s;
    },
  };
}

describe('progress formatting', () => {
  it('formats durations as m:ss or h:mm:ss, unknown as --:--', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(59.4)).toBe('0:59');
    expect(formatDuration(59.6)).toBe('1:00');
    expect(formatDuration(3599)).toBe('59:59');
    expect(formatDuration(3600 + 62)).toBe('1:01:02');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('--:--');
    expect(formatDuration(Number.NaN)).toBe('--:--');
    expect(formatDuration(-1)).toBe('--:--');
  });

  it('estimates the time left from the rate', () => {
    expect(formatEta(100, 7701, 50)).toBe('2:32'); // 7601 / 50 = 152.02 s
    expect(formatEta(0, 10, 0)).toBe('--:--');
    expect(formatEta(10, 10, 0)).toBe('0:00');
  });

  it('draws bars with eighth-cell resolution and clamps the fraction', () => {
    expect(renderBar(0, 10)).toBe('░'.repeat(10));
    expect(renderBar(1, 10)).toBe('█'.repeat(10));
    expect(renderBar(0.5, 10)).toBe('█████░░░░░');
    expect(renderBar(0.55, 10)).toBe('█████▌░░░░');
    expect(renderBar(2, 4)).toBe('████');
    expect(renderBar(-1, 4)).toBe('░░░░');
    for (const f of [0, 0.01, 0.33, 0.999, 1]) expect([...renderBar(f, 17)]).toHaveLength(17);
  });

  it('formats a line with count, percentage, rate and ETA, or the total time when done', () => {
    const state = { label: 'embedding', done: 3200, total: 7701, rate: 63.24, unit: 'img', elapsedSeconds: 50.6 };
    expect(formatProgressLine(state)).toBe('embedding 3,200/7,701  41.6%  63.2 img/s  ETA 1:11');
    expect(formatProgressLine(state, 10)).toBe('embedding ████▏░░░░░ 3,200/7,701  41.6%  63.2 img/s  ETA 1:11');
    expect(formatProgressLine({ ...state, done: 7701, rate: 152.2, elapsedSeconds: 50.6 })).toBe('embedding 7,701/7,701  100.0%  152 img/s  in 0:51');
  });
});

describe('ProgressReporter', () => {
  it('redraws one line in place on a terminal, at most every redrawMs', () => {
    let t = 0;
    const stream = fakeStream(true);
    const p = new ProgressReporter({ total: 4, label: 'embedding', stream, now: () => t, redrawMs: 100 });
    t = 1000;
    p.tick(); // first draw
    t = 1050;
    p.tick(); // too soon: no redraw
    t = 2000;
    p.tick();
    p.finish();
    p.finish(); // once only
    const frames = stream.text.split('\r').filter((s) => s !== '');
    expect(frames).toHaveLength(3);
    /* eslint-disable no-control-regex -- the escape \x1b[K (erase to the end of the line) is what these lines check */
    expect(frames[0]).toMatch(/^embedding [█▏▎▍▌▋▊▉]+░+ 1\/4 {2}25\.0% {2}1\.0 img\/s {2}ETA 0:03\x1b\[K$/);
    expect(frames[1]).toMatch(/ 3\/4 {2}75\.0% {2}1\.5 img\/s {2}ETA 0:01\x1b\[K$/);
    expect(frames[2]).toMatch(/ 3\/4 .*\x1b\[K\n$/);
    /* eslint-enable no-control-regex */
    expect(stream.text.split('\n')).toHaveLength(2);
  });

  it('writes a plain line every intervalSeconds to a log, and a final line', () => {
    let t = 0;
    const stream = fakeStream(false);
    const p = new ProgressReporter({ total: 100, label: 'embedding', stream, now: () => t, intervalSeconds: 10 });
    for (let i = 1; i <= 100; i++) {
      t = i * 250; // 4 items per second, 25 s in all
      p.tick();
    }
    p.finish();
    expect(stream.text).toBe(
      [
        'embedding 40/100  40.0%  4.0 img/s  ETA 0:15',
        'embedding 80/100  80.0%  4.0 img/s  ETA 0:05',
        'embedding 100/100  100.0%  4.0 img/s  in 0:25',
        '',
      ].join('\n'),
    );
    expect(stream.text).not.toContain('\r');
  });
});

import { describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/log.js';
import { ProgressLog, progressEntry } from '../../../src/metrics/progress.js';

describe('progress log', () => {
  it('says what each counter did since the last line, with the totals', () => {
    const entry = progressEntry('delivery', { delivered: 10, retried: 1 }, { delivered: 1530, retried: 4 }, 60_400);
    expect(entry.message).toBe('delivery: delivered +1520, retried +3 in the last 60 s');
    expect(entry.fields).toEqual({ stage: 'delivery', intervalS: 60, totals: { delivered: 1530, retried: 4 }, lastInterval: { delivered: 1520, retried: 3 } });
  });

  it('logs one info line per stage each tick, counting from when the stage was added', () => {
    const lines: { fields: Record<string, unknown>; message: string }[] = [];
    const logger = { info: (fields: Record<string, unknown>, message: string) => void lines.push({ fields, message }) } as unknown as Logger;
    let clock = 0;
    const counts = { changes: 5, events: 2 };
    const log = new ProgressLog(logger, 60_000, () => clock);
    log.add({ stage: 'mapper', counters: () => ({ ...counts }) });
    log.add({ stage: 'routing', counters: () => ({ events: 0 }) });
    counts.changes = 105;
    clock = 60_000;
    log.tick();
    expect(lines.map((l) => l.message)).toEqual(['mapper: changes +100, events +0 in the last 60 s', 'routing: events +0 in the last 60 s']);
    clock = 120_000;
    log.tick();
    expect(lines[2]!.message).toBe('mapper: changes +0, events +0 in the last 60 s');
    expect(lines[2]!.fields).toMatchObject({ stage: 'mapper', totals: { changes: 105, events: 2 } });
  });
});

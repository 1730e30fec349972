import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, isTerminal } from '../../src/log.js';

describe('the log', () => {
  it('is human-readable on a terminal, JSON for a pipe or a file', () => {
    expect(isTerminal({ isTTY: true } as NodeJS.WriteStream)).toBe(true);
    expect(isTerminal({ isTTY: false } as NodeJS.WriteStream)).toBe(false);
    expect(isTerminal({} as NodeJS.WriteStream)).toBe(false);
  });

  it('writes JSON lines, secrets redacted, to the stream it is given', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger('info', 'reativa', sink);
    logger.info({ webhook: { headers: [{ name: 'Authorization', value: 'Bearer s3cret' }] }, token: 'abc' }, 'configured');
    const line = JSON.parse(lines[0]!) as { msg: string; token: string };
    expect(line.msg).toBe('configured');
    expect(line.token).toBe('[redacted]');
    expect(lines[0]).not.toContain('s3cret');
  });
});

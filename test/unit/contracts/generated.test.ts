// The generated contract types cannot drift from schemas/*.avsc: each is
// rendered again here and must equal the file on disk (`npm run contracts:generate`).
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { avroToTypeScript } from '../../../scripts/avro-to-typescript.js';
import { AVRO_CONTRACTS, generatedPath, renderContract } from '../../../scripts/generate-contracts.js';

describe('generated contracts', () => {
  it.each(AVRO_CONTRACTS)('src/contracts/generated/%s.ts matches its schema (run npm run contracts:generate)', (name) => {
    expect(fs.readFileSync(generatedPath(name), 'utf8')).toBe(renderContract(name));
  });

  it('renders records, enums, optional fields and arrays', () => {
    const ts = avroToTypeScript(
      JSON.stringify({
        type: 'record',
        name: 'Thing',
        fields: [
          { name: 'id', type: 'long' },
          { name: 'note', type: ['null', 'string'], default: null },
          { name: 'color', type: { type: 'enum', name: 'Color', symbols: ['red', 'blue'] } },
          { name: 'tags', type: { type: 'array', items: 'string' } },
          { name: 'raw', type: 'bytes' },
        ],
      }),
      'x.avsc',
    );
    expect(ts).toContain("export const COLOR_SYMBOLS = ['red', 'blue'] as const;");
    expect(ts).toContain('readonly note: null | string;');
    expect(ts).toContain('readonly color: Color;');
    expect(ts).toContain('readonly tags: string[];');
    expect(ts).toContain('readonly raw: Buffer;');
    expect(ts).toContain('export interface ThingRecord {');
  });
});

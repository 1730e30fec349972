import { describe, expect, it } from 'vitest';
import { formatCount, formatLatency, formatTime, labelOf, parseSaoPauloLocal, saoPauloOffsetMinutes, toSaoPauloLocal, TRIGGER_KIND_LABELS } from '../../../../src/admin/views/format.js';

describe('times in America/Sao_Paulo', () => {
  it('are shown as the ERP shows them, whatever the server time zone', () => {
    expect(formatTime(Date.parse('2026-11-29T15:04:05Z'))).toBe('29/11/2026 12:04:05');
    expect(formatTime('2026-11-29T02:00:00.000Z')).toBe('28/11/2026 23:00:00');
    expect(formatTime(new Date('2026-01-01T00:00:00Z'))).toBe('31/12/2025 21:00:00');
    expect(formatTime(null)).toBe('-');
    expect(formatTime('not a time')).toBe('-');
  });

  it('follow the offset the city had then (summer time until 2019)', () => {
    expect(saoPauloOffsetMinutes(Date.parse('2026-06-01T12:00:00Z'))).toBe(-180);
    expect(saoPauloOffsetMinutes(Date.parse('2018-01-15T12:00:00Z'))).toBe(-120);
    expect(formatTime(Date.parse('2018-01-15T12:00:00Z'))).toBe('15/01/2018 10:00:00');
  });

  it('read a datetime-local field as São Paulo wall-clock time, and write one back', () => {
    expect(parseSaoPauloLocal('2026-11-29T12:04')).toBe(Date.parse('2026-11-29T15:04:00Z'));
    expect(parseSaoPauloLocal('2026-11-29T12:04:30')).toBe(Date.parse('2026-11-29T15:04:30Z'));
    expect(parseSaoPauloLocal('2018-01-15T10:00')).toBe(Date.parse('2018-01-15T12:00:00Z'));
    expect(toSaoPauloLocal(Date.parse('2026-11-29T15:04:59Z'))).toBe('2026-11-29T12:04');
    for (const bad of ['', '29/11/2026 12:04', '2026-02-30T10:00', '2026-11-29T24:00', '2026-13-01T00:00']) expect(parseSaoPauloLocal(bad), bad).toBeUndefined();
  });
});

describe('numbers and labels', () => {
  it('formats latencies, counts and the ERP labels in Portuguese', () => {
    expect(formatLatency(85.4)).toBe('85 ms');
    expect(formatLatency(1234)).toBe('1,2 s');
    expect(formatLatency(null)).toBe('-');
    expect(formatCount(12345)).toBe('12.345');
    expect(labelOf(TRIGGER_KIND_LABELS, 'contract_service_change')).toBe('Alteração de Serviço (Contrato)');
    expect(labelOf(TRIGGER_KIND_LABELS, 'standard')).toBe('Integração Padrão');
    expect(labelOf(TRIGGER_KIND_LABELS, 'new_kind')).toBe('new_kind');
    expect(labelOf(TRIGGER_KIND_LABELS, null)).toBe('-');
  });
});

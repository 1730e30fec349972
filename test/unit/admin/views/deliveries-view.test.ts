import { describe, expect, it } from 'vitest';
import { DEFAULT_PERIOD_MS, deliveriesPage, deliveryHref, deliveryPage, MAX_PERIOD_MS, parseAttemptSearch, type AttemptRow } from '../../../../src/admin/views/deliveries-view.js';

const NOW = Date.parse('2026-11-29T15:00:00Z');
const chrome = { title: 'Entregas', current: 'entregas', csrf: 'c', namespace: 'reativa' } as const;

const attempt = (overrides: Partial<AttemptRow> = {}): AttemptRow => ({
  deliveryId: 'evt-1|7',
  eventId: 'evt-1',
  webhookId: 7,
  contractId: 42,
  attempt: 1,
  attemptedAt: Date.parse('2026-11-29T14:59:00Z'),
  outcome: 'retryable',
  status: 503,
  latencyMs: 123,
  error: 'HTTP 503 <Service Unavailable>',
  responseExcerpt: '{"error":"<down>"}',
  ...overrides,
});

describe('the search form', () => {
  it('defaults to the last 24 hours up to now, leaving the period fields blank so a later search is up to its own now', () => {
    const parsed = parseAttemptSearch({}, NOW);
    expect(parsed.errors).toEqual([]);
    expect(parsed.search).toEqual({ webhookId: undefined, contractId: undefined, eventId: undefined, outcome: undefined, status: undefined, from: NOW - DEFAULT_PERIOD_MS, to: NOW });
    expect(parsed.form.ate).toBe('');
    expect(parsed.form.de).toBe('');
  });

  it('takes in the whole minute of "Até" (the field has no seconds)', () => {
    expect(parseAttemptSearch({ ate: '2026-11-29T11:30' }, NOW).search.to).toBe(Date.parse('2026-11-29T14:30:59.999Z'));
    expect(parseAttemptSearch({ ate: '2026-11-29T11:30:15' }, NOW).search.to).toBe(Date.parse('2026-11-29T14:30:15Z'));
  });

  it('reads webhook, contract, event, outcome, status and period', () => {
    const parsed = parseAttemptSearch({ webhook: '7', contrato: ' 42 ', evento: 'evt-1', situacao: 'permanent', status: '404', de: '2026-11-29T10:00', ate: '2026-11-29T11:30' }, NOW);
    expect(parsed.errors).toEqual([]);
    expect(parsed.search).toEqual({ webhookId: 7, contractId: 42, eventId: 'evt-1', outcome: 'permanent', status: 404, from: Date.parse('2026-11-29T13:00:00Z'), to: Date.parse('2026-11-29T14:30:59.999Z') });
  });

  it('says in Portuguese what is wrong, and searches with the defaults for those fields', () => {
    const parsed = parseAttemptSearch({ contrato: 'abc', status: '999', situacao: 'talvez', de: 'ontem' }, NOW);
    expect(parsed.errors).toEqual(['Contrato: "abc" não é um número', 'Status HTTP: 999 não é um status HTTP (100 a 599)', 'Situação: "talvez" desconhecida', 'De: "ontem" não é uma data e hora (dd/mm/aaaa hh:mm)']);
    expect(parsed.search.contractId).toBeUndefined();
    expect(parsed.search.from).toBe(NOW - DEFAULT_PERIOD_MS);
  });

  it('refuses a period backwards or longer than the log keeps', () => {
    expect(parseAttemptSearch({ de: '2026-11-29T11:00', ate: '2026-11-29T10:00' }, NOW).errors).toEqual(['Período: "De" é depois de "Até"']);
    const long = parseAttemptSearch({ de: '2026-01-01T00:00' }, NOW);
    expect(long.errors[0]).toMatch(/no máximo 31 dias/);
    expect(long.search.to - long.search.from).toBe(MAX_PERIOD_MS);
  });
});

describe('the pages', () => {
  it('list attempts newest first with a link to each delivery, escaped', () => {
    const names = new Map([[7, 'Watch <Brasil>']]);
    const out = deliveriesPage(chrome, { parsed: parseAttemptSearch({ contrato: '42' }, NOW), rows: [attempt()], webhooks: names, names }).text;
    expect(out).toContain(`href="${deliveryHref('evt-1|7')}"`);
    expect(deliveryHref('evt-1|7')).toBe('/entregas/evt-1%7C7');
    expect(out).toContain('Watch &lt;Brasil&gt;');
    expect(out).toContain('Falha temporária');
    expect(out).toContain('HTTP 503 &lt;Service Unavailable&gt;');
    expect(out).toContain('29/11/2026 11:59:00');
    expect(out).toContain('<label for="contrato">Contrato</label>');
    expect(out).toContain('value="42"');
  });

  it("show one delivery's attempts with status, latency, error and the response excerpt", () => {
    const out = deliveryPage(chrome, 'evt-1|7', [attempt(), attempt({ attempt: 2, outcome: 'success', status: 200, error: null, responseExcerpt: 'ok', latencyMs: 1500 })], new Map()).text;
    expect(out).toContain('2 tentativas');
    expect(out).toContain('<pre>{&quot;error&quot;:&quot;&lt;down&gt;&quot;}</pre>');
    expect(out).toContain('1,5 s');
    expect(out).toContain('Sucesso');
    expect(deliveryPage(chrome, 'x', [], new Map()).text).toContain('Nenhuma tentativa registrada');
  });
});

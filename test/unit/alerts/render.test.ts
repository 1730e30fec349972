import { describe, expect, it } from 'vitest';
import { renderDigest, type FailureNotice } from '../../../src/alerts/render.js';

describe('alert e-mail', () => {
  const notice = (contractId: number): FailureNotice => ({
    webhookId: 3, webhookName: 'Watch', url: 'https://apiweb.watch.tv.br/api/voalle/contrato', emails: ['a@x.com'],
    contractId, eventId: `evt-${contractId}`, attempts: 15, lastError: 'HTTP 503', at: new Date('2026-11-29T12:00:00Z'),
  });
  it('names the webhook, URL, contract, attempts and last error, in Portuguese', () => {
    const { subject, text } = renderDigest([notice(42)]);
    expect(subject).toBe('[Reativa] Webhook "Watch": 1 envio atingiu o limite de tentativas');
    expect(text).toContain('Url: https://apiweb.watch.tv.br/api/voalle/contrato');
    expect(text).toContain('- Contrato 42: 15 tentativas, último erro: HTTP 503');
  });
  it('counts a burst in one e-mail', () => {
    const { subject, text } = renderDigest(Array.from({ length: 25 }, (_, i) => notice(i)));
    expect(subject).toContain('25 envios atingiram');
    expect(text).toContain('… e mais 5 envios.');
  });
});

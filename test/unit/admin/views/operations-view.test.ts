import { describe, expect, it } from 'vitest';
import { alertsPage, distinctAlerts, lagPage, parseAlert } from '../../../../src/admin/views/operations-view.js';

const chrome = { title: 'Alertas', csrf: 'c', namespace: 'reativa' } as const;
const raw = (alertId: string, at: string, type = 'webhook_invalid') => ({ alertId, type, at, webhookId: 3, webhookName: 'Watch <Brasil>', message: 'Url inválida', details: {} });

describe('alerts', () => {
  it('are read only when they have the fields an alert has', () => {
    expect(parseAlert(raw('a', '2026-11-29T15:00:00Z'))?.webhookId).toBe(3);
    expect(parseAlert({ type: 'x' })).toBeUndefined();
    expect(parseAlert('text')).toBeUndefined();
    expect(parseAlert(null)).toBeUndefined();
  });

  it('are listed once each (every process publishes the same alertId), newest first', () => {
    const alerts = [raw('a', '2026-11-29T15:00:00Z'), raw('b', '2026-11-29T16:00:00Z'), raw('a', '2026-11-29T15:00:01Z')].map((a) => parseAlert(a)!);
    expect(distinctAlerts(alerts).map((a) => a.alertId)).toEqual(['b', 'a']);
  });

  it('are shown with their type label, webhook and message, escaped', () => {
    const out = alertsPage(chrome, [parseAlert(raw('a', '2026-11-29T15:00:00Z'))!], 1).text;
    expect(out).toContain('Webhook inválido');
    expect(out).toContain('Watch &lt;Brasil&gt; <span class="muted">(3)</span>');
    expect(out).toContain('29/11/2026 12:00:00');
    expect(alertsPage(chrome, [], 0).text).toContain('Nenhum alerta.');
  });
});

describe('the Atraso page', () => {
  it("shows each stage's lag and the partitions behind, and what keeps the process from being ready", () => {
    const groups = [
      { stage: 'routing', groupId: 'reativa-routing', partitions: [{ topic: 'reativa.triggers', partition: 0, committed: '10', end: '15', lag: 5 }, { topic: 'reativa.triggers', partition: 1, committed: '3', end: '3', lag: 0 }] },
      { stage: 'delivery', groupId: 'reativa-delivery', partitions: [] },
    ];
    const out = lagPage({ ...chrome, title: 'Atraso' }, groups, ['kafka: down']).text;
    expect(out).toContain('Roteamento');
    expect(out).toContain('<code>reativa.triggers[0]</code>: 5');
    expect(out).not.toContain('reativa.triggers[1]');
    expect(out).toContain('sem tópicos');
    expect(out).toContain('<li>kafka: down</li>');
    expect(lagPage({ ...chrome, title: 'Atraso' }, [], []).text).toContain('pronto');
  });
});

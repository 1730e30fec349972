// The admin page in a real browser (Debian's Chromium driven by playwright-core)
// against a real `reativa start` process on the embedded stack, in a namespace
// of its own, with webhooks, contracts and a partner of its own: an operator
// logs in, sees a webhook become invalid and why, finds a delivery by its
// contract, and redrives a dead letter and sees it delivered. Each page's
// screenshot goes to .stack/screenshots/, or, with REATIVA_UPDATE_SCREENSHOTS=1
// (`npm run screenshots`), to docs/screenshots/ (linked from the README): a
// plain test run leaves the repository as it found it.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectPath } from '../../src/paths.js';
import { waitFor } from '../../src/util/wait.js';
import { laptopContext, launchChromium } from '../support/browser.js';
import { deactivateWebhooks, erpPool, seedParty, testKafka, unique } from '../support/harness.js';
import { PartnerSimulator, type ReceivedRequest } from '../support/partner-simulator.js';
import { contractsWebhook, one, processNamespace, type TestNamespace } from '../support/pipeline.js';
import { ReativaProcess } from '../support/processes.js';

const SCREENSHOTS = process.env.REATIVA_UPDATE_SCREENSHOTS === '1' ? projectPath('docs', 'screenshots') : projectPath('.stack', 'screenshots');
const TOKEN = randomBytes(24).toString('hex');

const pool = erpPool();
const partner = new PartnerSimulator();
let reativa: ReativaProcess | undefined;
let namespace: TestNamespace | undefined;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
let address = '';

/** Three webhooks of this test's own: one made invalid, one that delivers, one whose delivery is dead-lettered. */
let invalid: { id: number; path: string };
let delivering: { id: number; path: string };
let dead: { id: number; path: string };
let contractId = 0;
/** Whether the refusing partner accepts this test's contract now. */
let partnerFixed = false;

/** The contract a delivery is about (standard bodies carry it as Contract.Id). */
const contractOf = (request: ReceivedRequest): number | undefined => (request.json as { Contract?: { Id?: number } } | null)?.Contract?.Id;
/** What the partner received about this test's contract at `path`: other ERP activity (a demo, other tests) reaches these webhooks too. */
const received = (path: string) => partner.requests.filter((r) => r.path === path && contractOf(r) === contractId);

const shoot = (name: string) => page.screenshot({ path: `${SCREENSHOTS}/${name}.png` });

/** Reloads until `locator` shows: what the page shows comes from Kafka and the attempt log, a moment after the ERP changed. */
async function reloadUntil(what: string, locator: Locator, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    what,
    async () => {
      if ((await locator.count()) > 0) return true;
      await page.reload();
      return (await locator.count()) > 0;
    },
    { timeoutMs, intervalMs: 300 },
  );
}

beforeAll(async () => {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const base = await partner.start();
  browser = await launchChromium();
  const own = await processNamespace(testKafka());
  namespace = own.namespace;
  reativa = new ReativaProcess([], {
    ...own.env,
    REATIVA_LOG_LEVEL: 'info',
    REATIVA_HTTP_PORT: '0',
    REATIVA_ADMIN_TOKEN: TOKEN,
    REATIVA_DELIVERY_RETRY_SCHEDULE: '200ms,400ms',
  });
  address = String((await reativa.waitForLog((l) => l.msg.startsWith('http server listening'), 60_000)).address);
  await reativa.waitForLog((l) => l.msg === 'delivery running', 60_000);
  // Configured once Reativa runs: its mapper starts at the change log's end.
  await pool.query("UPDATE erp_parameters SET value = 'true' WHERE key IN ('use_webhooks', 'use_streaming')");
  invalid = await contractsWebhook(pool, base, { action: 'update', maxAttempts: 3 });
  // On a contract's insert: whatever else changes this test's contract meanwhile (a demo running) sends these nothing more.
  delivering = await contractsWebhook(pool, base, { action: 'insert', maxAttempts: 5 });
  dead = await contractsWebhook(pool, base, { action: 'insert', maxAttempts: 1 });
  // The delivering partner fails each contract's first request once (a retry shows on the delivery's page);
  // the other refuses this test's contract until told otherwise. Other contracts the ERP changes meanwhile get 200.
  const seen = new Set<number | undefined>();
  partner.script(delivering.path, (request) => {
    const contract = contractOf(request);
    if (seen.has(contract)) return 200;
    seen.add(contract);
    return 503;
  });
  partner.script(dead.path, (request) => (contractOf(request) === contractId && !partnerFixed ? 400 : 200));
  context = await laptopContext(browser, address);
  page = await context.newPage();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await reativa?.kill('SIGKILL');
  await deactivateWebhooks(pool);
  await namespace?.drop();
  await partner.stop();
  await pool.end();
});

describe('the admin page in a browser', () => {
  it('lets nobody in without the token, and logs in with the keyboard', async () => {
    // Any page sends a visitor without a session to the login, and back to it after.
    await page.goto('/entregas');
    await expect.poll(() => new URL(page.url()).pathname).toBe('/entrar');
    await expect(page.getByRole('heading', { name: 'Entrar' }).count()).resolves.toBe(1);
    await shoot('entrar');

    const token = page.getByLabel('Token de acesso');
    await token.fill('not-the-token-at-all');
    await token.press('Enter');
    await page.getByText('Token inválido.').waitFor();

    // Keyboard only: the field has the focus, Enter sends the form.
    await expect(page.locator(':focus').getAttribute('id')).resolves.toBe('token');
    await page.keyboard.type(TOKEN);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Entregas' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/entregas');
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name.startsWith('reativa_sessao_'))).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

    // A form sent without the session's CSRF token, or from another origin, is refused.
    const forged = await context.request.post('/fila-de-falhas/confirmar', { form: { ids: 'deliveries:0:0' } });
    expect(forged.status()).toBe(403);
    const foreign = await context.request.post('/fila-de-falhas/confirmar', { form: { ids: 'deliveries:0:0' }, headers: { origin: 'https://attacker.example' } });
    expect(foreign.status()).toBe(403);
    // Without the cookie, nothing but the login.
    const anonymous = await fetch(`${address}/atraso`, { redirect: 'manual', signal: AbortSignal.timeout(5000) });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/entrar?proximo=%2Fatraso');
  });

  it('shows a webhook becoming invalid, with its reason in the ERP labels', async () => {
    await page.goto('/');
    const row = page.locator(`#webhook-${invalid.id}`);
    await reloadUntil('the new webhook listed as ativo', row.getByText('ativo', { exact: true }));
    await expect(row.getByRole('cell').nth(3).textContent()).resolves.toContain('Integração Padrão');

    // An operator sets its "Limite de Tentativas para Integrar" to 0 in the ERP.
    await pool.query('UPDATE webhooks SET max_attempts = 0 WHERE id = $1', [invalid.id]);
    await reloadUntil('the webhook listed as inválido', row.getByText('inválido', { exact: true }));
    await expect(row.textContent()).resolves.toContain('Limite de Tentativas para Integrar deve ser um inteiro maior que 0 (é 0)');
    await shoot('webhooks');

    // The same reason reaches the Alertas page, from the alerts topic.
    await page.getByRole('link', { name: 'Alertas' }).click();
    const alert = page.getByRole('row').filter({ hasText: 'Limite de Tentativas para Integrar' }).filter({ hasText: 'Webhook inválido' });
    await reloadUntil('the webhook_invalid alert', alert);
  });

  it('finds a delivery by its contract, and shows its attempts', async () => {
    const { companyId, clientId } = await seedParty(pool);
    // Its id is known before the insert, so the partners' scripts tell its requests from the first one on.
    contractId = one((await pool.query<{ id: string }>("SELECT nextval(pg_get_serial_sequence('contracts', 'id')) AS id")).rows);
    await pool.query('INSERT INTO contracts (id, company_id, client_id, contract_number) VALUES ($1, $2, $3, $4)', [contractId, companyId, clientId, unique('C-admin')]);
    // Refused once (503), then accepted on the retry.
    await waitFor('the delivery and its retry at the partner', async () => received(delivering.path).length >= 2, { timeoutMs: 30_000 });

    await page.getByRole('link', { name: 'Entregas' }).click();
    await page.getByLabel('Contrato').fill(String(contractId));
    await page.getByRole('button', { name: 'Buscar' }).click();
    const success = page.getByRole('row').filter({ hasText: `(${delivering.id})` }).filter({ hasText: 'Sucesso' });
    // The attempt log is written off the hot path, about once a second.
    await reloadUntil('the successful attempt in the search', success);
    expect(new URL(page.url()).searchParams.get('contrato')).toBe(String(contractId));
    await reloadUntil('the refused attempt in the search', page.getByRole('row').filter({ hasText: `(${dead.id})` }).filter({ hasText: 'Falha permanente' }));
    // Only this contract's attempts (other webhooks on the ERP, other tests' among them, may have some too).
    const contracts = await page.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.children[2]?.textContent?.trim()));
    expect(new Set(contracts)).toEqual(new Set([String(contractId)]));
    await shoot('entregas');

    await success.first().getByRole('link').click();
    await page.getByRole('heading', { name: 'Entrega' }).waitFor();
    // The refused attempt, then the accepted retry. (Another Reativa on this ERP — another test's namespace —
    // sends the same delivery to these webhooks too and logs its attempts in the same table: at least these two.)
    const attempts = page.locator('tbody tr');
    await expect(attempts.first().textContent()).resolves.toMatch(/Falha temporária[\s\S]*503/);
    await expect(attempts.filter({ hasText: 'Sucesso' }).first().textContent()).resolves.toMatch(/Sucesso[\s\S]*200[\s\S]*\d+ ms[\s\S]*\{"ok":true\}/);
    // Never a header value: the webhooks' headers are not in the attempt log, so not on the page.
    await expect(page.content()).resolves.not.toMatch(/Authorization|X-Reativa-Event-Id/i);
    await shoot('entrega');
  });

  it('redrives a dead letter after a confirmation with the count, and it is delivered', async () => {
    await page.getByRole('link', { name: 'Fila de falhas' }).click();
    await page.getByLabel('Webhook', { exact: true }).selectOption(String(dead.id));
    await page.getByRole('button', { name: 'Filtrar' }).click();
    const box = page.getByRole('checkbox', { name: /^Reenviar deliveries:\d+:\d+$/ });
    await reloadUntil('the dead letter of the refused delivery', box);
    await expect(box.count()).resolves.toBe(1);
    const letter = page.getByRole('row').filter({ has: box });
    await expect(letter.textContent()).resolves.toContain(String(contractId));
    await expect(letter.textContent()).resolves.toContain('Entrega');
    await shoot('fila-de-falhas');

    // Select with the keyboard, then ask for the redrive: the count comes first, nothing is sent yet.
    await box.focus();
    await page.keyboard.press('Space');
    await expect(box.isChecked()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Reenviar selecionadas…' }).click();
    await page.getByText('Reenviar 1 registro?').waitFor();
    await shoot('confirmar-reenvio');
    // Nothing sent yet: the partner has had only the refused first sends (one per Reativa on this ERP).
    const before = received(dead.path).length;
    expect(before).toBeGreaterThanOrEqual(1);

    // The partner is fixed; the operator confirms.
    partnerFixed = true;
    await page.getByRole('button', { name: 'Confirmar o reenvio de 1 registro' }).click();
    await page.getByText('1 registro reenviado e marcado como reenviado.').waitFor();
    await waitFor('the redriven delivery at the partner', async () => received(dead.path).length > before, { timeoutMs: 90_000 });

    // It is gone from the pending letters, marked when all are shown, and delivered in the attempt log.
    await expect(page.getByRole('checkbox', { name: /^Reenviar deliveries:/ }).count()).resolves.toBe(0);
    await page.getByLabel('Mostrar').selectOption('todas');
    await page.getByRole('button', { name: 'Filtrar' }).click();
    await page.getByRole('row').filter({ hasText: 'Reenviada em' }).filter({ hasText: String(contractId) }).waitFor();

    await page.goto(`/entregas?webhook=${dead.id}&contrato=${contractId}`);
    await reloadUntil('the redriven delivery succeeding', page.getByRole('row').filter({ hasText: `(${dead.id})` }).filter({ hasText: 'Sucesso' }));

    // Sent once more, and only once: the letter is marked and no longer offered.
    expect(received(dead.path)).toHaveLength(before + 1);
  });

  it('shows the alerts and each stage’s lag, and logs out', async () => {
    await page.getByRole('link', { name: 'Alertas' }).click();
    await page.getByRole('heading', { name: 'Alertas' }).waitFor();
    await shoot('alertas');

    await page.getByRole('link', { name: 'Atraso' }).click();
    const groups = namespace!.groups;
    for (const group of [groups.mapper, groups.routing, groups.delivery, `${groups.delivery}-retry`]) {
      await page.getByRole('cell', { name: group, exact: true }).waitFor();
    }
    await shoot('atraso');

    // Every page is reachable from the keyboard: the first Tab lands on the skip link.
    await page.keyboard.press('Tab');
    await expect(page.locator(':focus').textContent()).resolves.toBe('Ir para o conteúdo');

    await page.getByRole('button', { name: 'Sair' }).click();
    await page.getByLabel('Token de acesso').waitFor();
    await page.goto('/');
    expect(new URL(page.url()).pathname).toBe('/entrar');
  });
});

// The admin page, served at / by the process's HTTP server (src/http/server.ts),
// in Brazilian Portuguese with the ERP's labels: Webhooks, Entregas (the
// attempt log), Fila de falhas (dead letters, with redrive), Alertas and
// Atraso. Server-rendered HTML (src/admin/views, pure, escaped by default),
// no script. Behind a login with the credentials of the settings
// (REATIVA_ADMIN_TOKEN, or REATIVA_ADMIN_USER and REATIVA_ADMIN_PASSWORD):
// sessions in a cookie (HttpOnly, SameSite=Strict) that expire after
// REATIVA_ADMIN_SESSION_MINUTES, a CSRF token in every form that changes
// something. With no credentials configured, src/admin/disabled.ts answers
// instead.
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kafka } from 'kafkajs';
import type pg from 'pg';
import type { LiveConfig } from '../config/live.js';
import { firstLine } from '../errors/first-line.js';
import { InputError } from '../errors/input-error.js';
import type { Health } from '../health/health.js';
import type { HttpPlugin } from '../http/server.js';
import type { ReativaTopics } from '../kafka/topics.js';
import type { Logger } from '../log.js';
import type { Settings } from '../settings.js';
import type { ConsumerGroupSpec, StageName } from '../stages/registry.js';
import { listLetters } from '../dead-letters/selection.js';
import { planRedrive, readLetters, redrive, type LetterSource } from './letters.js';
import { deliveryAttempts, lagOf, readLastAlerts, searchAttempts, webhookStats } from './reading.js';
import { disabledAdminPlugin } from './disabled.js';
import { servePageBasics } from './headers.js';
import { checkLogin, LoginThrottle, Sessions, type Session } from './views/auth.js';
import { confirmPage, idsOf, lettersPage, parseLettersQuery } from './views/dead-letters-view.js';
import { deliveriesPage, deliveryPage, parseAttemptSearch } from './views/deliveries-view.js';
import { formatCount } from './views/format.js';
import type { Html } from './views/html.js';
import { errorPage, loginPage, STYLESHEET_PATH, type Chrome, type Flash, type NavKey } from './views/layout.js';
import { alertsPage, distinctAlerts, lagPage } from './views/operations-view.js';
import { parseWebhooksQuery, webhooksPage } from './views/webhooks-view.js';

/** What the admin page may use of the process it runs in. */
export interface AdminDeps {
  readonly settings: Settings;
  /** Reativa's own database (parked keys, the attempt log, redrive marks). */
  readonly reativaPool: pg.Pool;
  /** The process's Kafka client. */
  readonly kafka: Kafka;
  readonly topics: ReativaTopics;
  /** What the process waits out and whether it is ready (as /readyz says). */
  readonly health: Health;
  /** The stages this process runs, and their consumer groups (custom names included). */
  readonly stages: ReadonlySet<StageName>;
  readonly groups: readonly ConsumerGroupSpec[];
  /**
   * The live configuration view (webhooks with their secrets: never render a
   * secret), when the process runs routing or delivery; a getter, since it
   * exists only once that stage has started.
   */
  live(): LiveConfig | undefined;
  readonly logger: Logger;
}

/** Alerts the Alertas page reads from the end of the topic. */
const ALERTS_READ = 500;

/** Pages that need no session. */
const PUBLIC = new Set([STYLESHEET_PATH, '/entrar']);

/**
 * Whether a POST's Origin is this site (the Host it was sent to, default ports
 * aside). No Origin at all (an old client, curl) is left to the CSRF token;
 * `null` (a sandboxed frame, a data: page) and anything unparsable are refused.
 */
export function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  try {
    const from = new URL(origin);
    return host !== undefined && from.host === new URL(`${from.protocol}//${host}`).host;
  } catch {
    return false;
  }
}

/** Only a path of this site: never another origin, whatever a crafted link says. */
const safeNext = (next: unknown): string => (typeof next === 'string' && /^\/(?![/\\])[^\s]*$/.test(next) ? next : '/');

const bodyOf = (request: FastifyRequest): Record<string, unknown> => (typeof request.body === 'object' && request.body !== null ? (request.body as Record<string, unknown>) : {});
const queryOf = (request: FastifyRequest): Record<string, unknown> => (typeof request.query === 'object' && request.query !== null ? (request.query as Record<string, unknown>) : {});

export function adminPlugin(deps: AdminDeps): HttpPlugin {
  const credentials = deps.settings.admin.credentials;
  if (!credentials) return disabledAdminPlugin(deps.topics.namespace);
  return async (app) => {
    await app.register(cookie);
    await app.register(formbody);
    const namespace = deps.topics.namespace;
    const sessionMs = deps.settings.admin.sessionMinutes * 60_000;
    const sessions = new Sessions(sessionMs);
    const throttle = new LoginThrottle();
    const cookieName = `reativa_sessao_${namespace.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    const sessionOf = new WeakMap<FastifyRequest, Session>();
    const log = deps.logger.child({ component: 'admin' });
    const source: LetterSource = {
      kafka: deps.kafka,
      topics: deps.topics,
      reativaDatabaseUrl: deps.settings.reativaDatabaseUrl,
      topicPrefix: deps.settings.topicPrefix,
      historyMs: deps.settings.state.historyMs,
    };

    const send = (reply: FastifyReply, body: Html, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(body.text);
    const chrome = (request: FastifyRequest, title: string, current?: NavKey, flash?: Flash): Chrome => ({ title, current, csrf: sessionOf.get(request)?.csrf, namespace, flash });

    servePageBasics(app);

    app.setErrorHandler(async (error, request, reply) => {
      const status = (error as { statusCode?: number }).statusCode;
      if (status !== undefined && status >= 400 && status < 500) return send(reply, errorPage(chrome(request, 'Pedido inválido'), firstLine(error)), status);
      log.error({ err: error, url: request.url }, 'admin page failed');
      return send(reply, errorPage(chrome(request, 'Indisponível'), `Não foi possível montar a página agora: ${firstLine(error)}. Tente de novo em instantes.`), 503);
    });

    app.addHook('onRequest', async (request, reply) => {
      const path = request.url.split('?')[0] ?? '/';
      if (path === STYLESHEET_PATH) return;
      // A form from another site is refused twice over: its Origin here, and the session's CSRF token it cannot know.
      // The login too: another site must not log a visitor in with credentials of its choosing.
      if (request.method === 'POST' && !sameOrigin(request.headers.origin, request.headers.host)) return send(reply, errorPage({ title: 'Recusado', namespace }, 'Pedido de outra origem recusado.'), 403);
      const session = sessions.get(request.cookies[cookieName], Date.now());
      if (session) sessionOf.set(request, session);
      if (PUBLIC.has(path)) return;
      if (!session) {
        if (request.method === 'GET') return reply.redirect(`/entrar?proximo=${encodeURIComponent(request.url)}`, 303);
        return send(reply, errorPage({ title: 'Sessão expirada', namespace }, 'Sua sessão expirou. Entre de novo e repita a operação.'), 401);
      }
    });

    /** Checks the form's CSRF token; answers 403 and returns false when it is not the session's. */
    const csrfOk = (request: FastifyRequest, reply: FastifyReply): boolean => {
      const session = sessionOf.get(request);
      if (session && Sessions.csrfMatches(session, bodyOf(request).csrf)) return true;
      void send(reply, errorPage(chrome(request, 'Recusado'), 'O formulário expirou ou não veio desta página. Abra a página de novo e repita a operação.'), 403);
      return false;
    };

    app.get('/entrar', async (request, reply) => {
      const next = safeNext(queryOf(request).proximo);
      if (sessionOf.has(request)) return reply.redirect(next, 303);
      return send(reply, loginPage({ kind: credentials.kind, namespace, next }));
    });

    app.post('/entrar', async (request, reply) => {
      const body = bodyOf(request);
      const next = safeNext(body.next);
      const now = Date.now();
      const wait = throttle.blockedFor(request.ip, now);
      if (wait > 0) return send(reply, loginPage({ kind: credentials.kind, namespace, next, error: `Muitas tentativas erradas: tente de novo em ${Math.ceil(wait / 60_000)} min.` }), 429);
      const attempt = { token: typeof body.token === 'string' ? body.token : undefined, user: typeof body.user === 'string' ? body.user : undefined, password: typeof body.password === 'string' ? body.password : undefined };
      if (!checkLogin(credentials, attempt)) {
        throttle.failed(request.ip, now);
        log.warn({ ip: request.ip }, 'admin login refused');
        return send(reply, loginPage({ kind: credentials.kind, namespace, next, error: credentials.kind === 'token' ? 'Token inválido.' : 'Usuário ou senha inválidos.' }), 401);
      }
      throttle.succeeded(request.ip);
      // A new session id at every login: one fixed before login is never the one used after.
      sessions.end(request.cookies[cookieName]);
      const session = sessions.create(now);
      log.info({ ip: request.ip }, 'admin login');
      reply.setCookie(cookieName, session.id, { httpOnly: true, sameSite: 'strict', path: '/', maxAge: Math.floor(sessionMs / 1000), secure: request.protocol === 'https' });
      return reply.redirect(next, 303);
    });

    app.post('/sair', async (request, reply) => {
      if (!csrfOk(request, reply)) return reply;
      sessions.end(request.cookies[cookieName]);
      reply.clearCookie(cookieName, { path: '/' });
      return reply.redirect('/entrar', 303);
    });

    /** Webhook names by id (all of them, for labels), and those on in the ERP (for the forms' choices). */
    const webhookNames = (selected?: string) => {
      const names = new Map<number, string>();
      const choices = new Map<number, string>();
      for (const w of deps.live()?.view.webhooks.values() ?? []) {
        names.set(w.id, w.name);
        if (w.active || String(w.id) === selected) choices.set(w.id, w.name);
      }
      return { names, choices };
    };

    app.get('/', async (request, reply) => {
      const live = deps.live();
      const query = parseWebhooksQuery(queryOf(request));
      const webhooks = live?.webhooks() ?? [];
      const shownIds = webhooks.filter((w) => query.all || w.enabled).map((w) => w.id);
      const threshold = deps.settings.delivery.breakerThreshold;
      const stats = await webhookStats(deps.reativaPool, shownIds, threshold);
      return send(reply, webhooksPage(chrome(request, 'Webhooks', 'webhooks'), { webhooks, stats, breakerThreshold: threshold, prerequisitesMet: live?.prerequisitesMet() ?? false, configLoaded: live !== undefined }, query));
    });

    app.get('/entregas', async (request, reply) => {
      const parsed = parseAttemptSearch(queryOf(request), Date.now());
      const rows = await searchAttempts(deps.reativaPool, parsed.search);
      const { names, choices } = webhookNames(parsed.form.webhook);
      return send(reply, deliveriesPage(chrome(request, 'Entregas', 'entregas'), { parsed, rows, webhooks: choices, names }));
    });

    app.get<{ Params: { id: string } }>('/entregas/:id', async (request, reply) => {
      const id = request.params.id.slice(0, 300);
      const attempts = await deliveryAttempts(deps.reativaPool, id);
      return send(reply, deliveryPage(chrome(request, 'Entrega', 'entregas'), id, attempts, webhookNames().names), attempts.length === 0 ? 404 : 200);
    });

    app.get('/fila-de-falhas', async (request, reply) => {
      const query = parseLettersQuery(queryOf(request));
      const sent = queryOf(request).reenviadas;
      const flash: Flash | undefined = typeof sent === 'string' && /^\d{1,7}$/.test(sent) ? { kind: 'ok', text: sent === '1' ? '1 registro reenviado e marcado como reenviado.' : `${formatCount(Number(sent))} registros reenviados e marcados como reenviados.` } : undefined;
      const { letters, marks } = await readLetters(source);
      const { shown, hidden } = listLetters(letters, marks, query.filter, query.all);
      const { names, choices } = webhookNames(query.form.webhook);
      return send(reply, lettersPage(chrome(request, 'Fila de falhas', 'falhas', flash), { query, shown, hidden, webhooks: choices, names, csrf: sessionOf.get(request)!.csrf }));
    });

    /** The letters a form is about: those ticked, or every one its filter selects. */
    const filterOfForm = (body: Record<string, unknown>) => {
      if (body.escopo === 'filtradas') return parseLettersQuery(body).filter;
      return { ids: idsOf(body) };
    };

    app.post('/fila-de-falhas/confirmar', async (request, reply) => {
      if (!csrfOk(request, reply)) return reply;
      const body = bodyOf(request);
      const filter = filterOfForm(body);
      if (filter.ids && filter.ids.length === 0) return send(reply, errorPage(chrome(request, 'Reenviar', 'falhas'), 'Nenhuma falha selecionada: marque as que quer reenviar.'), 400);
      const selection = await planRedrive(source, filter).catch((error: unknown) => {
        if (error instanceof InputError) return undefined;
        throw error;
      });
      if (!selection) return send(reply, errorPage(chrome(request, 'Reenviar', 'falhas'), 'Algumas das falhas escolhidas não estão mais na fila. Abra a fila de novo.'), 409);
      return send(reply, confirmPage(chrome(request, 'Confirmar reenvio', 'falhas'), selection, sessionOf.get(request)!.csrf));
    });

    app.post('/fila-de-falhas/reenviar', async (request, reply) => {
      if (!csrfOk(request, reply)) return reply;
      const body = bodyOf(request);
      const ids = idsOf(body);
      const expected = Number(body.esperados);
      if (ids.length === 0 || !Number.isInteger(expected) || expected !== ids.length) return send(reply, errorPage(chrome(request, 'Reenviar', 'falhas'), 'Confirmação incompleta. Abra a fila de novo.'), 400);
      const result = await redrive(source, { ids }, expected).catch((error: unknown) => {
        if (error instanceof InputError) return undefined;
        throw error;
      });
      const csrf = sessionOf.get(request)!.csrf;
      if (!result) return send(reply, errorPage(chrome(request, 'Reenviar', 'falhas'), 'Algumas das falhas confirmadas não estão mais na fila; nada foi enviado. Abra a fila de novo.'), 409);
      switch (result.kind) {
        case 'busy':
          return send(reply, errorPage(chrome(request, 'Reenviar', 'falhas'), 'Outro reenvio deste ambiente está em andamento (pela página ou por `reativa dlq redrive`); nada foi enviado. Tente de novo quando ele terminar.'), 409);
        case 'changed':
          return send(reply, confirmPage(chrome(request, 'Confirmar reenvio', 'falhas', { kind: 'error', text: 'A fila mudou desde a confirmação (algumas falhas já foram reenviadas): nada foi enviado. Confira e confirme de novo.' }), result.selection, csrf), 409);
        case 'failed':
          log.error({ sent: result.sent, error: result.error }, 'admin redrive stopped');
          return send(reply, errorPage(chrome(request, 'Reenviar', 'falhas'), `O reenvio parou depois de ${result.sent} registro(s), enviados e marcados: ${result.error}. Repita para enviar o resto.`), 503);
        case 'sent':
          log.info({ sent: result.sent, namespace }, 'dead letters redriven from the admin page');
          return reply.redirect(`/fila-de-falhas?reenviadas=${result.sent}`, 303);
      }
    });

    app.get('/alertas', async (request, reply) => {
      const { alerts, read } = await readLastAlerts(deps.kafka, deps.topics.alerts, ALERTS_READ);
      return send(reply, alertsPage(chrome(request, 'Alertas', 'alertas'), distinctAlerts(alerts), read));
    });

    app.get('/atraso', async (request, reply) => {
      const groups = await lagOf(deps.kafka, deps.groups);
      return send(reply, lagPage(chrome(request, 'Atraso', 'atraso'), groups, deps.health.problems()));
    });
  };
}

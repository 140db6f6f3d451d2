import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { rowsOf, type Db } from '../db/index.ts';
import type { Logger } from '../telemetry/index.ts';
import { parseTemplateText, type PromptTemplate, templateMatcher } from '../prompts/index.ts';

export interface LiveVersion {
  id: string;
  version: number;
  template: string;
  model: string | null;
  fewShot: { user: string; assistant: string }[];
}

/** What the hot path needs to swap a component's prompt: no database round-trip. */
export interface LiveComponent {
  /** The observed template (version 0) requests must fit. */
  template: PromptTemplate;
  matcher: RegExp;
  active: LiveVersion | null;
  canary: LiveVersion | null;
  canaryShare: number;
}

export interface LivePrompts {
  /** Synchronous, in memory. Undefined for components with neither an active nor a canary version. */
  get(component: string): LiveComponent | undefined;
  /** Tells every gateway (and this one) that pointers moved. */
  changed(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

interface Row {
  component: string;
  observed: string;
  canary_share: number;
  a_id: string | null;
  a_version: number | null;
  a_template: string | null;
  a_model: string | null;
  a_few_shot: LiveVersion['fewShot'] | null;
  c_id: string | null;
  c_version: number | null;
  c_template: string | null;
  c_model: string | null;
  c_few_shot: LiveVersion['fewShot'] | null;
}

function version(id: string | null, v: number | null, template: string | null, model: string | null, fewShot: LiveVersion['fewShot'] | null): LiveVersion | null {
  return id && v !== null && template !== null ? { id, version: v, template, model, fewShot: fewShot ?? [] } : null;
}

/**
 * The live prompt versions, held in memory by every gateway. Reloaded whole (one small query) at
 * start, every `reloadMs` as the safety net, and at once when any gateway moves a pointer: over Redis
 * pub/sub when REDIS_URL is set, in-process otherwise.
 */
export function createLivePrompts(opts: { db: Db; redisUrl: string | undefined; channel: string; reloadMs: number; logger: Logger }): LivePrompts {
  let live = new Map<string, LiveComponent>();
  let timer: NodeJS.Timeout | undefined;
  let sub: Redis | undefined;
  let pub: Redis | undefined;
  let reloading: Promise<void> | null = null;
  let again = false;

  const load = async (): Promise<void> => {
    const rows = rowsOf<Row>(
      await opts.db.execute(sql`
        select cp.component, v0.template as observed, cp.canary_share,
          a.id as a_id, a.version as a_version, a.template as a_template, a.model as a_model, a.few_shot as a_few_shot,
          c.id as c_id, c.version as c_version, c.template as c_template, c.model as c_model, c.few_shot as c_few_shot
        from component_prompts cp
        join prompt_versions v0 on v0.component = cp.component and v0.version = 0
        left join prompt_versions a on a.id = cp.active_version_id
        left join prompt_versions c on c.id = cp.canary_version_id
        where cp.active_version_id is not null or cp.canary_version_id is not null`),
    );
    const next = new Map<string, LiveComponent>();
    for (const r of rows) {
      const template = parseTemplateText(r.observed);
      next.set(r.component, {
        template,
        matcher: templateMatcher(template),
        active: version(r.a_id, r.a_version, r.a_template, r.a_model, r.a_few_shot),
        canary: version(r.c_id, r.c_version, r.c_template, r.c_model, r.c_few_shot),
        canaryShare: Number(r.canary_share),
      });
    }
    live = next;
  };

  /** One reload at a time; a change announced during one triggers another after it. */
  const reload = (): Promise<void> => {
    if (reloading) {
      again = true;
      return reloading;
    }
    reloading = load()
      .catch((err: unknown) => opts.logger.warn({ err }, 'could not reload prompt versions; keeping the ones held'))
      .finally(() => {
        reloading = null;
        if (again) {
          again = false;
          void reload();
        }
      });
    return reloading;
  };

  return {
    get: (component) => live.get(component),

    async changed() {
      await reload();
      if (pub) await pub.publish(opts.channel, 'changed').catch((err: unknown) => opts.logger.warn({ err }, 'could not announce a prompt change; other gateways reload within their period'));
    },

    async start() {
      await reload();
      timer = setInterval(() => void reload(), opts.reloadMs);
      timer.unref();
      if (opts.redisUrl) {
        const common = { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: (n: number) => Math.min(n * 200, 2000) };
        sub = new Redis(opts.redisUrl, { ...common, connectionName: 'fixpoint:prompts:sub' });
        pub = new Redis(opts.redisUrl, { ...common, enableOfflineQueue: false, connectionName: 'fixpoint:prompts:pub' });
        sub.on('error', () => undefined);
        pub.on('error', () => undefined);
        sub.on('message', () => void reload());
        // A reconnect may have missed announcements: reload then too.
        sub.on('ready', () => void reload());
        await sub.connect().catch((err: unknown) => opts.logger.warn({ err }, 'prompt announcements unavailable (Redis down); reloading periodically'));
        await sub.subscribe(opts.channel).catch(() => undefined);
        await pub.connect().catch(() => undefined);
      }
    },

    async close() {
      if (timer) clearInterval(timer);
      sub?.disconnect();
      pub?.disconnect();
    },
  };
}

/**
 * Deployment gates in the running bot, in one place so src/app.ts needs a few lines only: the gate
 * service, the Harness freeze reconciler (when Harness is configured; every minute and at start),
 * the deploy-gate API handler and what to do on each incident change.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Catalog } from '../manifests/schema.ts';
import type { Store } from '../store/index.ts';
import type { Clock } from '../engine/ports.ts';
import { createFreezeClient, type FreezeClient } from '../harness/freeze.ts';
import type { RateLimiter } from '../harness/rate-limit.ts';
import type { RequestInfo } from '../harness/types.ts';
import { createGateService, type GateService } from './service.ts';
import { createFreezeReconciler, type FreezeReconciler } from './reconciler.ts';
import { createGateApiHandler } from './api.ts';

export interface GatesDeps {
  config: Config;
  store: Store;
  catalog: () => Catalog;
  clock: Clock;
  log: Logger;
  /** Slack chat.postMessage, for gate changes in incident channels. */
  post?: (channel: string, text: string) => Promise<unknown>;
  /** Tests pass a client with a short backoff. */
  freeze?: FreezeClient;
  /** The Harness budget the pipeline client spends too (one per API key, so one per process). */
  limiter?: RateLimiter;
  /** Counts freeze requests with the other Harness requests (metrics). */
  onHarnessRequest?: (info: RequestInfo) => void;
}

export interface Gates {
  service: GateService;
  reconciler: FreezeReconciler | undefined;
  api: ReturnType<typeof createGateApiHandler>;
  /** After each incident change: announce gate changes now, mirror them to Harness right away. */
  onIncidentChange(): void;
  stop(): Promise<void>;
}

export function startGates(deps: GatesDeps): Gates {
  const { config, log } = deps;
  const service = createGateService({ ...deps, say: deps.post });
  const freeze =
    deps.freeze ??
    (config.HARNESS_API_KEY && config.HARNESS_ACCOUNT_ID
      ? createFreezeClient({
          baseUrl: config.HARNESS_BASE_URL,
          uiUrl: config.HARNESS_UI_URL,
          apiKey: config.HARNESS_API_KEY,
          accountId: config.HARNESS_ACCOUNT_ID,
          ...(deps.limiter ? { limiter: deps.limiter } : {}),
          ...(deps.onHarnessRequest ? { onRequest: deps.onHarnessRequest } : {}),
        })
      : undefined);
  const mirrored = [...(deps.catalog().gates?.values() ?? [])].some((g) => g.harness?.freeze);
  if (mirrored && !freeze)
    log.warn(
      'DeploymentGates ask for Harness freeze windows but Harness is not configured; only the gate API and runbook refusals apply.',
    );
  const reconciler = freeze
    ? createFreezeReconciler({ gates: service, freeze, clock: deps.clock, log })
    : undefined;
  const cron = reconciler?.start();
  if (!reconciler) service.refresh();
  return {
    service,
    reconciler,
    api: createGateApiHandler({
      check: (t) => service.check(t),
      tokens: [config.API_TOKEN, config.GATE_TOKEN],
      log,
    }),
    onIncidentChange() {
      if (reconciler) void reconciler.reconcile();
      else service.refresh();
    },
    async stop() {
      await cron?.stop();
    },
  };
}

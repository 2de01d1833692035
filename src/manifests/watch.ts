/**
 * Live manifests: reload on SIGHUP (wired by the CLI) and when a file under MANIFESTS_DIR changes.
 * A new set is validated in full before it replaces the current one; a broken change keeps the last
 * good set and logs every error (file:line). Runs already recorded keep the runbook snapshot they
 * started with (the run row stores it), so a reload only affects runs started afterwards.
 */
import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from 'pino';
import type { Catalog } from './schema.ts';
import { loadManifests, formatManifestError } from './load.ts';

export interface ReloadResult {
  ok: boolean;
  runbooks: number;
  errors: string[];
}

export interface LiveCatalog {
  /** The current good set; hand this getter to everything that reads manifests. */
  get: () => Catalog;
  /** Validates the folder again and swaps the set in when it is valid. */
  reload(reason: string): ReloadResult;
  /** The errors of the last refused reload (cleared by a good one). */
  lastErrors(): string[];
  /** Reloads when a file under the folder changes (debounced); returns a stop function. */
  watch(debounceMs?: number): () => void;
}

export function liveCatalog(
  dir: string,
  initial: Catalog,
  log: Logger,
  onReload?: (r: ReloadResult) => void,
): LiveCatalog {
  let current = initial;
  let errors: string[] = [];
  const live: LiveCatalog = {
    get: () => current,
    lastErrors: () => errors,
    reload(reason) {
      let result: ReloadResult;
      try {
        const loaded = loadManifests(dir);
        if (loaded.errors.length) {
          errors = loaded.errors.map(formatManifestError);
          result = { ok: false, runbooks: current.runbooks.size, errors };
          log.error(
            { reason, dir, errors },
            `manifest reload refused: ${errors.length} error(s); keeping the last good set (${current.runbooks.size} runbooks)`,
          );
        } else {
          current = loaded.catalog;
          errors = [];
          result = { ok: true, runbooks: current.runbooks.size, errors };
          log.info({ reason, dir, runbooks: current.runbooks.size }, 'manifests reloaded');
        }
      } catch (e) {
        // A folder that vanished or cannot be read is a refused reload too, never a crash.
        errors = [`${dir}: ${(e as Error).message}`];
        result = { ok: false, runbooks: current.runbooks.size, errors };
        log.error({ reason, dir, errors }, 'manifest reload failed; keeping the last good set');
      }
      onReload?.(result);
      return result;
    },
    watch(debounceMs = 300) {
      let timer: NodeJS.Timeout | undefined;
      let watcher: FSWatcher | undefined;
      try {
        // Editors save by rename or several writes: wait for the burst to end, then reload once.
        watcher = watch(dir, { recursive: true, persistent: false }, () => {
          clearTimeout(timer);
          timer = setTimeout(() => live.reload('file change'), debounceMs);
          timer.unref();
        });
        watcher.on('error', (e) =>
          log.warn({ dir, err: e.message }, 'manifest watcher stopped; SIGHUP still reloads'),
        );
      } catch (e) {
        log.warn(
          { dir, err: (e as Error).message },
          'cannot watch the manifests folder; SIGHUP still reloads',
        );
      }
      return () => {
        clearTimeout(timer);
        watcher?.close();
      };
    },
  };
  return live;
}

/** `/runbook <words>`: which runbook the user means. */
import type { Catalog, Runbook } from './schema.ts';

export type FindResult = { runbook: Runbook } | { candidates: Runbook[] };

/**
 * Exact id, then exact alias; otherwise the runbooks whose id, name or aliases contain every word
 * (case-insensitive). One match is the answer; none or several are returned as candidates so the
 * caller can offer a choice.
 */
export function findRunbook(catalog: Catalog, words: string): FindResult {
  const text = words.trim().toLowerCase();
  const byId = catalog.runbooks.get(text);
  if (byId) return { runbook: byId };
  const aliasOf = catalog.aliases.get(text);
  const byAlias = aliasOf === undefined ? undefined : catalog.runbooks.get(aliasOf);
  if (byAlias) return { runbook: byAlias };

  const wanted = text.split(/\s+/).filter((w) => w !== '');
  const all = [...catalog.runbooks.values()];
  const matches = all.filter((r) => {
    const hay = [r.id, r.name, ...r.aliases].join(' ').toLowerCase();
    return wanted.every((w) => hay.includes(w));
  });
  const [only, ...more] = matches;
  return only && more.length === 0 && wanted.length > 0 ? { runbook: only } : { candidates: matches };
}

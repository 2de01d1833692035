/**
 * The Harness client's `onRequest` hook, counted. Paths carry execution ids, so they are folded into
 * a few operations to keep label cardinality bounded.
 */
import type { RequestInfo } from '../harness/types.ts';
import type { Metrics } from './metrics.ts';

export function harnessOperation(path: string): string {
  if (/\/execute\/interrupt\//.test(path)) return 'abort';
  if (/\/execute\//.test(path)) return 'execute';
  if (/\/execution\/v2\//.test(path)) return 'status';
  if (/\/execution\/summary/.test(path)) return 'list';
  return 'other';
}

export function countHarnessRequest(metrics: Metrics): (info: RequestInfo) => void {
  return (info) =>
    metrics.harnessRequests.inc({
      method: info.method,
      operation: harnessOperation(info.path),
      status: info.status === undefined ? 'transport_error' : String(info.status),
    });
}

/**
 * How a test incident (issue 8) is marked wherever a person sees it: one emoji + word for titles
 * and one-line lists, one banner block for messages and modals. Kept in one place so every surface
 * says it the same way and a responder can never mistake a rehearsal for a real incident (or the
 * other way round). Pure.
 */
import * as ids from '../ids.ts';
import type { Block } from './kit.ts';
import { mrkdwn } from './kit.ts';

/** Short mark for titles, list lines and fallback texts. */
export const TEST_MARK = '🧪 TEST';

/** What a test incident changes, in one sentence (banner and help). */
export const TEST_EFFECTS =
  'runbooks run their `staging:` pipelines (a pipeline step without one is skipped), external follow-ups go to their staging targets or are skipped, and no deployment gate is held';

/** `"🧪 TEST · "` for a test incident, `""` otherwise: put in front of a title or line. */
export function testPrefix(test: boolean | undefined, sep = ' · '): string {
  return test === true ? `${TEST_MARK}${sep}` : '';
}

/** The banner block, or none (spread it: `...testBanner(incident.test)`). */
export function testBanner(test: boolean | undefined, what = 'This is a *test incident*'): Block[] {
  if (test !== true) return [];
  return [
    {
      type: 'context',
      block_id: ids.TEST_MARK_BLOCK,
      elements: [mrkdwn(`${TEST_MARK} · ${what}: ${TEST_EFFECTS}.`)],
    },
  ];
}

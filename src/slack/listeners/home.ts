/** App Home: runbooks and the latest runs, refreshed whenever the Home tab is opened. */
import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps.ts';
import { homeView } from '../blocks/index.ts';
import { describeHolds } from '../../gates/evaluate.ts';

export function registerHome(app: App, d: SlackDeps): void {
  app.event('app_home_opened', async ({ event, client, body }) => {
    if (event.tab !== 'home') return;
    // Events are retried by Slack when slow; one publish per delivery id is enough.
    const eventId = (body as { event_id?: string }).event_id;
    if (eventId && !d.store.idempotency.claim(`event:${eventId}`, d.clock.now())) return;
    const runs = d.store.runs.recent(15);
    const open = d.incidents.listOpen();
    // Runs of test incidents are marked; their incident may be resolved already, so ask by id.
    const runIncidents = [...new Set(runs.map((r) => r.incidentId).filter((x): x is string => !!x))];
    const testIncidents = new Set(runIncidents.filter((id) => d.store.incidents.get(id)?.test === true));
    const view = homeView({
      runbooks: [...d.catalog().runbooks.values()],
      runs,
      // Newest first: the incident someone just declared is the one they look for.
      incidents: [...open].reverse(),
      testIncidents,
      now: d.clock.now(),
      ...(d.gates ? { gateHolds: describeHolds(d.gates.holds()).split('; ').filter(Boolean) } : {}),
      ...(d.manifestErrors ? { manifestErrors: d.manifestErrors() } : {}),
    });
    await client.views.publish({ user_id: event.user, view: view as never });
  });
}

/**
 * A real incident service on a real SQLite file, with a catalog holding one incident type that
 * has a field of every kind, a manual clock and a logger whose lines the test can read.
 */
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createStore, type Store } from '../../src/store/index.ts';
import { createIncidentService, type IncidentEvent } from '../../src/incidents/service.ts';
import { incidentTypeSchema, type Catalog } from '../../src/manifests/schema.ts';
import { createLogger } from '../../src/log.ts';
import { ManualClock } from './engine-setup.ts';
import { tempDir } from './tmp.ts';

export const majorIncident = incidentTypeSchema.parse({
  kind: 'IncidentType',
  id: 'major-incident',
  name: 'Major Incident',
  fields: [
    { name: 'customer_facing', label: 'Customer facing', type: 'boolean', required: true },
    { name: 'region', type: 'select', options: ['us-east-1', 'eu-west-1'] },
    { name: 'impacted_users', type: 'number' },
    { name: 'owner', type: 'user' },
    { name: 'regions', type: 'multiselect', options: ['us-east-1', 'eu-west-1', 'ap-south-1'] },
    { name: 'jira_key', type: 'text' },
  ],
});

export function testCatalog(): Catalog {
  return {
    runbooks: new Map(),
    incidentTypes: new Map([[majorIncident.id, majorIncident]]),
    access: null,
    aliases: new Map(),
    sources: new Map(),
  };
}

export function createServiceOn(store: Store, clock: ManualClock, logLines: string[] = []) {
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  return createIncidentService({ store, catalog: testCatalog, clock, log: createLogger('debug', sink) });
}

export function setupIncidents() {
  const tmp = tempDir();
  const dbPath = join(tmp.dir, 'bot.db');
  const store = createStore(dbPath);
  const clock = new ManualClock();
  const logLines: string[] = [];
  const service = createServiceOn(store, clock, logLines);
  const events: IncidentEvent[] = [];
  service.on((ev) => void events.push(ev));
  return {
    dbPath,
    store,
    clock,
    service,
    events,
    logLines,
    cleanup() {
      store.close();
      tmp.cleanup();
    },
  };
}

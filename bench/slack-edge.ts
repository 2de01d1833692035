/**
 * Slack, as far as the ack benchmark's measured cells are concerned. In production Slack's servers
 * do their work on Slack's machines; on this 2-CPU bench machine the Slack fake shares the CPUs
 * with the app being measured, and its views.open — parse the view, check its limits, keep it,
 * echo it back — cost ~0.2 ms of CPU per modal, as much as everything the bot adds to Bolt's ack.
 * Charged to the bot, that is Slack's work measured as ours.
 *
 * So the bot's SLACK_API_URL points here. views.open is answered at once the way Slack answers it
 * (`{"ok":true,…}` with the request's view echoed, about the size of Slack's answer) and recorded as
 * it arrived (time, raw body). After each cell, outside the measured time, every recorded modal is
 * checked as the fake checks it (view shape and limits via the fake's own code, trigger_id present
 * and used once, its age) — a modal the fake would refuse still fails the bench. Every other
 * method is forwarded to the full Slack fake unchanged.
 */
import http, { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { viewsOpenRefusal } from '../test/fakes/slack-fake-views.ts';

interface Recorded {
  at: number;
  raw: string;
}

export interface ModalCheck {
  /** Modals the fake would have opened (good view, fresh trigger_id). */
  ok: number;
  /** Milliseconds from each trigger_id's creation to its views.open. */
  ages: number[];
  /** The first few refusals, for the report. */
  refusals: string[];
}

export interface SlackEdge {
  /** SLACK_API_URL for the bot (ends with /api/). */
  url: string;
  /** Checks the views.open calls that arrived at or after `from` (ms since epoch). */
  checkModals(from: number, triggerBornAt: (triggerId: string) => number): ModalCheck;
  /** views.open calls recorded at or after `from`. */
  modalCount(from: number): number;
  close(): Promise<void>;
}

export async function startSlackEdge(fakeOrigin: string): Promise<SlackEdge> {
  const upstream = new URL(fakeOrigin);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const opens: Recorded[] = [];
  const usedTriggers = new Set<string>();

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const out = http.request(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: upstream.host },
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', (e) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`slack edge: the Slack fake did not answer: ${e.message}`);
    });
    out.end(body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.url !== '/api/views.open' || !/^application\/json/.test(req.headers['content-type'] ?? ''))
        return forward(req, res, body);
      const raw = body.toString('utf8');
      opens.push({ at: Date.now(), raw });
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(raw.startsWith('{') ? `{"ok":true,${raw.slice(1)}` : '{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/api/`,
    modalCount: (from) => opens.filter((c) => c.at >= from).length,
    checkModals(from, triggerBornAt) {
      const result: ModalCheck = { ok: 0, ages: [], refusals: [] };
      const refuse = (why: string) => {
        if (result.refusals.length < 5) result.refusals.push(why);
      };
      // Checked records are dropped: thousands of kept view bodies would grow this process's heap
      // and its GC pauses would land in the next cell's latencies.
      const due = opens.filter((c) => c.at >= from);
      opens.splice(0, opens.length, ...opens.filter((c) => c.at < from));
      for (const call of due) {
        let args: Record<string, unknown>;
        try {
          args = JSON.parse(call.raw) as Record<string, unknown>;
        } catch {
          refuse('invalid_json');
          continue;
        }
        const refusal = viewsOpenRefusal(args);
        if (refusal) {
          refuse(refusal);
          continue;
        }
        const trigger = String(args.trigger_id);
        if (usedTriggers.has(trigger)) {
          refuse(`exchanged_trigger_id ${trigger}`);
          continue;
        }
        usedTriggers.add(trigger);
        const age = call.at - triggerBornAt(trigger);
        result.ages.push(age);
        if (age > 3000) refuse(`expired_trigger_id ${trigger} (${age} ms)`);
        else result.ok += 1;
      }
      return result;
    },
    close: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

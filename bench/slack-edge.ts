/**
 * Slack, as far as the ack benchmark's measured cells are concerned — in a process of its own.
 *
 * In production Slack's servers do their work on Slack's machines. On this 2-CPU bench machine the
 * Slack fake shared the bench process with the load generator, so its views.open (parse the view,
 * check its limits, keep it, echo it back: ~0.2 ms of CPU per modal, as much as everything the bot
 * adds to Bolt's ack) and, worse, the garbage it made landed in the generator: GC traces showed the
 * generator's mark-compact pauses (30-70 ms) at exactly the latency spikes of the bot's rounds —
 * the clock measuring the bot stopped because of work done on Slack's behalf.
 *
 * So the bot's SLACK_API_URL points at this process. views.open is answered at once the way Slack
 * answers it (`{"ok":true,…}` with the request's view echoed, about the size of Slack's answer) and
 * recorded (time and body as they came: nothing is parsed while a cell is measured; each distinct
 * modal is parsed once at the check). After each cell, outside the
 * measured time, the bench asks for the check: every recorded modal is checked as the fake checks
 * it (view shape and limits via the fake's own code, trigger_id present and used once) and its
 * trigger_id's age is reported — a modal the fake would refuse still fails the bench. Every other
 * method is forwarded to the full Slack fake unchanged.
 *
 * The bench runs this process at a lower scheduling priority (nice 10, `--edgenice`): Slack's
 * servers are not on the bot's machine, so their work should not take the CPUs the compared apps
 * run on.
 *
 * Run as `node --import tsx bench/slack-edge.ts` with SLACK_FAKE_ORIGIN; control routes (loopback
 * only): `GET /bench/count?from=<ms>`, `GET /bench/check?from=<ms>`.
 */
import http, { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { viewsOpenRefusal } from '../test/fakes/slack-fake-views.ts';

interface Recorded {
  at: number;
  /** The request body as it came; read after the cell, outside the measured time. */
  raw: Buffer;
}

export interface ModalCheck {
  /** Modals the fake would have opened (good view, fresh trigger_id, younger than 3 s). */
  ok: number;
  /** Milliseconds from each trigger_id's creation (its first segment) to its views.open. */
  ages: number[];
  /** The first few refusals, for the report. */
  refusals: string[];
}

const TRIGGER = /"trigger_id":"([^"\\]*)"/;
/** The bench's trigger_ids start with their creation time in ms: `<ms>.<n>.bench`. */
const bornAt = (trigger: string) => Number(trigger.split('.')[0]);

function startEdge(fakeOrigin: string): http.Server {
  const upstream = new URL(fakeOrigin);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  let opens: Recorded[] = [];
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

  const check = (from: number): ModalCheck => {
    const result: ModalCheck = { ok: 0, ages: [], refusals: [] };
    const refuse = (why: string) => {
      if (result.refusals.length < 5) result.refusals.push(why);
    };
    const due = opens.filter((c) => c.at >= from);
    opens = opens.filter((c) => c.at < from); // checked once
    // Most modals differ only in their trigger_id: each distinct rest is parsed and checked once
    // (the fake's view checks, with the trigger_id as it came: present, or missing/empty).
    const verdicts = new Map<string, string | null>();
    for (const call of due) {
      const text = call.raw.toString('utf8');
      const trigger = TRIGGER.exec(text)?.[1] || null;
      const rest = trigger === null ? text : text.replace(`"trigger_id":"${trigger}"`, '"trigger_id":"x"');
      let refusal = verdicts.get(rest);
      if (refusal === undefined) {
        try {
          refusal = viewsOpenRefusal(JSON.parse(rest) as Record<string, unknown>);
        } catch {
          refusal = 'invalid_json';
        }
        verdicts.set(rest, refusal);
      }
      if (refusal !== null || trigger === null) {
        refuse(refusal ?? 'invalid_arguments');
        continue;
      }
      if (usedTriggers.has(trigger)) {
        refuse(`exchanged_trigger_id ${trigger}`);
        continue;
      }
      usedTriggers.add(trigger);
      const age = call.at - bornAt(trigger);
      result.ages.push(age);
      if (age > 3000) refuse(`expired_trigger_id ${trigger} (${age} ms)`);
      else result.ok += 1;
    }
    return result;
  };

  const control = (u: URL, res: ServerResponse) => {
    const from = Number(u.searchParams.get('from') ?? 0);
    const body =
      u.pathname === '/bench/count' ? { count: opens.filter((c) => c.at >= from).length } : check(from);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  // Slack's answer starts `{"ok":true,` and echoes the view; the request body is the view's JSON
  // with the trigger_id, so the answer is that body with this prefix in place of its `{`.
  const OK = Buffer.from('{"ok":true,');
  const HEADERS = { 'content-type': 'application/json; charset=utf-8' };

  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.url?.startsWith('/bench/')) return control(new URL(req.url, 'http://127.0.0.1'), res);
      if (req.url !== '/api/views.open' || !/^application\/json/.test(req.headers['content-type'] ?? ''))
        return forward(req, res, body);
      // Only what Slack's answer needs, while the cell is measured: the body is kept as it came and
      // read (trigger_id, view checks, one shared copy per distinct modal) after the cell.
      opens.push({ at: Date.now(), raw: body });
      res.writeHead(200, HEADERS);
      res.end(body[0] === 0x7b ? Buffer.concat([OK, body.subarray(1)]) : '{"ok":true}');
    });
  });
}

/** The bench's side: the edge's Slack URL and its control routes. */
export function slackEdgeClient(origin: string) {
  const get = async <T>(path: string): Promise<T> => (await (await fetch(`${origin}${path}`)).json()) as T;
  return {
    url: `${origin}/api/`,
    modalCount: async (from: number) => (await get<{ count: number }>(`/bench/count?from=${from}`)).count,
    checkModals: (from: number) => get<ModalCheck>(`/bench/check?from=${from}`),
  };
}
export type SlackEdge = ReturnType<typeof slackEdgeClient>;

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const origin = process.env.SLACK_FAKE_ORIGIN;
  if (!origin) {
    console.error('slack-edge: set SLACK_FAKE_ORIGIN to the Slack fake (http://127.0.0.1:<port>)');
    process.exit(2);
  }
  startEdge(origin).listen(0, '127.0.0.1');
  process.once('SIGTERM', () => process.exit(0));
}

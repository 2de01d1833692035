/**
 * Timeline events that wait for their thread reply go out together: one reply, one line per event,
 * so a run that finishes (pipeline finished, follow-ups, run finished) costs one chat.postMessage
 * instead of one per event — posts are budgeted per workspace and paced per channel.
 */
import type { TimelineEvent } from '../store/index.ts';
import { runThreadReply } from './blocks/index.ts';

/** Under chat.update's 4,000 characters (what Slack shows in full), with room to spare. */
export const MAX_REPLY_CHARS = 3500;

export interface ReplyBatch {
  text: string;
  /** The newest event in this reply: the run's `lastEventId` once it is posted. */
  lastEventId: number;
  count: number;
}

/** The next reply for `events` (oldest first): as many lines as fit, at least one. */
export function nextReplyBatch(events: TimelineEvent[], maxChars = MAX_REPLY_CHARS): ReplyBatch | undefined {
  const lines: string[] = [];
  let size = 0;
  let lastEventId = 0;
  for (const ev of events) {
    const line = runThreadReply(ev).text;
    if (lines.length > 0 && size + 1 + line.length > maxChars) break;
    lines.push(line);
    size += (lines.length > 1 ? 1 : 0) + line.length;
    lastEventId = ev.id;
  }
  if (lines.length === 0) return undefined;
  return { text: lines.join('\n'), lastEventId, count: lines.length };
}

/** What /proc tells about a child process: peak RSS, CPU seconds, its listening port. Linux only. */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export function procStats(pid: number): { rssPeakMb: number; cpuS: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime, in 1/100 s
  return { rssPeakMb: hwm / 1024, cpuS: ticks / 100 };
}

/** The TCP port the child listens on, from /proc/net/tcp (its only listening socket). */
export async function listeningPort(pid: number): Promise<number> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /socket:\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // fd closed meanwhile
    }
  }
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A' && inodes.has(f[9] ?? '')) return parseInt(f[1]!.split(':')[1]!, 16);
    }
  }
  return 0;
}

/** Waits until the child listens (its port), up to `ms`. */
export async function waitForPort(pid: number, ms = 30_000): Promise<number> {
  const end = Date.now() + ms;
  for (;;) {
    const port = await listeningPort(pid);
    if (port) return port;
    if (Date.now() > end) throw new Error(`bench: pid ${pid} is not listening after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

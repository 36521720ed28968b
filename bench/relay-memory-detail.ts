/**
 * Where a relay process's RSS goes (relay-storm-bench.ts `--memory-detail`), read from outside:
 * the kernel's account of the process's mappings (/proc/<pid>/smaps: file-backed pages, glibc
 * malloc's main heap and its per-thread arenas, the other anonymous mappings, where both V8 heaps
 * live) and the relay's own metrics (the main thread's V8 heap by space and its external memory;
 * the delivery thread's heap, external and V8-malloced bytes). What stays unattributed is
 * anonymous memory outside malloc and outside both V8 heaps' resident pages.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { loadavg } from 'node:os';
import { cpuMs } from './proc-cpu.ts';

/** MB of the process's resident memory, by where the kernel says it lives. */
interface Mappings {
  rss: number;
  /** Pages of files (the node binary, shared libraries): reclaimable, but counted in RSS and in a cgroup. */
  file: number;
  anonymous: number;
  /** glibc malloc: the main arena (brk heap) and the per-thread arenas (64 MB-aligned mappings). */
  mallocMain: number;
  mallocArenas: number;
  arenaCount: number;
  /** Every other anonymous mapping: V8's heap pages (both isolates), big mallocs, stacks. */
  otherAnonymous: number;
  threads: number;
}

const ARENA = 64 * 1024 * 1024;

/** The process's mappings from /proc/<pid>/smaps, in MB; undefined when it is gone. */
function mappings(pid: number): Mappings | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return undefined;
  }
  const m: Mappings = {
    rss: 0,
    file: 0,
    anonymous: 0,
    mallocMain: 0,
    mallocArenas: 0,
    arenaCount: 0,
    otherAnonymous: 0,
    threads: 0,
  };
  const maps: { start: number; end: number; perm: string; name: string; rss: number }[] = [];
  for (const line of text.split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head)
      maps.push({ start: parseInt(head[1]!, 16), end: parseInt(head[2]!, 16), perm: head[3]!, name: head[4]!, rss: 0 });
    else if (line.startsWith('Rss:')) maps.at(-1)!.rss = Number(/\d+/.exec(line)![0]) / 1024;
  }
  maps.forEach((x, i) => {
    m.rss += x.rss;
    if (x.name.startsWith('/')) m.file += x.rss;
    else if (x.name === '[heap]') m.mallocMain += x.rss;
    else if (!x.name && x.start % ARENA === 0 && arenaEnd(maps, i) - x.start === ARENA) {
      m.mallocArenas += x.rss;
      m.arenaCount++;
    } else if (!x.name) m.otherAnonymous += x.rss;
  });
  m.anonymous = m.rss - m.file;
  try {
    m.threads = Number(/^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    /* gone meanwhile */
  }
  return m;
}

/** Where a malloc arena starting at maps[i] ends: its used part, then the reserved rest (`---p`). */
function arenaEnd(maps: readonly { end: number; perm: string; name: string }[], i: number): number {
  const next = maps[i + 1];
  return next && !next.name && next.perm.startsWith('---') ? next.end : maps[i]!.end;
}

/** MB of the relay's V8 heaps, from its /metrics. */
interface Heaps {
  mainUsed: number;
  mainTotal: number;
  mainExternal: number;
  /** Used/total MB of each of the main thread's heap spaces. */
  spaces: Record<string, [number, number]>;
  threadUsed: number;
  threadTotal: number;
  threadPhysical: number;
  threadExternal: number;
  threadMalloced: number;
}

async function heaps(port: number): Promise<Heaps | undefined> {
  let text: string;
  try {
    text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  } catch {
    return undefined;
  }
  const mb = (series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`notify_guard_relay_${series} `));
    return Number(line?.split(' ')[1] ?? NaN) / 1048576;
  };
  const spaces: Record<string, [number, number]> = {};
  for (const [, space, used] of text.matchAll(
    /^notify_guard_relay_nodejs_heap_space_size_used_bytes\{space="(\w+)"\} (\S+)$/gm,
  ))
    spaces[space!] = [Number(used) / 1048576, mb(`nodejs_heap_space_size_total_bytes{space="${space}"}`)];
  const thread = (kind: string) => mb(`delivery_thread_memory_bytes{kind="${kind}"}`);
  return {
    mainUsed: mb('nodejs_heap_size_used_bytes'),
    mainTotal: mb('nodejs_heap_size_total_bytes'),
    mainExternal: mb('nodejs_external_memory_bytes'),
    spaces,
    threadUsed: mb('delivery_thread_heap_used_bytes'),
    threadTotal: thread('heap_total'),
    threadPhysical: thread('heap_physical'),
    threadExternal: thread('external'),
    threadMalloced: thread('malloced'),
  };
}

/** What `memoryDetail` measured at one moment. */
export interface MemoryDetail {
  readonly at: string;
  readonly maps?: Mappings;
  readonly heaps?: Heaps;
}

/** Reads the relay's memory now (`at` names the moment). */
export async function memoryDetail(at: string, pid: number, port: number): Promise<MemoryDetail> {
  const h = await heaps(port);
  const maps = mappings(pid);
  return { at, ...(maps ? { maps } : {}), ...(h ? { heaps: h } : {}) };
}

const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');

/** Lines for the bench's output. */
export function describeMemory(d: MemoryDetail): string[] {
  const { maps: m, heaps: h } = d;
  const lines = [`  memory ${d.at}:`];
  if (m) {
    const v8 = h ? h.mainTotal + (Number.isFinite(h.threadPhysical) ? h.threadPhysical : h.threadTotal) : NaN;
    lines.push(
      `    RSS ${f(m.rss)} MB (${m.threads} threads): file-backed ${f(m.file)}, anonymous ${f(m.anonymous)}: malloc main ${f(m.mallocMain)} + ${m.arenaCount} arenas ${f(m.mallocArenas)}, other anonymous ${f(m.otherAnonymous)} (both V8 heaps allocated ${f(v8)}; the rest ${f(m.otherAnonymous - v8)}: stacks, big mallocs, V8 code and pages not yet returned)`,
    );
  }
  if (h) {
    const spaces = Object.entries(h.spaces)
      .filter(([, [, total]]) => total >= 0.05)
      .map(([s, [used, total]]) => `${s} ${f(used)}/${f(total)}`)
      .join(', ');
    lines.push(
      `    main heap used/total ${f(h.mainUsed)}/${f(h.mainTotal)} MB, external ${f(h.mainExternal)} (${spaces})`,
      `    delivery thread heap used/total ${f(h.threadUsed)}/${f(h.threadTotal)} MB (resident ${f(h.threadPhysical)}), external ${f(h.threadExternal)}, V8 malloc ${f(h.threadMalloced)}`,
    );
  }
  return lines;
}

/** Sockets the process holds open (its descriptors that are sockets): Slack connections, listeners, the thread's ports. */
function socketCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:');
      } catch {
        return false;
      }
    }).length;
  } catch {
    return NaN;
  }
}

/** Deliveries sent so far (notify_guard_relay_deliveries_total{result="sent"}), NaN when unreadable. */
async function sentSoFar(port: number): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return Number(/^notify_guard_relay_deliveries_total\{result="sent"\} (\S+)$/m.exec(text)?.[1] ?? 0);
  } catch {
    return NaN;
  }
}

/**
 * Prints a line every `everyMs` while a relay runs (BENCH_MEMORY_TRACE=<seconds> in the storm bench):
 * RSS and its high-water mark, malloc, V8's two heaps, the sockets open, the messages sent per second
 * since the last line, the relay's CPU time so far (all its threads), and the load average. Returns the function that stops it.
 */
export function traceMemory(pid: number, port: number, everyMs: number, print: (line: string) => void): () => void {
  const began = performance.now();
  let last = { at: began, sent: NaN };
  const timer = setInterval(() => {
    void Promise.all([memoryDetail('', pid, port), sentSoFar(port)]).then(([d, sent]) => {
      const now = performance.now();
      const rate = (sent - last.sent) / ((now - last.at) / 1000);
      last = { at: now, sent };
      const { maps: m, heaps: h } = d;
      if (!m) return;
      const hwm = Number(/^VmHWM:\s+(\d+)/m.exec(readStatus(pid))?.[1] ?? NaN) / 1024;
      print(
        `  trace ${f((now - began) / 1000)} s: RSS ${f(m.rss)} (high-water ${f(hwm)}) MB; malloc ${f(m.mallocMain)}+${f(m.mallocArenas)}, other anon ${f(m.otherAnonymous)}, file ${f(m.file)}; ` +
          `main heap ${f(h?.mainUsed ?? NaN)}/${f(h?.mainTotal ?? NaN)}, thread heap ${f(h?.threadUsed ?? NaN)}/${f(h?.threadTotal ?? NaN)} ext ${f(h?.threadExternal ?? NaN)}; ` +
          `sockets ${socketCount(pid)}; sent ${f(rate)}/s; CPU ${f(cpuMs(pid) / 1000)} s; load ${loadavg()
            .map((x) => x.toFixed(1))
            .join(' ')}`,
      );
    });
  }, everyMs);
  return () => clearInterval(timer);
}

function readStatus(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return '';
  }
}

// Where the CPU went during a load run (Linux /proc; zeros elsewhere): the server under test (by
// pid), this process (the load generator), the local PostgreSQL server's processes, and
// everything else running on the machine at the time. Taken by bench/load.ts around its run.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export interface CpuSnapshot {
  at: number;
  selfUs: number;
  serverSeconds: number;
  postgresSeconds: number;
  machineBusySeconds: number;
}

export interface CpuShare {
  /** In cores: CPU-seconds used ÷ wall-clock seconds. */
  server: number;
  loadGenerator: number;
  postgres: number;
  /** Everything else busy on the machine (other users' work, the kernel). */
  other: number;
  idle: number;
}

function machineBusySeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [, ...fields] = line.trim().split(/\s+/);
    const n = fields.map(Number);
    const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (n[3] ?? 0) + (n[4] ?? 0);
    return (total - idle) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** CPU-seconds (user and system) a process has used so far; 0 if it is gone. */
export function processSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function postgresSeconds(): number {
  let ticks = 0;
  for (const entry of procEntries()) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      if (comm !== 'postgres') continue;
      const fields = stat.slice(close + 2).split(' ');
      // Fields after the name start at 3 (state); utime and stime are fields 14 and 15.
      ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
    } catch {
      // The process ended meanwhile.
    }
  }
  return ticks / TICKS_PER_SECOND;
}

/** The processes whose parent is `pid` (the worker processes of a server). */
export function childProcesses(pid: number): number[] {
  const children: number[] = [];
  for (const entry of procEntries()) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (the first after the state) is the parent's pid.
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry));
    } catch {
      // The process ended meanwhile.
    }
  }
  return children;
}

function procEntries(): string[] {
  try {
    return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [];
  }
}

export function cpuSnapshot(serverPids: number[]): CpuSnapshot {
  const usage = process.cpuUsage();
  return {
    at: performance.now(),
    selfUs: usage.user + usage.system,
    serverSeconds: serverPids.reduce((sum, pid) => sum + processSeconds(pid), 0),
    postgresSeconds: postgresSeconds(),
    machineBusySeconds: machineBusySeconds(),
  };
}

export function cpuShare(before: CpuSnapshot, after: CpuSnapshot, cpus: number): CpuShare {
  const seconds = Math.max(1e-3, (after.at - before.at) / 1000);
  const server = (after.serverSeconds - before.serverSeconds) / seconds;
  const loadGenerator = (after.selfUs - before.selfUs) / 1e6 / seconds;
  const postgres = (after.postgresSeconds - before.postgresSeconds) / seconds;
  const busy = (after.machineBusySeconds - before.machineBusySeconds) / seconds;
  const round = (x: number) => Math.round(Math.max(0, x) * 100) / 100;
  return { server: round(server), loadGenerator: round(loadGenerator), postgres: round(postgres), other: round(busy - server - loadGenerator - postgres), idle: round(cpus - busy) };
}

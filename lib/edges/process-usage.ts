export interface ProcessUsage {
  readonly cpuSeconds: number;
  readonly residentBytes: number;
  readonly heapUsedBytes: number;
}

/** Reads the process's own usage for the `process_*` self-metrics (the edge that touches `process`). */
export function processUsage(): ProcessUsage {
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return { cpuSeconds: (cpu.user + cpu.system) / 1e6, residentBytes: memory.rss, heapUsedBytes: memory.heapUsed };
}

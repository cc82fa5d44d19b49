/**
 * The service's Prometheus metrics (prom-client), in a registry of its own so that several
 * servers in one process do not collide.
 * @module
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PoolEvent, WorkerPool } from './pool.js';
import type { ServeStore } from './store.js';

/**
 * The metrics of one server.
 *
 * @internal
 */
export interface ServeMetrics {
  registry: Registry;
  requests: Counter<'route' | 'method' | 'status'>;
  latency: Histogram<'route' | 'method'>;
  rejected: Counter<'reason'>;
  onPoolEvent: (event: PoolEvent) => void;
}

/**
 * Creates the registry: HTTP requests by route and status, latency histograms, queue depth, busy
 * and ready workers, worker restarts, inference time, rejections (queue full, rate limited,
 * deadline), the bytes an in-process store holds, and Node's process metrics.
 *
 * @internal
 */
export function createMetrics(pool: () => WorkerPool | undefined, store?: ServeStore): ServeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'facematch_' });
  const requests = new Counter({
    name: 'facematch_http_requests_total',
    help: 'HTTP requests answered, by route, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'facematch_http_request_duration_seconds',
    help: 'Time from request to response, by route and method.',
    labelNames: ['route', 'method'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const rejected = new Counter({
    name: 'facematch_rejected_total',
    help: 'Requests refused before inference: queue_full, rate_limited, deadline.',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const restarts = new Counter({ name: 'facematch_worker_restarts_total', help: 'Inference workers replaced after they died.', registers: [registry] });
  const inference = new Histogram({
    name: 'facematch_inference_duration_seconds',
    help: 'Time a worker spent on one job, by provider.',
    labelNames: ['kind'] as const,
    buckets: [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10],
    registers: [registry],
  });
  const queueWait = new Histogram({
    name: 'facematch_queue_wait_seconds',
    help: 'Time a job waited for a worker.',
    buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const gauge = (name: string, help: string, read: (p: WorkerPool) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const p = pool();
        this.set(p ? read(p) : 0);
      },
    });
  gauge('facematch_queue_depth', 'Jobs waiting for a worker.', (p) => p.stats().waiting);
  gauge('facematch_queue_capacity', 'Jobs that may wait before requests are refused with 429.', (p) => p.stats().maxWaiting);
  gauge('facematch_workers_busy', 'Workers running a job.', (p) => p.stats().busy);
  gauge('facematch_workers_ready', 'Workers with their models loaded.', (p) => p.stats().ready);
  // Each worker thread's own memory: process RSS and the default metrics see only the sum and
  // the main thread's heap. The registry collects its metrics concurrently, so the two gauges
  // below share one question to the workers per scrape.
  let asking: ReturnType<WorkerPool['memory']> | undefined;
  const workerMemory = () => {
    const p = pool();
    if (!p) return Promise.resolve([]);
    asking ??= p.memory().finally(() => (asking = undefined));
    return asking;
  };
  const WORKER_MEMORY = { heap_used: 'heapUsed', heap_total: 'heapTotal', external: 'external', array_buffers: 'arrayBuffers', wasm_heap: 'wasmHeap', tensors: 'tensorBytes' } as const;
  new Gauge({
    name: 'facematch_worker_memory_bytes',
    help: "Memory of each inference worker, from inside it: V8 heap used and reserved, external, ArrayBuffers, the tfjs wasm heap, live tensors' data.",
    labelNames: ['worker', 'kind'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const m of await workerMemory()) {
        for (const [kind, field] of Object.entries(WORKER_MEMORY)) this.set({ worker: String(m.worker), kind }, m[field]);
      }
    },
  });
  new Gauge({
    name: 'facematch_worker_tensors',
    help: 'Live tfjs tensors in each inference worker (constant between jobs; growth is a leak).',
    labelNames: ['worker'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const m of await workerMemory()) this.set({ worker: String(m.worker) }, m.tensors);
    },
  });
  if (store?.usage) {
    const usage = store.usage.bind(store);
    new Gauge({
      name: 'facematch_store_bytes',
      help: 'Bytes the in-process store holds: uploaded media and face crops (bounded by store.maxBytes; crops expire after their URL).',
      labelNames: ['kind'],
      registers: [registry],
      collect() {
        const u = usage();
        this.set({ kind: 'media' }, u.media);
        this.set({ kind: 'images' }, u.images);
      },
    });
  }
  return {
    registry,
    requests,
    latency,
    rejected,
    onPoolEvent(event) {
      if (event.type === 'worker-restart') restarts.inc();
      if (event.type === 'job-done') {
        inference.observe({ kind: event.kind }, event.runMs / 1000);
        queueWait.observe(event.waitMs / 1000);
      }
    },
  };
}

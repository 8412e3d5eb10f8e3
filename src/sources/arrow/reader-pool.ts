/**
 * Reading threads kept for inputs that come one after another: the bodies of POST /ingest.
 * A thread of its own for each body cost ~0.1 s of CPU to start (its modules), and under 200
 * bodies at once ~1 GiB (bench/NOTES.md 56, 59). At most `size` bodies are read at once, the
 * others wait their turn; a thread that ended its input (or said why it could not) reads the
 * next; one that stalled, ran out of memory or died is ended and a fresh one takes its place.
 */
import { Worker } from 'node:worker_threads';
import { compiledModule } from '../../package-root.js';

export class ReaderPool {
  private readonly idle: Worker[] = [];
  private readonly waiting: (() => void)[] = [];
  private busy = 0;
  private closed = false;

  constructor(
    /** Inputs read at once. */
    readonly size: number,
    /** Heap limit of each thread, MiB. */
    readonly maxHeapMb = 2048,
  ) {}

  /** A thread to read one input: an idle one, or a new one once fewer than `size` are busy. */
  async acquire(): Promise<Worker> {
    while (this.busy >= this.size) await new Promise<void>((r) => this.waiting.push(r));
    this.busy++;
    const kept = this.idle.pop();
    if (kept !== undefined) {
      kept.ref();
      return kept;
    }
    const worker = new Worker(compiledModule(import.meta.url, 'sources/arrow/read-worker.js'), {
      workerData: null,
      resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb },
    });
    // one that dies idle leaves the pool
    worker.once('exit', () => {
      const i = this.idle.indexOf(worker);
      if (i >= 0) this.idle.splice(i, 1);
    });
    return worker;
  }

  /** Gives a thread back: kept for the next input when it ended its last one, else ended. */
  release(worker: Worker, reusable: boolean): void {
    this.busy--;
    if (reusable && !this.closed) {
      // an idle thread holds no process open
      worker.unref();
      this.idle.push(worker);
    } else {
      worker.unref();
      void worker.terminate();
    }
    this.waiting.shift()?.();
  }

  /** Ends the idle threads; busy ones end as they are given back. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.idle.splice(0).map((w) => w.terminate()));
  }
}

// A worker thread's entry that runs a TypeScript module: tsx, which runs the
// benchmark, does not reach worker threads by itself.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);

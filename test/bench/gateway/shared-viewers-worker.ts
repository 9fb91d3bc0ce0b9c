// One of the shared-console phase's viewer threads: it opens the viewers it is
// given and reads them on its own event loop, so that twenty viewers are not
// twenty queues behind one loop and the latency they measure is not the
// benchmark's own. Answers the calls of `shared-viewers.ts`.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { leanWebsocketChannel } from '../lib/lean-websocket.ts';
import { StreamViewer } from '../lib/rfb-viewer.ts';
import type { ViewerCall, ViewerReply } from './shared-viewers.ts';

const viewers = new Map<number, StreamViewer>();
let nextId = 0;
const loopDelay = monitorEventLoopDelay({ resolution: 5 });

async function open(call: Extract<ViewerCall, { op: 'open' }>): Promise<number> {
  const channel = await leanWebsocketChannel(call.url, { protocols: call.protocols });
  const viewer = await StreamViewer.open(channel, call.handshakeMs);
  await viewer.updatesArrived(1, call.firstUpdateMs).catch((err: unknown) => {
    viewer.close();
    throw err;
  });
  viewers.set(nextId, viewer);
  return nextId++;
}

async function answer(call: ViewerCall): Promise<unknown> {
  switch (call.op) {
    case 'open':
      return open(call);
    case 'arrived':
      // A viewer that stalls or ends shows in `ended`, asked next.
      await Promise.all([...viewers.values()].map((v) => v.updatesArrived(call.updates, call.timeoutMs))).catch(() => undefined);
      return undefined;
    case 'ended':
      return [...viewers].flatMap(([id, v]) => (v.endedBecause === undefined ? [] : [[id, v.endedBecause]]));
    case 'openWindows':
      loopDelay.reset();
      loopDelay.enable();
      for (const v of viewers.values()) v.openWindow();
      return undefined;
    case 'closeWindows': {
      const windows = [...viewers].map(([id, v]) => [id, v.closeWindow()]);
      loopDelay.disable();
      return { windows, loopDelayP99Ms: loopDelay.percentile(99) / 1e6 };
    }
    case 'close':
      for (const v of viewers.values()) v.close();
      viewers.clear();
      return undefined;
  }
}

parentPort!.on('message', ({ seq, call }: { seq: number; call: ViewerCall }) => {
  answer(call).then(
    (value) => parentPort!.postMessage({ seq, value } satisfies ViewerReply),
    (err: unknown) => parentPort!.postMessage({ seq, error: err instanceof Error ? err.message : String(err) } satisfies ViewerReply),
  );
});

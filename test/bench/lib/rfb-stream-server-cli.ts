// `node --import tsx test/bench/lib/rfb-stream-server-cli.ts --fps N --width W --height H`:
// the streaming VNC server in a process of its own, so that the clock stamping
// each update is not held up by the viewers reading them. Prints one JSON line
// with the port once it listens.
import { parseArgs } from 'node:util';
import { RfbStreamServer } from './rfb-stream-server.ts';

const { values } = parseArgs({ options: { fps: { type: 'string' }, width: { type: 'string' }, height: { type: 'string' }, port: { type: 'string', default: '0' } } });
const number = (name: keyof typeof values): number => {
  const value = Number(values[name]);
  if (!Number.isFinite(value) || values[name] === undefined) throw new Error(`--${name} <number> is required, got ${JSON.stringify(values[name])}`);
  return value;
};
const server = new RfbStreamServer({ fps: number('fps'), width: number('width'), height: number('height'), name: 'bench stream' });
const port = await server.listen(number('port'));
process.stdout.write(`${JSON.stringify({ ready: true, port, changeBytes: server.changeBytes })}\n`);
process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));

#!/usr/bin/env node
import { ConfigError, parseCommandLine, renderHelp } from './config.ts';
import { startGateway, StartupError } from './start.ts';

// Configuration mistakes exit 2 with one line, as kube-gateway's flag package does.
function die(message: string): never {
  process.stderr.write(`gatepass-gateway: ${message}\n`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseCommandLine(process.argv.slice(2), process.env);
} catch (err) {
  if (err instanceof ConfigError) die(err.message);
  throw err;
}
if (parsed.help) {
  process.stdout.write(renderHelp());
  process.exit(0);
}

try {
  const gateway = await startGateway(parsed.config);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void gateway.shutdown().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (err) {
  if (err instanceof StartupError) die(err.message);
  throw err;
}

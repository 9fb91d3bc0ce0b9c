#!/usr/bin/env node
import { ConfigError, parseCommandLine, renderHelp } from './config.ts';
import { startGateway, StartupError } from './start.ts';

// `gatepass-gateway keys …` is the key bootstrap, run by the key Job from the same image.
if (process.argv[2] === 'keys') {
  const { runKeysCommand } = await import('./keys-command.ts');
  process.exit(await runKeysCommand(process.argv.slice(3), { env: process.env, stdout: process.stdout, stderr: process.stderr }));
}

// Configuration mistakes exit 2 with one line, as kube-gateway's flag package does.
function die(message: string): never {
  process.stderr.write(`gatepass-gateway: ${message}\n`);
  process.exit(2);
}

// Subcommands take over before the gateway's own flags are parsed.
if (process.argv[2] === 'gatetoken-controller') {
  (await import('./gatetoken/controller.ts')).main(process.argv.slice(3));
} else {
  await runGateway();
}

async function runGateway(): Promise<void> {
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
}

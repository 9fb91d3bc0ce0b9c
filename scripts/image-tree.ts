// Assembles exactly the gateway image's file tree (the Dockerfile copies this output
// into /app, so the two cannot drift):
//   gateway/, shared/   the compiled gateway (no tests, no sources, no source maps)
//   web/public/         the built browser viewer (the gateway's default --public-dir)
//   package.json        the runtime dependencies the gateway imports, at their installed versions
//   node_modules/       those dependencies and theirs, copied from this checkout's
//                       lockfile-installed node_modules (offline, same versions as npm ci)
// Usage: node --import tsx scripts/image-tree.ts [--out dist/image]
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../', import.meta.url));

interface PackageJson {
  name: string;
  version: string;
  license?: string;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

function readJson(path: string): PackageJson {
  return JSON.parse(readFileSync(path, 'utf8')) as PackageJson;
}

function run(command: string, args: string[]): void {
  execFileSync(command, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

const builtins = new Set(builtinModules);

/** Package names the compiled code imports (static and literal dynamic imports), read by TypeScript's own scanner. */
export function importedPackages(files: readonly string[]): string[] {
  const names = new Set<string>();
  for (const file of files.filter((f) => f.endsWith('.js'))) {
    for (const { fileName: specifier } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (specifier.startsWith('.') || specifier.startsWith('/')) continue;
      if (specifier.startsWith('node:') || builtins.has(specifier.split('/')[0] ?? '')) continue;
      const parts = specifier.split('/');
      names.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier));
    }
  }
  return [...names].sort();
}

/** Where Node would find `name` when required from `fromDir` (a package dir or the root). */
function locate(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (resolve(dir) === resolve(root) || dirname(dir) === dir) return undefined;
  }
}

/** The installed packages `names` need at run time, as paths relative to the root. */
function closure(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (name: string, fromDir: string, optional: boolean): void => {
    const dir = locate(name, fromDir);
    if (!dir) {
      if (optional) return;
      throw new Error(`runtime dependency ${name} (needed from ${relative(root, fromDir) || 'the gateway'}) is not installed; run npm ci`);
    }
    const rel = relative(root, dir);
    if (seen.has(rel)) return;
    seen.add(rel);
    const pkg = readJson(join(dir, 'package.json'));
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, dir, false);
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) visit(dep, dir, true);
    for (const dep of Object.keys(pkg.peerDependencies ?? {})) visit(dep, dir, true);
  };
  for (const name of names) visit(name, root, false);
  return [...seen].sort();
}

// Packages publish their own tests, typings and docs; none of it runs, so none of it ships.
const UNSHIPPED_DIRS = new Set(['node_modules', 'test', 'tests', '__tests__', 'benchmarks', 'docs', 'example', 'examples']);
const UNSHIPPED_FILE = /\.(?:ts|mts|cts|map|md|markdown)$/;

/** Whether a path inside an installed package belongs in the image (nested node_modules are copied on their own). */
function shipped(pathInPackage: string): boolean {
  if (pathInPackage === '') return true;
  const parts = pathInPackage.split('/');
  if (UNSHIPPED_DIRS.has(parts[0] ?? '') || parts.includes('node_modules')) return false;
  const base = parts.at(-1) ?? '';
  return !UNSHIPPED_FILE.test(base) || /^licen[cs]e/i.test(base);
}

export function buildImageTree(outDir: string): { packages: string[]; files: number } {
  const pkg = readJson(join(root, 'package.json'));
  const staging = mkdtempSync(join(tmpdir(), 'gatepass-image-'));
  try {
    run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', join(staging, 'js'), '--sourceMap', 'false']);
    run(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '-c', 'vite.viewer.config.ts', '--outDir', join(staging, 'viewer'), '--emptyOutDir', '--logLevel', 'warn']);

    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
    cpSync(join(staging, 'js', 'gateway'), join(outDir, 'gateway'), { recursive: true });
    cpSync(join(staging, 'js', 'shared'), join(outDir, 'shared'), { recursive: true });
    cpSync(join(root, 'gateway', 'static'), join(outDir, 'gateway', 'static'), { recursive: true });
    cpSync(join(staging, 'viewer'), join(outDir, 'web', 'public'), { recursive: true });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }

  const imported = importedPackages([...filesUnder(join(outDir, 'gateway')), ...filesUnder(join(outDir, 'shared'))]);
  const notRuntime = imported.filter((name) => !pkg.dependencies?.[name]);
  if (notRuntime.length > 0) {
    throw new Error(`the gateway imports ${notRuntime.join(', ')}, which package.json does not list under dependencies (npm ci --omit=dev would leave them out)`);
  }
  const packages = closure(imported);
  for (const rel of packages) {
    cpSync(join(root, rel), join(outDir, rel), { recursive: true, filter: (src) => shipped(relative(join(root, rel), src)) });
  }
  const dependencies = Object.fromEntries(imported.map((name) => [name, readJson(join(root, 'node_modules', name, 'package.json')).version]));
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify({
    name: 'gatepass-gateway',
    version: pkg.version,
    private: true,
    type: 'module',
    ...(pkg.license ? { license: pkg.license } : {}),
    engines: { node: '>=20.11' },
    bin: { 'gatepass-gateway': 'gateway/cli.js' },
    dependencies,
  }, null, 2)}\n`);
  return { packages, files: filesUnder(outDir).length };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf('--out');
  const unknown = args.filter((a, i) => a !== '--out' && i !== outIndex + 1);
  if (unknown.length > 0 || (outIndex !== -1 && args[outIndex + 1] === undefined)) {
    process.stderr.write('usage: node --import tsx scripts/image-tree.ts [--out <dir>]  (default dist/image)\n');
    process.exit(2);
  }
  const outDir = resolve(root, outIndex === -1 ? 'dist/image' : (args[outIndex + 1] ?? ''));
  try {
    const { packages, files } = buildImageTree(outDir);
    process.stdout.write(`${outDir}: ${files} files, ${packages.length} packages (${packages.map((p) => p.replace(/^node_modules\//, '')).join(', ')})\n`);
  } catch (err) {
    process.stderr.write(`image-tree: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

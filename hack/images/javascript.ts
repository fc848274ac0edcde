// The JavaScript dynokube's images carry in /opt/dynokube, laid out as images/Dockerfile's compile
// stage leaves it: the project compiled (with the pre-receive hook, plain JavaScript, next to its
// compiled siblings, and the dashboard's front end, served as it is), package.json, and the
// production dependencies only. Those are copied from
// this checkout's node_modules instead of installed again, which would take far longer.
import { execFile } from 'node:child_process';
import { copyFile, cp, mkdir, rename } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_DIR as PROJECT } from '../cluster/dirs.js';

const run = promisify(execFile);
const MAX_OUTPUT = 64 * 1024 * 1024;

async function compile(outDir: string): Promise<void> {
  try {
    await run(join(PROJECT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json', '--outDir', outDir], { cwd: PROJECT, maxBuffer: MAX_OUTPUT });
  } catch (e) {
    const { stdout } = e as { stdout?: string };
    throw new Error(`compiling dynokube failed:\n${stdout ?? String(e)}`);
  }
}

/** The directories of the production dependency closure, as `npm ls` resolved it in node_modules. */
async function productionPackages(): Promise<string[]> {
  const { stdout } = await run('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: PROJECT, maxBuffer: MAX_OUTPUT });
  return [...new Set(stdout.split('\n').slice(1).filter(Boolean))]; // the first line is the project itself
}

/** Fills `work` and returns the directory to copy to /opt/dynokube. */
export async function stageJavaScript(work: string): Promise<string> {
  const opt = join(work, 'opt');
  const compiled = join(work, 'compiled');
  await compile(compiled);
  await mkdir(join(opt, 'dist'), { recursive: true });
  await rename(join(compiled, 'src'), join(opt, 'dist', 'src'));
  await copyFile(join(PROJECT, 'src', 'receiver', 'pre-receive.mjs'), join(opt, 'dist', 'src', 'receiver', 'pre-receive.mjs'));
  await cp(join(PROJECT, 'src', 'dashboard', 'public'), join(opt, 'dist', 'src', 'dashboard', 'public'), { recursive: true });
  await copyFile(join(PROJECT, 'package.json'), join(opt, 'package.json'));
  for (const pkg of await productionPackages()) {
    // A package's own node_modules may hold development dependencies: the closure lists the rest.
    const own = (path: string): boolean => relative(pkg, path).split(sep)[0] !== 'node_modules';
    await cp(pkg, join(opt, relative(PROJECT, pkg)), { recursive: true, verbatimSymlinks: true, filter: own });
  }
  return opt;
}

// The build Job's entrypoint, once per container: `builder restore|compile|publish` (see
// api/builder.ts). Each phase reads the previous one's handoff and writes its own; a phase that
// fails says why in the build log and hands the failure on, so the last one reports it through
// the termination message. Everything comes from the environment.
import { writeFile } from 'node:fs/promises';
import { BUILDER_PHASES, BuilderEnv, HANDOFF, TERMINATION_LOG, type BuildResult, type BuilderPhase } from '../api/builder.js';
import { BuildError } from './buildpacks.js';
import { readHandoff, writeHandoff, type Handoff } from './handoff.js';
import { BuildLog } from './log.js';
import { compilePhase, publishPhase, restorePhase } from './phases.js';

async function runPhase(phase: BuilderPhase, log: (line: string) => void): Promise<void> {
  const handoff = process.env[BuilderEnv.handoff] ?? HANDOFF;
  let prior: Handoff | undefined;
  let next: Handoff | BuildResult;
  try {
    prior = phase === 'restore' ? { ok: true, timings: {} } : await readHandoff(handoff);
    next = !prior.ok ? prior : phase === 'restore' ? await restorePhase(prior, log) : phase === 'compile' ? await compilePhase(prior, log) : await publishPhase(prior, log);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const language = e instanceof BuildError && e.language ? e.language : prior?.language;
    if (!(e instanceof BuildError && e.compileFailed)) log(` !     ${message}`);
    log(` !     Push rejected, failed to compile${language ? ` ${language}` : ''} app.`);
    next = { ok: false, error: message, timings: prior?.timings ?? {}, ...(language ? { language } : {}) };
  }
  if (phase !== 'publish') {
    await writeHandoff(handoff, next as Handoff);
    return;
  }
  const result: BuildResult = next.ok ? (next as BuildResult) : { ok: false, ...(next.error ? { error: next.error } : {}), ...(next.language ? { language: next.language } : {}) };
  await writeFile(process.env[BuilderEnv.terminationLog] ?? TERMINATION_LOG, JSON.stringify(result).slice(0, 4096));
}

async function main(): Promise<number> {
  const phase = process.argv[2] as BuilderPhase;
  if (!BUILDER_PHASES.includes(phase)) {
    process.stderr.write(`usage: builder ${BUILDER_PHASES.join('|')}\n`);
    return 2;
  }
  const log = new BuildLog(process.env[BuilderEnv.logUrl]);
  try {
    await runPhase(phase, log.line);
  } finally {
    await log.close();
  }
  return 0;
}

main().then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`builder: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(2);
});

// kubectl-dyno: the Heroku CLI's verbs for dynokube apps, as a kubectl plugin. It talks only to
// the Kubernetes API, with the user's kubeconfig and context. Help and usage errors come from the
// command table alone: the session and the verb's code are imported only to run it.
import { ClientError } from '../client/scope.js';
import { ApiError } from '../k8s/rest.js';
import { COMMANDS, findCommand as find } from './commands/index.js';
import { COMPLETE } from './complete-words.js';
import { CliError, EXIT } from './errors.js';
import { commandHelp, overview, parse, splitCommand } from './framework.js';
import { VERSION } from './version.js';

function explain(err: unknown): { message: string; code: number } {
  if (err instanceof CliError) return { message: err.message, code: err.code };
  if (err instanceof ClientError) return { message: err.message, code: err.kind === 'not-found' ? EXIT.notFound : err.kind === 'invalid' ? EXIT.usage : EXIT.error };
  if (err instanceof ApiError) {
    if (err.status === 401) return { message: 'The cluster did not accept your credentials (401): check your kubeconfig (kubectl auth whoami).', code: EXIT.forbidden };
    if (err.status === 403) return { message: `You don't have permission for that: ${err.message}`, code: EXIT.forbidden };
    if (err.status === 404) return { message: `Not found: ${err.message}. Is dynokube installed in this cluster (kubectl get crd apps.dynokube.dev)?`, code: EXIT.notFound };
    if (err.status === 422) return { message: `The cluster refused that: ${err.message}`, code: EXIT.usage };
    return { message: `The cluster answered ${err.status}: ${err.message}`, code: EXIT.error };
  }
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ECONNREFUSED' || e?.code === 'ENOTFOUND' || e?.code === 'EHOSTUNREACH') {
    return { message: `Cannot reach the cluster (${e.message}). Is it running? (make run, or check kubectl config current-context)`, code: EXIT.error };
  }
  return { message: err instanceof Error ? err.message : String(err), code: EXIT.error };
}

export async function main(argv: string[]): Promise<number> {
  // kubectl_complete-dyno: what the shell may complete the last word with (complete.ts).
  if (argv[0] === COMPLETE) return (await import('./complete.js')).complete(argv.slice(1));
  try {
    const { name, rest } = splitCommand(argv);
    if (name === 'version' || (!name && rest.includes('--version'))) {
      process.stdout.write(`kubectl-dyno ${VERSION} (dynokube, node ${process.version})\n`);
      return EXIT.ok;
    }
    if (!name || name === 'help') {
      const cmd = name === 'help' && rest[0] ? find(rest[0]) : undefined;
      process.stdout.write(cmd ? commandHelp(cmd) : overview(COMMANDS));
      return EXIT.ok;
    }
    const cmd = find(name);
    if (!cmd) {
      const near = COMMANDS.filter((c) => c.name.startsWith(name.split(':')[0]!)).map((c) => c.name);
      process.stderr.write(` !    ${name} is not a kubectl dyno command.${near.length ? ` Perhaps: ${near.join(', ')}.` : ''} See kubectl dyno --help.\n`);
      return EXIT.usage;
    }
    const { args, flags } = parse(cmd, rest);
    if (flags.help) {
      process.stdout.write(commandHelp(cmd));
      return EXIT.ok;
    }
    const [{ Session }, run] = await Promise.all([import('./session.js'), cmd.load()]);
    return (await run(await Session.open(flags), args, flags)) ?? EXIT.ok;
  } catch (err) {
    const { message, code } = explain(err);
    process.stderr.write(` !    ${message}\n`);
    return code;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(` !    ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(EXIT.error);
});

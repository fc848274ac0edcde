// `make run`: dynokube on a local cluster, in the foreground until Ctrl-C. Where the real node can
// run (Linux, root, cgroups, its Debian packages installable) apps really run and answer over
// HTTP; elsewhere the fake node stands in, and make run says why and what to use instead.
import { runFake } from './run/fake.js';
import { installNodePackages, thisMachine, whyNoRealNode } from './run/node-support.js';
import { runReal } from './run/real.js';
import type { Running } from './run/running.js';

async function start(): Promise<Running> {
  const why = whyNoRealNode(thisMachine()) ?? installNodePackages();
  if (why) {
    console.error(`==> using the fake node: ${why}`);
    return runFake(why);
  }
  return runReal();
}

async function main(): Promise<void> {
  // A signal during start-up waits for it to finish, then stops what it started.
  let signalled = false;
  const onSignal = () => {
    if (signalled) return void console.error('==> still stopping; everything started is being stopped in order');
    signalled = true;
    console.error('\n==> stopping');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const running = await start();
  if (!signalled) await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await running.stop();
  console.error('==> stopped');
}

main().catch((err: unknown) => {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

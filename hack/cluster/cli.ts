// make cluster-up / cluster-down / cluster-status: the local control plane on its own.
import { isRunning, readState, startCluster, stopCluster } from './controlplane.js';
import { DEFAULT_DIR } from './dirs.js';

const usage = `usage: tsx hack/cluster/cli.ts <up|down|status> [--dir DIR]

  up      start the control plane in the background (etcd data kept in DIR between runs)
  down    stop it; nothing is left running
  status  say whether it runs, and where its kubeconfig is

DIR defaults to .run in the repository (or $DYNOKUBE_RUN_DIR).`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const dirFlag = rest.indexOf('--dir');
  const dir = dirFlag >= 0 ? rest[dirFlag + 1] ?? DEFAULT_DIR : DEFAULT_DIR;
  switch (command) {
    case 'up': {
      const cluster = await startCluster({ dir, persistent: true, detached: true });
      console.log(`control plane running. Next:\n  export KUBECONFIG=${cluster.kubeconfig}\n  kubectl get nodes`);
      return 0;
    }
    case 'down':
      console.log((await stopCluster(dir)) ? 'control plane stopped' : `no control plane state in ${dir}`);
      return 0;
    case 'status': {
      const state = await readState(dir);
      if (state && isRunning(state)) {
        console.log(`running: ${state.server}\nkubeconfig: ${state.kubeconfig}`);
        return 0;
      }
      console.log('not running');
      return 3;
    }
    case '-h':
    case '--help':
    case 'help':
      console.log(usage);
      return 0;
    default:
      console.error(usage);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);

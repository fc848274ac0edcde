// git:remote, git:credentials: how each is called and described (verbs/git.ts does them).
import type { Command } from '../framework.js';

export const gitRemote: Command = {
  name: 'git:remote',
  summary: 'add a git remote for the app, with a credential helper that signs in with your Kubernetes identity',
  needsApp: true,
  flags: {
    'service-account': { type: 'string', description: 'push as this ServiceAccount (for kubeconfigs that use certificates)', value: 'NAME' },
  },
  examples: ['kubectl dyno git:remote -a myapp', 'kubectl dyno git:remote -a myapp -r staging', 'kubectl dyno git:remote -a myapp --service-account developer'],
  load: () => import('../verbs/git.js').then((m) => m.gitRemote),
};

export const gitCredentials: Command = {
  name: 'git:credentials',
  summary: 'git credential helper: prints a Kubernetes token for git (git runs this, not you)',
  args: 'get|store|erase',
  flags: { 'service-account': { type: 'string', description: 'mint the token for this ServiceAccount', value: 'NAME' } },
  examples: ['git config credential.http://git.example.com.helper "!kubectl dyno git:credentials"'],
  load: () => import('../verbs/git.js').then((m) => m.gitCredentials),
};

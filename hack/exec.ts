// Running a program and collecting what it says, for hack/ scripts and tests alike.
import { spawn } from 'node:child_process';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function exec(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    // No input: stdin is closed from the start, so a program that exits quickly can never
    // make us write into a closed pipe (EPIPE).
    const stdin = opts.input === undefined ? 'ignore' : 'pipe';
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: [stdin, 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    if (child.stdin) {
      // A program may exit without reading all its input; its exit status tells what happened.
      child.stdin.on('error', () => {});
      child.stdin.end(opts.input);
    }
  });
}

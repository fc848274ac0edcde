// What make run's two ways (hack/run/real.ts, hack/run/fake.ts) share: what a started platform
// gives back, and how components' log lines reach the terminal.
import { prettyLine } from './pretty-log.js';

export interface Running {
  /** Stops everything this run started, leaving nothing behind but the data in .run/. */
  stop: () => Promise<void>;
}

/** A component's log line: readable in a terminal, JSON with the component's name otherwise. */
export function showLog(component: string, line: string): void {
  process.stdout.write(process.stdout.isTTY ? `${prettyLine(component, line, !process.env.NO_COLOR)}\n` : `${component} | ${line}\n`);
}

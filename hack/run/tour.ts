// The README's tour: the commands between its `<!-- tour -->` and `<!-- /tour -->` markers, each
// with what it prints after a `#` (fragments joined by `...`). make run prints it with its own
// paths, and the e2e tour test runs it literally, so the README cannot drift from what works.

export interface TourStep {
  command: string;
  /** Fragments the output must contain, in any order. */
  expect: string[];
}

const START = '<!-- tour -->';
const END = '<!-- /tour -->';

export function readTour(readme: string): TourStep[] {
  const from = readme.indexOf(START);
  const to = readme.indexOf(END, from);
  if (from < 0 || to < 0) throw new Error(`the README has no ${START} ... ${END} section`);
  return readme.slice(from + START.length, to).split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('```'))
    .map((l) => {
      // A `#` starts the expected output only after spaces: `curl http://x/#frag` stays whole.
      const m = /^(.*?)\s+#\s+(.*)$/.exec(l);
      return m ? { command: m[1]!, expect: m[2]!.split('...').map((f) => f.trim()).filter(Boolean) } : { command: l, expect: [] };
    });
}

/** Commands that only read, so a test may repeat them until what they print has settled. */
export function isRead(command: string): boolean {
  return /^curl\s/.test(command) || /^kubectl dyno (ps|releases|logs|open|apps:info|config)(\s|$)/.test(command);
}

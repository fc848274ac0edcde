// Which program opens a URL in the user's browser, as the Heroku CLI's `open` does: $BROWSER,
// else the desktop's own opener where there is a desktop to open it on.

/** The opener's command, or undefined when there is no browser to open. */
export function opener(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string | undefined {
  if (env.BROWSER) return env.BROWSER;
  if (platform === 'darwin') return 'open';
  if (platform === 'win32') return 'explorer';
  // Other Unixes open only on a graphical session; over SSH there is nothing to open.
  return env.DISPLAY || env.WAYLAND_DISPLAY ? 'xdg-open' : undefined;
}

/** Opens `url` when stdout is a terminal and there is an opener; never fails the command. */
export async function openInBrowser(url: string): Promise<void> {
  const cmd = process.stdout.isTTY ? opener(process.env, process.platform) : undefined;
  if (!cmd) return;
  const { spawn } = await import('node:child_process');
  const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => undefined); // no such program: the URL is printed anyway
  child.unref();
}

// The pages the router answers with itself, as Heroku's: an application error (every H code),
// maintenance mode (H80), and a host no app claims.
import type { Code } from './codes.js';

const page = (title: string, body: string) => `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head>
<body style="font-family: sans-serif; text-align: center; padding-top: 15%">
${body}
</body></html>
`;

const APPLICATION_ERROR = page('Application Error', `<h1>Application error</h1>
<p>An error occurred in the application and your page could not be served. If you are the application owner, check your logs for details:
<code>kubectl dyno logs --tail</code></p>`);

const MAINTENANCE = page('Offline for maintenance', `<h1>Offline for maintenance</h1>
<p>This app is undergoing maintenance right now. Please check back later.</p>`);

export const NO_SUCH_APP = page('No such app', `<h1>There's nothing here, yet.</h1>
<p>No app answers at this address.</p>`);

export const pageFor = (code: Code): string => (code === 'H80' ? MAINTENANCE : APPLICATION_ERROR);

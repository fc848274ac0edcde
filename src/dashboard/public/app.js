// dynokube's dashboard: plain modules, no build step. Routes live in the URL's hash
// (#/apps/NS/APP/TAB); data comes from /api with the session's CSRF token on every change; what
// changes while a page is open arrives as server-sent events.
const $main = document.getElementById('main');
const $alert = document.getElementById('alert');
let session = null;
let live = [];

/** h('a', { href }, 'text', child): an element, its attributes and children (text is never HTML). */
function h(tag, attrs = {}, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const kid of kids.flat()) if (kid !== undefined && kid !== null && kid !== false) el.append(kid instanceof Node ? kid : String(kid));
  return el;
}

function showError(message) {
  $alert.textContent = message;
  $alert.hidden = !message;
}

async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && session) headers['X-CSRF-Token'] = session.csrf;
  const res = await fetch(`/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const err = new Error(data.message || `HTTP ${res.status}`);
    err.status = res.status;
    throw err;
  }
  return data;
}

/** Runs a change, shows its refusal (a 403 from the cluster, said as the cluster said it) at the top. */
async function act(fn) {
  showError('');
  try {
    return await fn();
  } catch (e) {
    showError(e.message);
    return undefined;
  }
}

function confirmDialog(text) {
  const dlg = document.getElementById('confirm');
  document.getElementById('confirm-text').textContent = text;
  return new Promise((resolve) => {
    dlg.addEventListener('close', () => resolve(dlg.returnValue === 'ok'), { once: true });
    dlg.returnValue = '';
    dlg.showModal();
    document.getElementById('confirm-cancel').focus();
  });
}

function stream(path, handlers) {
  const es = new EventSource(`/api${path}`);
  for (const [event, fn] of Object.entries(handlers)) es.addEventListener(event, (e) => fn(JSON.parse(e.data)));
  live.push(es);
  return es;
}

function stopLive() {
  for (const es of live) es.close();
  live = [];
}

const ago = (iso) => {
  if (!iso) return '';
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return `${Math.floor(s)}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
};
const badge = (state) => h('span', { class: `badge ${String(state).toLowerCase()}` }, state);
const sizeName = (s) => s.split('-').map((p) => (/^\d+x$/.test(p) ? p.toUpperCase() : p[0].toUpperCase() + p.slice(1))).join('-');
const SIZES = ['eco', 'basic', 'standard-1x', 'standard-2x', 'performance-m', 'performance-l'];

function render(...nodes) {
  $main.replaceChildren(...nodes);
}

// ---- sign-in -------------------------------------------------------------------------------

function signIn(mode) {
  if (mode !== 'token') {
    render(h('div', { class: 'card signin' }, h('h1', {}, 'Not signed in'), h('p', {}, 'Open the link kubectl dyno dashboard printed.')));
    return;
  }
  const token = h('input', { id: 'token', type: 'password', autocomplete: 'off', required: true, 'aria-describedby': 'token-help' });
  const ns = h('input', { id: 'namespace', autocomplete: 'off', placeholder: 'default' });
  const form = h('form', { class: 'card signin', onsubmit: async (e) => {
    e.preventDefault();
    await act(async () => {
      session = await api('POST', '/login', { token: token.value, namespace: ns.value || undefined });
      token.value = '';
      route();
    });
  } },
  h('h1', {}, 'Sign in to dynokube'),
  h('label', { for: 'token' }, 'Kubernetes token'), token,
  h('p', { id: 'token-help', class: 'muted' }, 'Your own token (kubectl create token NAME, or your cluster\'s login). Everything you do here is done as you.'),
  h('label', { for: 'namespace' }, 'Namespace'), ns,
  h('p', {}, h('button', { class: 'primary', type: 'submit' }, 'Sign in')));
  render(form);
  token.focus();
}

// ---- apps ----------------------------------------------------------------------------------

async function appsPage() {
  const { apps, scope } = await api('GET', '/apps');
  const filter = h('input', { type: 'search', placeholder: 'Filter apps', 'aria-label': 'Filter apps', class: 'grow' });
  const body = h('tbody');
  const fill = () => {
    const q = filter.value.trim();
    body.replaceChildren(...apps.filter((a) => !q || a.name.includes(q) || a.namespace.includes(q)).map((a) => h('tr', { 'data-app': a.name },
      h('td', {}, h('a', { href: `#/apps/${a.namespace}/${a.name}` }, a.name)),
      h('td', { class: 'opt' }, a.namespace),
      h('td', {}, badge(a.state)),
      h('td', { class: 'opt mono' }, a.dynos),
      h('td', { class: 'opt' }, a.release ? `v${a.release}` : ''),
      h('td', {}, a.url ? h('a', { href: a.url, rel: 'noopener' }, a.url.replace(/^https?:\/\//, '').replace(/\/$/, '')) : ''))));
  };
  filter.addEventListener('input', fill);
  fill();
  render(
    h('h1', {}, 'Apps'),
    h('p', { class: 'muted' }, scope === 'all' ? `${apps.length} apps in every namespace you may read` : `${apps.length} apps in namespace ${scope}`),
    h('div', { class: 'row' }, filter),
    apps.length
      ? h('div', { class: 'card' }, h('table', { id: 'apps' }, h('thead', {}, h('tr', {}, h('th', {}, 'App'), h('th', { class: 'opt' }, 'Namespace'), h('th', {}, 'State'), h('th', { class: 'opt' }, 'Dynos'), h('th', { class: 'opt' }, 'Release'), h('th', {}, 'URL'))), body))
      : h('p', {}, 'No apps yet. Create one with kubectl dyno apps:create NAME.'));
}

// ---- an app --------------------------------------------------------------------------------

const TABS = [['', 'Overview'], ['resources', 'Resources'], ['activity', 'Activity'], ['settings', 'Settings'], ['logs', 'Logs'], ['metrics', 'Metrics']];

function frame(ns, app, tab, view, ...content) {
  const base = `#/apps/${ns}/${app}`;
  return [
    h('p', { class: 'muted' }, h('a', { href: '#/' }, 'Apps'), ` / ${ns}`),
    h('h1', {}, app, ' ', view ? badge(view.state) : ''),
    view?.url ? h('p', {}, h('a', { href: view.url, rel: 'noopener' }, view.url)) : '',
    h('nav', { class: 'tabs', 'aria-label': 'App pages' }, TABS.map(([t, label]) => h('a', { href: t ? `${base}/${t}` : base, 'aria-current': t === tab ? 'page' : undefined }, label))),
    ...content,
  ];
}

function dynosCard(view) {
  const types = view.formation.length ? view.formation : [...new Set(view.dynos.map((d) => d.type))].map((type) => ({ type, quantity: 0, size: 'standard-1x', command: '' }));
  return h('section', { class: 'card', id: 'dynos', 'aria-label': 'Dynos' }, h('h2', {}, 'Dynos'),
    types.length ? types.map((f) => {
      const list = view.dynos.filter((d) => d.type === f.type);
      return h('div', { 'data-type': f.type },
        h('h3', {}, `${f.type} `, h('span', { class: 'muted' }, `${sizeName(f.size)} × ${f.quantity}`), ' ', h('code', {}, f.command)),
        list.length ? h('table', {}, h('tbody', {}, list.map((d) => h('tr', { 'data-dyno': d.name }, h('td', { class: 'mono' }, d.name), h('td', {}, badge(d.state)), h('td', { class: 'muted' }, ago(d.since))))))
          : h('p', { class: 'muted' }, 'No dynos running.'));
    }) : h('p', { class: 'muted' }, 'No release yet: git push dynokube main.'));
}

function releasesTable(view, limit, withRollback) {
  const rows = view.releases.slice(0, limit);
  if (!rows.length) return h('p', { class: 'muted' }, 'No releases yet.');
  return h('table', { id: 'releases' }, h('tbody', {}, rows.map((r) => h('tr', { 'data-version': r.version },
    h('td', { class: 'mono' }, `v${r.version}`),
    h('td', {}, r.description, r.current ? h('span', { class: 'badge up' }, ' current') : ''),
    h('td', {}, r.status === 'Succeeded' ? '' : badge(r.status.toLowerCase())),
    h('td', { class: 'muted opt' }, ago(r.createdAt)),
    withRollback && view.can.rollback && !r.current && r.status === 'Succeeded'
      ? h('td', {}, h('button', { class: 'rollback', 'data-version': r.version, onclick: () => rollbackTo(view, r.version) }, `Roll back to v${r.version}`))
      : h('td', {})))));
}

async function rollbackTo(view, version) {
  if (!(await confirmDialog(`Roll back ${view.name} to v${version}? A new release will run v${version}'s slug and config.`))) return;
  const done = await act(() => api('POST', `/ns/${view.namespace}/apps/${view.name}/rollback`, { version }));
  if (done) note(`Rolled back to v${done.target}: v${done.version}`);
}

function note(text) {
  const el = document.getElementById('note');
  if (el) {
    el.textContent = text;
    el.hidden = false;
  }
}

function sparkline(el, points) {
  if (!window.uPlot) return;
  const xs = points.map((p) => p.t);
  const ys = points.map((p) => p.p95);
  el.replaceChildren();
  if (!xs.length) {
    el.append(h('p', { class: 'muted' }, 'No requests in the last hour.'));
    return;
  }
  new window.uPlot({ width: Math.min(el.clientWidth || 300, 600), height: 60, legend: { show: false }, cursor: { show: false }, axes: [{ show: false }, { show: false }], scales: { x: { time: true } }, series: [{}, { stroke: '#6f42c1', width: 1.5, fill: 'rgba(111,66,193,.12)' }] }, [xs, ys], el);
}

async function overviewTab(ns, app) {
  const view = await api('GET', `/ns/${ns}/apps/${app}`);
  const spark = h('div', { class: 'spark', id: 'spark' });
  const draw = (v) => render(...frame(ns, app, '', v,
    dynosCard(v),
    h('section', { class: 'card', 'aria-label': 'Response time' }, h('h2', {}, 'Response time (p95, last hour)'), spark),
    h('section', { class: 'card', id: 'addons' }, h('h2', {}, 'Add-ons'), v.addons.length
      ? h('table', {}, h('tbody', {}, v.addons.map((a) => h('tr', {}, h('td', {}, a.addon), h('td', { class: 'mono' }, a.as ? `${a.as}_URL` : ''), h('td', {}, badge(a.ready ? 'up' : 'pending'))))))
      : h('p', { class: 'muted' }, 'No add-ons.')),
    h('section', { class: 'card' }, h('h2', {}, 'Latest releases'), releasesTable(v, 5, false))));
  draw({ ...view, can: view.can });
  stream(`/ns/${ns}/apps/${app}/events`, { overview: (v) => draw({ ...v, can: view.can }) });
  const m = await api('GET', `/ns/${ns}/apps/${app}/metrics?range=1h`).catch(() => ({ points: [] }));
  sparkline(spark, m.points.filter((p) => p.p95 !== null));
}

async function resourcesTab(ns, app) {
  const view = await api('GET', `/ns/${ns}/apps/${app}`);
  const rows = view.formation.map((f) => {
    if (!view.can.scale) {
      return h('tr', { 'data-type': f.type }, h('td', {}, f.type), h('td', {}, String(f.quantity)), h('td', {}, sizeName(f.size)), h('td', { class: 'mono opt' }, f.command));
    }
    const qty = h('input', { type: 'number', min: 0, max: 100, value: f.quantity, 'aria-label': `${f.type} quantity`, name: `qty-${f.type}`, style: 'width:5rem' });
    const size = h('select', { 'aria-label': `${f.type} size`, name: `size-${f.type}` }, SIZES.map((s) => h('option', { value: s, selected: s === f.size }, sizeName(s))));
    const save = h('button', { class: 'primary', onclick: async () => {
      const done = await act(() => api('POST', `/ns/${ns}/apps/${app}/formation`, { changes: [{ type: f.type, quantity: Number(qty.value), size: size.value }] }));
      if (done) note(`Scaled ${f.type} to ${done.formation[f.type].quantity}:${sizeName(done.formation[f.type].size)}`);
    } }, `Save ${f.type}`);
    return h('tr', { 'data-type': f.type }, h('td', {}, f.type), h('td', {}, qty), h('td', {}, size), h('td', { class: 'mono opt' }, f.command), h('td', {}, save));
  });
  const current = h('div', { id: 'current' }, dynosCard(view));
  // After a change to sleeping or autoscaling, the page is drawn again from what the cluster now says.
  const reload = async (text) => {
    stopLive();
    await resourcesTab(ns, app);
    note(text);
  };
  render(...frame(ns, app, 'resources', view,
    h('p', { id: 'note', class: 'note', hidden: true, role: 'status' }),
    h('section', { class: 'card' }, h('h2', {}, 'Formation'), view.formation.length
      ? h('table', { id: 'formation' }, h('thead', {}, h('tr', {}, h('th', {}, 'Type'), h('th', {}, 'Quantity'), h('th', {}, 'Size'), h('th', { class: 'opt' }, 'Command'), view.can.scale ? h('th', {}) : '')), h('tbody', {}, rows))
      : h('p', { class: 'muted' }, 'No release yet.'),
    view.can.scale ? '' : h('p', { class: 'muted', id: 'readonly' }, 'You may view this app\'s formation, not change it.')),
    view.formation.length ? sleepCard(view, reload) : '',
    view.formation.length ? autoscaleCard(view, reload) : '',
    current));
  stream(`/ns/${ns}/apps/${app}/events`, { overview: (v) => current.replaceChildren(dynosCard(v)) });
}

function sleepCard(view, reload) {
  const s = view.sleep;
  const state = h('p', { id: 'sleep-state' }, s
    ? [badge(s.state ?? 'Awake'), ` Sleeps after ${s.idleSeconds} s without a request.`, s.reason ? h('span', { class: 'muted' }, ` ${s.reason}${s.since ? `, ${ago(s.since)}` : ''}.`) : '']
    : 'Off: the dynos run however idle the app is.');
  if (!view.can.scale) return h('section', { class: 'card', id: 'sleeping' }, h('h2', {}, 'Sleeping'), state);
  const on = h('input', { type: 'checkbox', id: 'sleep-on', checked: Boolean(s) });
  const idle = h('input', { type: 'number', id: 'sleep-idle', min: 10, max: 604800, value: s?.idleSeconds ?? 1800, 'aria-label': 'Idle seconds', class: 'num' });
  const form = h('form', { class: 'row', onsubmit: async (e) => {
    e.preventDefault();
    const body = on.checked ? { on: true, idleSeconds: Number(idle.value) } : { on: false };
    if (await act(() => api('POST', `/ns/${view.namespace}/apps/${view.name}/sleep`, body))) {
      await reload(body.on ? `Sleeps after ${body.idleSeconds} s without a request` : 'No longer sleeps');
    }
  } },
  h('label', { class: 'row' }, on, 'Sleep when idle, after'), idle, h('span', {}, 'seconds without a request'),
  h('button', { class: 'primary', type: 'submit' }, 'Save sleeping'));
  return h('section', { class: 'card', id: 'sleeping' }, h('h2', {}, 'Sleeping'), state, form,
    h('p', { class: 'muted' }, 'Every dyno stops; the next request wakes the app. An app that sleeps cannot autoscale.'));
}

/** How a type autoscales, in a few words. */
function autoscaleText(a) {
  if (!a) return 'Not autoscaled.';
  const targets = [a.p95Ms !== undefined ? `p95 under ${a.p95Ms} ms` : '', a.concurrency !== undefined ? `${a.concurrency} requests in flight per dyno` : '', a.cpuPercent !== undefined ? `${a.cpuPercent}% CPU` : ''].filter(Boolean);
  return `Between ${a.min} and ${a.max} dynos, for ${targets.join(' and ') || '80% CPU'}.`;
}

function autoscaleCard(view, reload) {
  const base = `/ns/${view.namespace}/apps/${view.name}/autoscale`;
  const rows = view.formation.map((f) => {
    const a = f.autoscale;
    const state = h('p', { class: 'autoscale-state' }, h('strong', {}, f.type), ': ', autoscaleText(a));
    if (!view.can.scale) return h('div', { 'data-type': f.type }, state);
    // Labels as the server's refusals name them; each input's name for assistive technology says its type too.
    const field = (label, key, value) => {
      const input = h('input', { type: 'number', min: 1, name: key, value: value ?? '', 'aria-label': `${f.type} ${key === 'min' || key === 'max' ? 'autoscale ' : ''}${label.toLowerCase()}`, class: 'num' });
      return [key, input, h('label', { class: 'row' }, label, input)];
    };
    // web on what the router sees; other types on CPU.
    const fields = [field('Min', 'min', a?.min ?? 1), field('Max', 'max', a?.max),
      ...(f.type === 'web' ? [field('p95 target (ms)', 'p95Ms', a?.p95Ms), field('Concurrency target', 'concurrency', a?.concurrency)] : [field('CPU target (%)', 'cpuPercent', a?.cpuPercent)])];
    const form = h('form', { class: 'row', onsubmit: async (e) => {
      e.preventDefault();
      const body = { type: f.type, on: true };
      for (const [key, input] of fields) if (input.value !== '') body[key] = Number(input.value);
      const done = await act(() => api('POST', base, body));
      if (done) await reload(`Autoscaling ${f.type}: ${autoscaleText(done.autoscale)}`);
    } },
    fields.map(([, , label]) => label),
    h('button', { class: 'primary', type: 'submit' }, `Autoscale ${f.type}`),
    a ? h('button', { type: 'button', onclick: async () => {
      const done = await act(() => api('POST', base, { type: f.type, on: false }));
      if (done) await reload(`${f.type} no longer autoscales: it stays at ${done.quantity}`);
    } }, `Stop autoscaling ${f.type}`) : '');
    return h('div', { 'data-type': f.type }, state, form);
  });
  return h('section', { class: 'card', id: 'autoscale' }, h('h2', {}, 'Autoscaling'), rows,
    h('p', { class: 'muted' }, 'web scales on the router\'s p95 response time and requests in flight; other types on CPU.'));
}

function buildOutput(ns, app, id, pre) {
  pre.hidden = false;
  pre.textContent = '';
  const es = stream(`/ns/${ns}/apps/${app}/builds/${id}/output`, {
    status: (s) => { pre.textContent = `${s.message}…\n`; },
    output: (o) => { pre.textContent += o.text; pre.scrollTop = pre.scrollHeight; },
    done: (d) => { pre.dataset.done = d.status; es.close(); },
  });
}

async function activityTab(ns, app) {
  const view = await api('GET', `/ns/${ns}/apps/${app}`);
  const pre = h('pre', { class: 'out', id: 'build-output', hidden: true, 'aria-live': 'polite' });
  const builds = h('div', { id: 'builds' });
  const releases = h('div');
  const fill = (v) => {
    builds.replaceChildren(v.builds.length ? h('table', {}, h('tbody', {}, v.builds.slice(0, 20).map((b) => h('tr', { 'data-build': b.id },
      h('td', { class: 'mono' }, b.id), h('td', { class: 'mono opt' }, b.commit.slice(0, 7)), h('td', {}, badge(b.status)), h('td', {}, b.release ? `v${b.release}` : ''),
      h('td', { class: 'muted opt' }, ago(b.createdAt)),
      h('td', {}, h('button', { onclick: () => buildOutput(ns, app, b.id, pre) }, 'View output'))))))
      : h('p', { class: 'muted' }, 'No builds yet: git push dynokube main.'));
    releases.replaceChildren(releasesTable({ ...v, can: view.can }, 30, true));
  };
  fill(view);
  render(...frame(ns, app, 'activity', view,
    h('p', { id: 'note', class: 'note', hidden: true, role: 'status' }),
    h('section', { class: 'card' }, h('h2', {}, 'Builds'), builds, pre),
    h('section', { class: 'card' }, h('h2', {}, 'Releases'), releases)));
  stream(`/ns/${ns}/apps/${app}/events`, { overview: fill });
}

async function settingsTab(ns, app) {
  const view = await api('GET', `/ns/${ns}/apps/${app}`);
  const base = `/ns/${ns}/apps/${app}`;
  const can = view.can;
  const { keys, error } = await api('GET', `${base}/config`).catch((e) => ({ keys: [], error: e.message }));
  const reload = () => settingsTab(ns, app);
  const configRows = keys.map((k) => {
    const value = h('span', { class: 'mono', 'data-value': k }, '••••••••');
    const reveal = can.reveal ? h('button', { onclick: async () => {
      const v = await act(() => api('GET', `${base}/config/${encodeURIComponent(k)}`));
      if (v) { value.textContent = v.value; reveal.remove(); }
    } }, 'Reveal') : '';
    const edit = can.config ? h('button', { onclick: async () => {
      const v = await act(() => api('GET', `${base}/config/${encodeURIComponent(k)}`));
      if (!v) return;
      const input = h('input', { value: v.value, 'aria-label': `${k} value`, class: 'grow' });
      const save = h('button', { class: 'primary', onclick: async () => {
        const done = await act(() => api('PUT', `${base}/config`, { vars: { [k]: input.value } }));
        if (done) { await reload(); note(`Set ${k}${done.release ? `: v${done.release}` : ''}`); }
      } }, 'Save');
      value.replaceWith(h('span', { class: 'row' }, input, save));
      input.focus();
    } }, 'Edit') : '';
    const del = can.config ? h('button', { class: 'danger', onclick: async () => {
      if (!(await confirmDialog(`Remove ${k} from ${app}? The app restarts in a new release.`))) return;
      const done = await act(() => api('DELETE', `${base}/config/${encodeURIComponent(k)}`));
      if (done) { await reload(); note(`Removed ${k}${done.release ? `: v${done.release}` : ''}`); }
    } }, 'Delete') : '';
    return h('tr', { 'data-key': k }, h('td', { class: 'mono' }, k), h('td', {}, value), h('td', { class: 'row' }, reveal, edit, del));
  });
  const newKey = h('input', { name: 'key', placeholder: 'KEY', 'aria-label': 'New config var name', pattern: '[A-Za-z_][A-Za-z0-9_]*', required: true });
  const newValue = h('input', { name: 'value', placeholder: 'value', 'aria-label': 'New config var value', class: 'grow' });
  const addForm = can.config ? h('form', { class: 'row', id: 'add-config', onsubmit: async (e) => {
    e.preventDefault();
    const done = await act(() => api('PUT', `${base}/config`, { vars: { [newKey.value]: newValue.value } }));
    if (done) { const key = newKey.value; await reload(); note(`Set ${key}${done.release ? `: v${done.release}` : ''}`); }
  } }, newKey, newValue, h('button', { class: 'primary', type: 'submit' }, 'Add')) : '';

  const host = h('input', { placeholder: 'www.example.com', 'aria-label': 'New domain', class: 'grow' });
  const domains = h('section', { class: 'card', id: 'domains' }, h('h2', {}, 'Domains'),
    view.url ? h('p', {}, 'Default: ', h('code', {}, new URL(view.url).host)) : '',
    view.domains.length ? h('table', {}, h('tbody', {}, view.domains.map((d) => h('tr', {}, h('td', { class: 'mono' }, d), h('td', {}, can.settings ? h('button', { class: 'danger', onclick: async () => {
      if (await act(() => api('DELETE', `${base}/domains/${encodeURIComponent(d)}`))) reload();
    } }, 'Remove') : ''))))) : h('p', { class: 'muted' }, 'No custom domains.'),
    can.settings ? h('form', { class: 'row', onsubmit: async (e) => {
      e.preventDefault();
      if (await act(() => api('POST', `${base}/domains`, { host: host.value }))) reload();
    } }, host, h('button', { type: 'submit' }, 'Add domain')) : '');

  const maint = h('input', { type: 'checkbox', id: 'maintenance', checked: view.maintenance, disabled: !can.settings });
  maint.addEventListener('change', async () => {
    if (!(await act(() => api('POST', `${base}/maintenance`, { on: maint.checked })))) maint.checked = !maint.checked;
  });
  const packs = h('textarea', { rows: 3, id: 'buildpacks', 'aria-label': 'Buildpacks, one per line', style: 'width:100%', readonly: !can.settings }, view.buildpacks.join('\n'));
  render(...frame(ns, app, 'settings', view,
    h('p', { id: 'note', class: 'note', hidden: true, role: 'status' }),
    h('section', { class: 'card', id: 'config' }, h('h2', {}, 'Config vars'),
      error ? h('p', { class: 'muted' }, error) : keys.length ? h('table', {}, h('tbody', {}, configRows)) : h('p', { class: 'muted' }, 'No config vars.'), addForm),
    domains,
    h('section', { class: 'card' }, h('h2', {}, 'Maintenance mode'), h('label', { class: 'row' }, maint, 'The router answers 503 (H80) instead of the web dynos.')),
    h('section', { class: 'card' }, h('h2', {}, 'Buildpacks'), h('p', { class: 'muted' }, 'Run in order at the next build; none: detected.'), packs,
      can.settings ? h('p', {}, h('button', { onclick: async () => {
        if (await act(() => api('PUT', `${base}/buildpacks`, { buildpacks: packs.value.split('\n') }))) note('Buildpacks saved: they apply to the next build.');
      } }, 'Save buildpacks')) : '')));
}

async function logsTab(ns, app) {
  const view = await api('GET', `/ns/${ns}/apps/${app}`);
  const source = h('select', { 'aria-label': 'Source', id: 'log-source' }, ['all', 'app', 'heroku', 'build'].map((s) => h('option', { value: s }, s === 'all' ? 'All sources' : s === 'heroku' ? 'heroku (router)' : s)));
  const dyno = h('select', { 'aria-label': 'Process type or dyno', id: 'log-dyno' }, h('option', { value: '' }, 'All dynos'),
    [...new Set(view.dynos.map((d) => d.type))].map((t) => h('option', { value: t }, t)), view.dynos.map((d) => h('option', { value: d.name }, d.name)));
  const out = h('pre', { class: 'out', id: 'log', 'aria-live': 'off' });
  const start = () => {
    stopLive();
    out.textContent = '';
    const q = new URLSearchParams({ source: source.value, ...(dyno.value ? { dyno: dyno.value } : {}) });
    stream(`/ns/${ns}/apps/${app}/logs?${q}`, { line: (l) => {
      const atBottom = out.scrollTop + out.clientHeight >= out.scrollHeight - 4;
      out.append(`${l.at ? `${l.at.slice(0, 19)}Z` : ''} ${l.label}: ${l.text}\n`);
      if (atBottom) out.scrollTop = out.scrollHeight;
    } });
  };
  source.addEventListener('change', start);
  dyno.addEventListener('change', start);
  render(...frame(ns, app, 'logs', view, h('div', { class: 'row' }, source, dyno, h('span', { class: 'muted' }, 'Live')), out));
  start();
}

function chart(title, id, opts, data) {
  const el = h('div', { class: 'plot', id });
  const box = h('section', { class: 'card chart' }, h('h3', {}, title), el);
  queueMicrotask(() => {
    if (!window.uPlot) return;
    if (!data[0].length || data.length < 2) {
      el.append(h('p', { class: 'muted' }, 'No data for this period.'));
      return;
    }
    new window.uPlot({ width: Math.max(280, Math.min(el.clientWidth || 480, 520)), height: 200, scales: { x: { time: true } }, ...opts }, data, el);
  });
  return box;
}

const COLORS = ['#6f42c1', '#138a52', '#b06a00', '#c0262d', '#1f6feb', '#8250df', '#0a7d8c', '#a40e7e'];

async function metricsTab(ns, app, range = '1h') {
  const view = await api('GET', `/ns/${ns}/apps/${app}`);
  const { points, source } = await api('GET', `/ns/${ns}/apps/${app}/metrics?range=${range}`);
  const xs = points.map((p) => p.t);
  const keysOf = (f) => [...new Set(points.flatMap((p) => Object.keys(f(p))))].sort();
  const codes = keysOf((p) => p.errors);
  const dynos = keysOf((p) => p.dynos);
  const series = (names) => [{}, ...names.map((n, i) => ({ label: n, stroke: COLORS[i % COLORS.length], width: 1.5 }))];
  const select = h('select', { 'aria-label': 'Period', id: 'range', onchange: () => metricsTab(ns, app, select.value) },
    h('option', { value: '1h', selected: range === '1h' }, 'Last hour'), h('option', { value: '24h', selected: range === '24h' }, 'Last 24 hours'));
  render(...frame(ns, app, 'metrics', view,
    h('div', { class: 'row' }, select, h('span', { class: 'muted', id: 'metrics-source' }, source === 'none' ? 'No metrics source.' : `${points.length} samples (${source})`)),
    h('div', { class: 'charts' },
      chart('Response time (ms)', 'chart-latency', { series: series(['p50', 'p95', 'p99']) }, [xs, points.map((p) => p.p50), points.map((p) => p.p95), points.map((p) => p.p99)]),
      chart('Throughput (requests/min)', 'chart-throughput', { series: series(['2xx', '3xx', '4xx', '5xx']) }, [xs, ...['2xx', '3xx', '4xx', '5xx'].map((c) => points.map((p) => p.rpm[c] ?? 0))]),
      chart('Errors by code', 'chart-errors', { series: series(codes) }, [xs, ...codes.map((c) => points.map((p) => p.errors[c] ?? 0))]),
      chart('Memory per dyno (MB)', 'chart-memory', { series: series(dynos) }, [xs, ...dynos.map((d) => points.map((p) => (p.dynos[d] ? p.dynos[d].memory / 1048576 : null)))]),
      // In millicores: an idle dyno's share of a core is too small for the axis' labels in cores.
      chart('CPU per dyno (millicores)', 'chart-cpu', { series: series(dynos) }, [xs, ...dynos.map((d) => points.map((p) => (p.dynos[d] ? p.dynos[d].cpu * 1000 : null)))]))));
}

// ---- routing -------------------------------------------------------------------------------

const PAGES = { '': overviewTab, resources: resourcesTab, activity: activityTab, settings: settingsTab, logs: logsTab, metrics: metricsTab };

async function route() {
  stopLive();
  showError('');
  if (!session) {
    const res = await fetch('/api/session', { credentials: 'same-origin' });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) return signIn(data.mode);
    session = data;
  }
  document.getElementById('who').textContent = `${session.user}`;
  document.getElementById('signout').hidden = session.mode !== 'token';
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  try {
    if (parts[0] === 'apps' && parts[1] && parts[2]) {
      const page = PAGES[parts[3] ?? ''];
      if (!page) throw new Error('No such page.');
      document.title = `${parts[2]} · dynokube`;
      await page(parts[1], parts[2]);
    } else {
      document.title = 'Apps · dynokube';
      await appsPage();
    }
  } catch (e) {
    if (e.status === 401) {
      session = null;
      return route();
    }
    showError(e.message);
    if ($main.textContent === 'Loading…') render(h('p', { class: 'muted' }, 'This page could not be shown.'));
  }
  $main.dataset.ready = location.hash || '#/';
}

document.getElementById('signout').addEventListener('click', async () => {
  await api('POST', '/logout').catch(() => undefined);
  session = null;
  location.hash = '#/';
  route();
});
window.addEventListener('hashchange', () => {
  delete $main.dataset.ready;
  route();
});
route();

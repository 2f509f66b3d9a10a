// The httpx playground: a form that sends one request with httpx-wasm's AsyncClient and
// shows the response as it streams in. No bundler, no framework: the package is the
// built npm package, copied next to this file as ./pkg/ (tools/www/serve.sh does it).

const $ = (id) => document.getElementById(id);

/** Bodies larger than this are counted, not shown. */
const SHOW_LIMIT = 1024 * 1024;
/** How much of a binary body is shown, in hex. */
const HEX_PREVIEW = 256;

const PRESETS = {
  json: { url: '/json' },
  post: {
    method: 'POST',
    url: '/post',
    headers: 'X-Demo: playground',
    bodyType: 'json',
    body: '{\n  "client": "httpx-wasm",\n  "numbers": [1, 2, 3]\n}',
  },
  redirect: { url: '/redirect/3' },
  digest: { url: '/digest-auth/auth/user/passwd', auth: 'digest', user: 'user', password: 'passwd' },
  large: { url: '/bytes/5000000' },
  slow: { url: '/slow-body?chunks=5&interval_ms=200' },
  notfound: { url: '/status/404', raise: true },
};

const form = $('form');
const out = {
  panel: $('response'),
  error: $('error'),
  status: $('status'),
  version: $('version'),
  timing: $('timing'),
  url: $('final-url'),
  redirects: $('redirects'),
  progress: $('progress'),
  received: $('received'),
  headers: $('headers').tBodies[0],
  body: $('body'),
};

const fmt = (n) => n.toLocaleString('en-US');
const ms = (t) => `${t.toFixed(1)} ms`;
const bytes = (n) =>
  n >= 1024 * 1024 ? `${fmt(n)} bytes (${(n / 1024 / 1024).toFixed(2)} MiB)` : `${fmt(n)} bytes`;

/** An error in the form itself, shown like the client's. */
class InputError extends Error {}
InputError.prototype.name = 'InputError';

// ---------------------------------------------------------------------------------
// Loading the package (web.js instantiates the wasm before it resolves).

let httpx;
const started = performance.now();
try {
  httpx = await import('./pkg/web.js');
  $('lib-state').textContent = `Package loaded in ${ms(performance.now() - started)}.`;
  document.documentElement.dataset.ready = 'true';
  $('send').disabled = false;
} catch (err) {
  $('lib-state').textContent = 'The package failed to load.';
  showError(err, 'Loading ./pkg/web.js');
  document.documentElement.dataset.ready = 'failed';
  throw err;
}

$('url').value = new URL('/get?hello=world', location.origin).href;
syncBodyFields();

// ---------------------------------------------------------------------------------
// The form

function syncBodyFields() {
  const none = ['GET', 'HEAD'].includes($('method').value);
  $('body-fields').disabled = none;
  $('body-hint').hidden = !none;
}

function syncAuthFields() {
  const on = $('auth').value !== 'none';
  $('auth-user').disabled = $('auth-pass').disabled = !on;
}

$('method').addEventListener('change', syncBodyFields);
$('auth').addEventListener('change', syncAuthFields);
syncAuthFields();

function applyPreset(name) {
  const p = PRESETS[name];
  form.reset();
  $('method').value = p.method ?? 'GET';
  $('url').value = new URL(p.url, location.origin).href;
  $('req-headers').value = p.headers ?? '';
  $('body-type').value = p.bodyType ?? 'text';
  $('req-body').value = p.body ?? '';
  $('auth').value = p.auth ?? 'none';
  $('auth-user').value = p.user ?? '';
  $('auth-pass').value = p.password ?? '';
  $('raise').checked = !!p.raise;
  syncBodyFields();
  syncAuthFields();
}

for (const button of document.querySelectorAll('[data-preset]')) {
  button.addEventListener('click', () => {
    if (running) return;
    applyPreset(button.dataset.preset);
    form.requestSubmit();
  });
}

/** `Name: value` lines as [name, value] pairs. */
function parseHeaders(text) {
  const pairs = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    const m = /^\s*([^:\s][^:]*?)\s*:\s?(.*)$/.exec(line);
    if (!m) throw new InputError(`Header line ${i + 1} is not "Name: value": ${line}`);
    pairs.push([m[1], m[2]]);
  });
  return pairs;
}

/** The request options from the form: [method, url, options, settings]. */
function readForm() {
  const method = $('method').value;
  let url;
  try {
    url = new URL($('url').value.trim(), location.href).href;
  } catch {
    throw new InputError(`Not a URL: ${$('url').value}`);
  }
  const options = {};
  const headers = parseHeaders($('req-headers').value);
  if (headers.length) options.headers = headers;

  const body = $('req-body').value;
  if (!$('body-fields').disabled && body) {
    switch ($('body-type').value) {
      case 'json':
        try {
          options.json = JSON.parse(body);
        } catch (err) {
          throw new InputError(`The body is not valid JSON: ${err.message}`);
        }
        break;
      case 'form':
        // "a=1&b=2", or one "name=value" per line.
        options.data = new URLSearchParams(body.split(/\r?\n/).filter(Boolean).join('&'));
        break;
      default:
        options.content = body;
    }
  }

  const user = $('auth-user').value;
  const password = $('auth-pass').value;
  if ($('auth').value === 'basic') options.auth = new httpx.BasicAuth(user, password);
  if ($('auth').value === 'digest') options.auth = new httpx.DigestAuth(user, password);

  const timeoutText = $('timeout').value.trim();
  const timeout = timeoutText === '' ? undefined : Number(timeoutText) || null; // 0: no limit
  // fetch's credentials; "auto" leaves them to the package, which omits them for
  // requests with auth (see the hint in the page).
  const credentials = $('credentials').value;
  if (credentials !== 'auto') options.credentials = credentials;

  const follow = $('follow').checked;
  return { method, url, options, follow, timeout, raise: $('raise').checked };
}

// ---------------------------------------------------------------------------------
// Sending

let running = false;
let cancelled = false;
/** Aborts the request in flight (before or after its headers): the package's `signal`. */
let controller;

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (!running) send();
});
$('cancel').addEventListener('click', () => {
  cancelled = true;
  $('cancel').disabled = true;
  controller?.abort();
});

function setRunning(on) {
  running = on;
  $('send').disabled = on;
  $('cancel').hidden = !on;
  $('cancel').disabled = false;
  out.panel.setAttribute('aria-busy', String(on));
  for (const b of document.querySelectorAll('[data-preset]')) b.disabled = on;
}

async function send() {
  clearOutput();
  let req;
  try {
    req = readForm();
  } catch (err) {
    showError(err);
    out.panel.dataset.state = 'error';
    return;
  }
  setRunning(true);
  cancelled = false;
  controller = new AbortController();
  req.options.signal = controller.signal;
  out.panel.dataset.state = 'running';
  out.status.textContent = `${req.method} ${req.url}…`;

  const client = new httpx.AsyncClient({ followRedirects: req.follow, timeout: req.timeout });
  const t0 = performance.now();
  let tHeaders;
  let response;
  try {
    response = await client.stream(req.method, req.url, req.options);
    tHeaders = performance.now();
    showHead(response, req);
    const done = await showBody(response);
    const tEnd = performance.now();
    out.timing.textContent =
      `${ms(response.elapsed)} (response.elapsed) · ` +
      `headers after ${ms(tHeaders - t0)}, body ${ms(tEnd - tHeaders)}, ` +
      `total ${ms(tEnd - t0)} (performance.now())`;
    if (!done) {
      out.panel.dataset.state = 'cancelled';
      return;
    }
    if (req.raise) response.raiseForStatus();
    out.panel.dataset.state = 'done';
  } catch (err) {
    if (cancelled) {
      out.panel.dataset.state = 'cancelled';
      if (tHeaders === undefined) out.status.textContent = 'cancelled before the response';
      else out.received.textContent += ': cancelled';
      return;
    }
    const t = performance.now() - t0;
    if (tHeaders === undefined) out.timing.textContent = `failed after ${ms(t)} (performance.now())`;
    if (tHeaders === undefined) out.status.textContent = '—';
    showError(err);
    out.panel.dataset.state = 'error';
    await response?.close().catch(() => {});
  } finally {
    await client.close().catch(() => {});
    setRunning(false);
  }
}

// ---------------------------------------------------------------------------------
// Showing the response

function clearOutput() {
  out.error.hidden = true;
  out.error.replaceChildren();
  for (const el of [out.status, out.version, out.timing, out.url, out.redirects, out.received]) {
    el.textContent = '—';
  }
  out.status.className = '';
  out.headers.replaceChildren();
  out.body.textContent = '';
  out.body.className = '';
  out.progress.max = 1;
  out.progress.value = 0;
}

function showError(err, context) {
  const name = err?.name || err?.constructor?.name || 'Error';
  const strong = document.createElement('strong');
  strong.id = 'error-name';
  strong.textContent = name;
  const message = document.createElement('span');
  message.id = 'error-message';
  message.textContent = String(err?.message ?? err);
  const parts = [strong, ': ', message];
  const where = context ?? (err?.request ? `${err.request.method} ${err.request.url}` : '');
  if (where) {
    const small = document.createElement('small');
    small.textContent = where;
    parts.push(document.createElement('br'), small);
  }
  out.error.replaceChildren(...parts);
  out.error.hidden = false;
}

function statusClass(status) {
  if (status >= 200 && status < 300) return 'ok';
  if (status >= 400) return 'bad';
  return 'other';
}

function showHead(response, req) {
  if (response.isOpaqueRedirect) {
    out.status.textContent = '0 (opaque redirect)';
    out.status.className = 'other';
  } else {
    out.status.textContent = `${response.status} ${response.reasonPhrase}`;
    out.status.className = statusClass(response.status);
  }
  out.version.textContent = `${response.httpVersion} (fetch does not tell the version)`;
  out.url.textContent = response.url ?? req.url;

  const hops = [];
  for (const h of response.history) {
    hops.push(`${h.status} ${h.reasonPhrase} — ${h.url ?? ''}`);
  }
  const sent = response.request?.url ?? req.url;
  const notes = [];
  if (response.isOpaqueRedirect) {
    notes.push(
      'A redirect that was not followed: in a browser fetch hides its status, headers and ' +
        'Location (redirect: "manual"). Tick "Follow redirects" to follow it.',
    );
  } else if (response.url && response.url !== sent) {
    notes.push(
      `The browser's fetch followed the redirects itself: it reports only where they ended, ` +
        `not each hop (response.history is empty). Started at ${sent}.`,
    );
  }
  const list = document.createElement('ol');
  for (const hop of hops) {
    const li = document.createElement('li');
    li.textContent = hop;
    list.append(li);
  }
  const items = [];
  if (hops.length) items.push(`${hops.length} earlier response${hops.length > 1 ? 's' : ''} (redirects and auth steps):`, list);
  for (const note of notes) {
    const p = document.createElement('p');
    p.className = 'note';
    p.textContent = note;
    items.push(p);
  }
  if (items.length) out.redirects.replaceChildren(...items);
  else out.redirects.textContent = 'None';

  const rows = response.headers.multiItems().map(([name, value]) => {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = name;
    const td = document.createElement('td');
    td.textContent = value;
    tr.append(th, td);
    return tr;
  });
  out.headers.replaceChildren(...rows);
}

const isTextual = (type) =>
  !type || /^text\/|[/+](json|xml|javascript|ecmascript)\b|x-www-form-urlencoded/i.test(type);

/** Streams the body into the page; false when cancelled. */
async function showBody(response) {
  const type = response.headers.get('content-type') ?? '';
  const length = Number(response.headers.get('content-length'));
  // The package drops Content-Length when the host decoded the body (it counted other
  // bytes), so a length that is there counts what arrives.
  const known = response.headers.has('content-length') && length > 0;
  const progress = out.progress;
  if (known) {
    progress.max = length;
    progress.value = 0;
  } else {
    progress.removeAttribute('value'); // indeterminate
  }

  let textual = isTextual(type);
  const decoder = textual ? new TextDecoder(response.encoding) : undefined;
  let text = '';
  let chunks = [];
  let received = 0;
  const total = known ? ` of ${bytes(length)}` : ' (length unknown)';

  for await (const chunk of response.iterBytes()) {
    received += chunk.length;
    if (received <= SHOW_LIMIT) {
      chunks.push(chunk);
      if (textual) {
        const piece = decoder.decode(chunk, { stream: true });
        text += piece;
        out.body.append(piece);
      }
    } else if (chunks) {
      chunks = null; // too big to show: stop keeping it
      text = '';
      out.body.textContent = '';
    }
    if (known) progress.value = Math.min(received, length);
    out.received.textContent = `${bytes(received)}${total}`;
    if (cancelled) {
      await response.close();
      out.received.textContent = `${bytes(received)}${total}: cancelled`;
      return false;
    }
  }

  progress.max = known ? length : Math.max(received, 1);
  progress.value = progress.max;
  out.received.textContent = `${bytes(received)} received`;

  if (!chunks) {
    out.body.className = 'size-note';
    out.body.textContent = `${bytes(received)} of ${type || 'unknown type'}: over ${bytes(SHOW_LIMIT)}, not shown.`;
    return true;
  }
  if (!textual) {
    // An unlabelled type may still be UTF-8 text.
    const all = concat(chunks);
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(all);
      textual = !/[\0-\x08\x0e-\x1f]/.test(text);
    } catch {
      textual = false;
    }
    if (!textual) {
      out.body.className = 'size-note';
      out.body.textContent = `${bytes(received)} of ${type || 'unknown type'}, binary` +
        (received ? `; the first ${Math.min(received, HEX_PREVIEW)} in hex:\n${hex(all.subarray(0, HEX_PREVIEW))}` : '.');
      return true;
    }
  } else {
    text += decoder.decode();
  }
  if (/json/i.test(type) || /^\s*[[{]/.test(text)) {
    try {
      text = JSON.stringify(JSON.parse(text), null, 2);
      out.body.className = 'json';
    } catch {
      // not JSON after all
    }
  }
  out.body.textContent = received ? text : '(empty body)';
  return true;
}

function concat(chunks) {
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return all;
}

function hex(data) {
  const lines = [];
  for (let i = 0; i < data.length; i += 16) {
    const row = [...data.subarray(i, i + 16)].map((b) => b.toString(16).padStart(2, '0'));
    lines.push(`${i.toString(16).padStart(4, '0')}  ${row.join(' ')}`);
  }
  return lines.join('\n');
}

// Shared by every page: the API client (the session rides in an HttpOnly
// cookie; each call echoes the CSRF cookie in X-CSRF-Token), translations,
// time formatting in the workspace's time zone, and form errors.

const strings = JSON.parse(document.getElementById('i18n')?.textContent || '{}');
export const locale = document.documentElement.lang || 'en';

/** t returns the text for key in the page's language. */
export function t(key, vars = {}) {
  let s = strings[key] ?? key;
  for (const [k, v] of Object.entries(vars)) s = s.replaceAll('{' + k + '}', String(v));
  return s;
}

function cookie(name) {
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return '';
}

/** INTENTS are the triage's intent labels (triage.Intents), in its order;
 * each has its text under intent.<label> in both languages. */
export const INTENTS = ['order_status', 'logistics_delay', 'cancel_order', 'change_order', 'return', 'refund', 'exchange',
  'product_question', 'stock', 'payment', 'invoice', 'account', 'promotion', 'complaint', 'quality_issue',
  'privacy_or_fund_safety', 'human_request', 'feedback', 'other'];

/** label is the text of value v under prefix (status., intent., ...):
 * the value itself when the language has none, a dash when empty. */
// reasonText words a triage reason ("rule:urgency:anger",
// "model:intent:refund") in the page's language; one it does not know
// shows as it is.
export function reasonText(r) {
  const whole = t('reason.' + r);
  if (whole !== 'reason.' + r) return whole;
  const i = r.lastIndexOf(':');
  const key = 'reason.' + r.slice(0, i) + ':*';
  const v = r.slice(i + 1);
  const s = i < 0 ? key : t(key, { v: label('intent.', v) });
  return s === key ? r : s;
}

export function label(prefix, v) {
  if (!v) return '—';
  const s = t(prefix + v);
  return s === prefix + v ? v : s;
}

/** intentLabel is an intent's text in the page's language. */
export const intentLabel = (v) => label('intent.', v);

/** ApiError is a problem+json answer. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || ('HTTP ' + status));
    this.status = status;
    this.problem = problem || {};
  }
}

/** api calls the /v1 API and returns the decoded body. A 401 on an app
 * page sends the visitor to log in and come back. */
export async function api(method, path, body, extraHeaders = {}) {
  const headers = { 'Accept': 'application/json', 'X-CSRF-Token': cookie('dp_csrf'), ...extraHeaders };
  const init = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch('/v1' + path, init);
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) {
    if (res.status === 401 && document.body.classList.contains('app')) {
      sessionExpired();
    }
    if (res.status === 403 && String(data?.type).endsWith(SETUP_PROBLEM) && document.body.classList.contains('app')) {
      setUpTwoFactor();
    }
    throw new ApiError(res.status, data);
  }
  return data;
}

// SETUP_PROBLEM ends the type of the API's refusal of a person without
// two-step sign-in in a workspace that requires it; TWO_FACTOR_PAGE is
// where they set it up.
const SETUP_PROBLEM = '/two-factor-setup-required';
const TWO_FACTOR_PAGE = '/app/two-factor';

/** setUpTwoFactor sends a person whose workspace requires two-step
 * sign-in, and who has none, to the page that sets it up (once). */
function setUpTwoFactor() {
  if (leaving || location.pathname === TWO_FACTOR_PAGE) return;
  leaving = true;
  location.assign(TWO_FACTOR_PAGE);
}

/** apiEvents reads a server-sent event stream of the /v1 API with fetch
 * (so that it carries the CSRF header, which EventSource cannot send),
 * calling onEvent(name, data) for each event, until the stream ends or
 * signal aborts. A refusal throws an ApiError, and so does a "revoked"
 * event (access ended while the stream was open: its data is the problem
 * a new request gets); a 401 on an app page sends the visitor to log in. */
export async function apiEvents(path, onEvent, signal) {
  const refused = (status, problem) => {
    if (status === 401 && document.body.classList.contains('app')) sessionExpired();
    return new ApiError(status, problem);
  };
  const res = await fetch('/v1' + path, { headers: { 'Accept': 'text/event-stream', 'X-CSRF-Token': cookie('dp_csrf') },
    credentials: 'same-origin', signal });
  if (!res.ok || !res.body) {
    const text = await res.text().catch(() => '');
    let problem = null;
    try { problem = JSON.parse(text); } catch { /* not a problem document */ }
    throw refused(res.status, problem);
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value.replaceAll('\r\n', '\n');
    let end;
    while ((end = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      let name = 'message', data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) name = line.slice(6).trim();
        else if (line.startsWith('data:')) data += line.slice(5).trim();
      }
      const parsed = data ? JSON.parse(data) : null;
      if (name === 'revoked') {
        reader.cancel().catch(() => {});
        throw refused(parsed?.status || 401, parsed);
      }
      if (data || name !== 'message') onEvent(name, parsed);
    }
  }
}

/** onSessionExpired lets a page save unsent work before the redirect. */
const expiredHooks = [];
export function onSessionExpired(fn) { expiredHooks.push(fn); }

// leaving is set once sessionExpired has sent the visitor to log in, or
// they logged out: the page's other requests refused at the same moment
// must not send them again (a second navigation would replace the login
// page being typed in).
let leaving = false;

function sessionExpired() {
  if (leaving) return;
  leaving = true;
  for (const fn of expiredHooks) { try { fn(); } catch { /* keep going */ } }
  location.assign('/login?next=' + encodeURIComponent(location.pathname + location.search));
}

/** showErrors puts a problem's field errors beside the fields of form and
 * its detail in the form's .form-error. */
export function showErrors(form, err) {
  clearErrors(form);
  const fields = err?.problem?.errors || [];
  let placed = false;
  for (const fe of fields) {
    const slot = errorSlot(form, String(fe.field));
    if (slot) { slot.textContent = slot.textContent ? slot.textContent + ' ' + fe.message : fe.message; placed = true; }
  }
  const general = form.querySelector('.form-error');
  if (general && (!placed || !fields.length)) general.textContent = err?.message || String(err);
}

/** errorSlot is the .field-error of form nearest to a field path such as
 * targets.first_response or weekly.monday[0].end: the path itself, then
 * shorter ones (weekly.monday, weekly). */
function errorSlot(form, path) {
  let p = path;
  for (;;) {
    const slot = form.querySelector(`.field-error[data-for="${CSS.escape(p)}"]`);
    if (slot) return slot;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    if (cut <= 0) return null;
    p = p.slice(0, cut);
  }
}

export function clearErrors(form) {
  form.querySelectorAll('.field-error, .form-error').forEach(el => { el.textContent = ''; });
}

let zone;
/** timeZone is the workspace's time zone: that of its first business
 * hours, else the browser's. */
export async function timeZone() {
  if (zone) return zone;
  zone = sessionStorage.getItem('dp_tz');
  if (zone) return zone;
  try {
    const page = await api('GET', '/business-hours?limit=1');
    zone = page.data?.[0]?.time_zone;
  } catch { /* viewers without sla:read use the browser's */ }
  zone = zone || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  sessionStorage.setItem('dp_tz', zone);
  return zone;
}

/** fmtTime formats an RFC 3339 time in the workspace's time zone. */
export function fmtTime(iso, tz) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(locale, { timeZone: tz, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** fmtDuration renders seconds as "1h 5m" style text. */
export function fmtDuration(sec) {
  if (sec === null || sec === undefined) return '—';
  const s = Math.abs(Math.round(sec));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  const out = h ? `${h}${t('unit.h')} ${m}${t('unit.m')}` : m ? `${m}${t('unit.m')} ${s % 60}${t('unit.s')}` : `${s}${t('unit.s')}`;
  return sec < 0 ? '-' + out : out;
}

/** el builds an element; text goes in as text, never as HTML. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'class') e.className = v;
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

/** shell wires the top bar: who is signed in, and logout. A person
 * whose workspace requires two-step sign-in they do not have is sent to
 * set it up instead. */
export async function shell() {
  document.getElementById('logout')?.addEventListener('click', async () => {
    leaving = true; // requests the logout refuses meanwhile must not navigate to log in a second time
    try { await api('POST', '/auth/logout'); } catch { /* the session may be gone already */ }
    sessionStorage.clear();
    location.assign('/login');
  });
  const me = await api('GET', '/me');
  if (me.tenant?.require_two_factor && me.user?.two_factor_enabled === false && location.pathname !== TWO_FACTOR_PAGE) {
    setUpTwoFactor();
    return new Promise(() => {}); // the page is left: nothing of it loads
  }
  const who = document.getElementById('who');
  if (who) who.textContent = `${me.tenant?.name || ''} · ${t('role.' + me.role)}`;
  if (me.user && me.user.email_verified === false) verifyBanner();
  presence(me);
  return me;
}

// The signed-in person's presence (online, away, offline): routing gives
// new conversations only to online agents, so the header shows it and
// changes it (PATCH /v1/agents/me). A viewer has none to set.
let presenceNow = '';
const presenceHooks = [];

/** onPresence calls fn with the person's status once it is known, and at
 * each change. */
export function onPresence(fn) {
  presenceHooks.push(fn);
  if (presenceNow) fn(presenceNow);
}

function presenceShown(status) {
  presenceNow = status;
  const box = document.getElementById('presence');
  box.dataset.status = status;
  document.getElementById('presence-select').value = status;
  for (const fn of presenceHooks) { try { fn(status); } catch { /* keep going */ } }
}

/** setPresence sets the person's status through the API; a refusal shows
 * beside the control, which goes back to the status the API holds. */
export async function setPresence(status) {
  const sel = document.getElementById('presence-select');
  const error = document.getElementById('presence-error');
  error.textContent = '';
  sel.disabled = true;
  try {
    const a = await api('PATCH', '/agents/me', { status });
    presenceShown(a.status);
  } catch (err) {
    sel.value = presenceNow;
    error.textContent = err.message;
  } finally {
    sel.disabled = false;
  }
}

let agentList = null;

/** agents is the workspace's agents (GET /v1/agents answers them all),
 * read once per page however many parts of it ask. */
export function agents() {
  agentList ??= api('GET', '/agents').then(r => r.data);
  return agentList;
}

async function presence(me) {
  const box = document.getElementById('presence');
  const sel = document.getElementById('presence-select');
  if (!box || !sel || me.kind !== 'user' || me.role === 'viewer') return;
  let mine;
  try {
    mine = (await agents()).find(a => a.user_id === me.user_id);
  } catch { return; } // without the list the control would guess
  if (!mine) return;
  presenceShown(mine.status);
  box.hidden = false;
  sel.addEventListener('change', () => setPresence(sel.value));
}

/** verifyBanner shows a person whose email is not confirmed that it is
 * not, with a button that sends the link again (the API allows one a
 * minute and says so). */
function verifyBanner() {
  const banner = document.getElementById('verify-banner');
  const btn = document.getElementById('verify-resend');
  if (!banner || !btn) return;
  banner.hidden = false;
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    const text = document.getElementById('verify-banner-text');
    try {
      await api('POST', '/auth/verify-email');
      text.textContent = t('verify.sent');
      btn.hidden = true;
    } catch (err) {
      if (err.status === 409) { banner.hidden = true; return; } // confirmed meanwhile
      text.textContent = err.message;
    } finally {
      btn.disabled = false;
    }
  });
}

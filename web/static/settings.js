// Settings: members and invitations, API keys (the key shown once),
// webhooks with their delivery log and redelivery, SLA policies, business
// hours, and the billing plan with Stripe Checkout and Portal buttons. A
// section the caller's role cannot read says so instead of failing.
import { api, t, el, fmtTime, fmtDuration, timeZone, shell, showErrors, clearErrors } from './common.js';

const $ = (id) => document.getElementById(id);
let tz = 'UTC';

async function section(rowsId, cols, load) {
  try {
    await load();
  } catch (err) {
    $(rowsId).replaceChildren(el('tr', {}, el('td', { colspan: cols, class: 'muted' }, err.status === 403 ? t('set.forbidden') : err.message)));
  }
}

function onSubmit(id, fn) {
  const form = $(id);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    try { await fn(form.elements); form.reset(); } catch (err) { showErrors(form, err); }
  });
}

const list = (s) => s.split(',').map(x => x.trim()).filter(Boolean);

async function members() {
  const page = await api('GET', '/members?limit=100');
  $('members-rows').replaceChildren(...page.data.map(m => el('tr', {}, el('td', {}, m.name), el('td', {}, m.email), el('td', {}, t('role.' + m.role)))));
}

async function keys() {
  const page = await api('GET', '/api-keys?limit=100');
  $('keys-rows').replaceChildren(...page.data.filter(k => !k.revoked_at).map(k => {
    const btn = el('button', { type: 'button', class: 'secondary' }, t('set.revoke'));
    btn.addEventListener('click', async () => { await api('DELETE', '/api-keys/' + k.id); section('keys-rows', 4, keys); });
    return el('tr', {}, el('td', {}, k.name, ' ', el('code', {}, k.prefix)), el('td', {}, k.scopes.join(', ')), el('td', {}, fmtTime(k.created_at, tz)), el('td', {}, btn));
  }));
}

async function hooks() {
  const page = await api('GET', '/webhooks?limit=100');
  $('hooks-rows').replaceChildren(...page.data.map(h => {
    const log = el('button', { type: 'button', class: 'secondary' }, t('set.deliveries'));
    log.addEventListener('click', () => deliveries(h.id));
    const del = el('button', { type: 'button', class: 'secondary' }, t('set.delete'));
    del.addEventListener('click', async () => { await api('DELETE', '/webhooks/' + h.id); section('hooks-rows', 4, hooks); });
    return el('tr', {}, el('td', {}, h.url), el('td', {}, h.events.join(', ')), el('td', {}, h.enabled ? '✓' : h.disabled_reason || '✗'), el('td', {}, log, ' ', del));
  }));
}

async function deliveries(id) {
  const page = await api('GET', `/webhooks/${id}/deliveries?limit=50`);
  $('deliveries').hidden = false;
  $('deliveries-rows').replaceChildren(...page.data.map(d => {
    const again = el('button', { type: 'button', class: 'secondary' }, t('set.redeliver'));
    again.addEventListener('click', async () => { await api('POST', `/webhooks/${id}/deliveries/${d.id}/redeliver`); deliveries(id); });
    return el('tr', {}, el('td', {}, d.event_type), el('td', {}, d.status), el('td', {}, d.last_status_code ?? ''), el('td', {}, fmtTime(d.last_attempt_at, tz)), el('td', {}, again));
  }));
}

async function policies() {
  const page = await api('GET', '/sla-policies?limit=100');
  $('sla-rows').replaceChildren(...page.data.map(p => el('tr', {}, el('td', {}, p.name), el('td', {}, p.priority),
    el('td', {}, `${t('sla.first')} ${fmtDuration(p.targets.first_response)} · ${t('sla.next')} ${fmtDuration(p.targets.next_response)} · ${t('sla.resolution')} ${fmtDuration(p.targets.resolution)}`))));
}

async function hours() {
  const page = await api('GET', '/business-hours?limit=100');
  $('hours-rows').replaceChildren(...page.data.map(h => el('tr', {}, el('td', {}, h.name), el('td', {}, h.time_zone), el('td', {}, h.always_open ? '✓' : ''))));
}

async function billing() {
  const b = await api('GET', '/billing');
  $('billing-plan').textContent = t('set.current_plan', { plan: b.plan_name || b.plan, status: b.status || '—' });
  const plans = await api('GET', '/billing/plans');
  $('plan-select').replaceChildren(...plans.data.filter(p => p.rank > 0).map(p => el('option', { value: p.name }, p.display_name)));
}

async function main() {
  await shell();
  tz = await timeZone();
  onSubmit('invite-create', async (f) => {
    const inv = await api('POST', '/invitations', { email: f.email.value, role: f.role.value });
    $('invite-link').hidden = false;
    $('invite-link').textContent = t('set.invite_link') + ' ' + location.origin + '/invite/' + inv.token;
  });
  onSubmit('key-create', async (f) => {
    const k = await api('POST', '/api-keys', { name: f.name.value, scopes: list(f.scopes.value) });
    $('key-secret').hidden = false;
    $('key-secret').textContent = t('set.shown_once') + ' ' + k.key;
    section('keys-rows', 4, keys);
  });
  onSubmit('hook-create', async (f) => {
    const h = await api('POST', '/webhooks', { url: f.url.value, events: list(f.events.value) });
    $('hook-secret').hidden = false;
    $('hook-secret').textContent = t('set.shown_once') + ' ' + h.secret;
    section('hooks-rows', 4, hooks);
  });
  onSubmit('hours-create', async (f) => {
    const body = { name: f.name.value, time_zone: f.time_zone.value, always_open: f.always_open.checked };
    if (!body.always_open) body.weekly = Object.fromEntries(['monday', 'tuesday', 'wednesday', 'thursday', 'friday'].map(d => [d, [{ start: '09:00', end: '18:00' }]]));
    await api('POST', '/business-hours', body);
    sessionStorage.removeItem('dp_tz');
    section('hours-rows', 3, hours);
  });
  const checkoutForm = $('checkout');
  checkoutForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(checkoutForm);
    try {
      const s = await api('POST', '/billing/checkout', { plan: checkoutForm.elements.plan.value, interval: checkoutForm.elements.interval.value });
      location.assign(s.url);
    } catch (err) { showErrors(checkoutForm, err); }
  });
  $('portal').addEventListener('click', async () => {
    clearErrors(checkoutForm);
    try { const s = await api('POST', '/billing/portal', {}); location.assign(s.url); } catch (err) { showErrors(checkoutForm, err); }
  });
  await Promise.all([section('members-rows', 3, members), section('keys-rows', 4, keys), section('hooks-rows', 4, hooks),
    section('sla-rows', 3, policies), section('hours-rows', 3, hours),
    billing().catch(err => { $('billing-plan').textContent = err.status === 403 ? t('set.forbidden') : err.message; })]);
  document.body.dataset.ready = '1';
}

main();

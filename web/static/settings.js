// Settings: the person's account (changing their sign-in email: the
// change waits for the link sent to the new address), members (removing one; owners and admins
// require two-step sign-in of all, told how many lack it) and invitations (the open ones, to
// withdraw), API keys (the key shown once),
// webhooks with their delivery log and redelivery, SLA policies, business
// hours, shop connectors with their sync progress and errors, knowledge
// scenarios, saved replies (owners and admins add, edit and delete them),
// triage settings (deflection ceiling, pooled learning), the
// billing plan with Stripe Checkout and Portal buttons, and alliances: the
// workspace's invitations and memberships (accept, leave, the overflow
// rule) and, for an alliance's admin, its brands and pool agents with the
// invitation forms; the person's own account (a new password, two-step
// sign-in). A section
// the caller's role cannot read says so instead of failing.
import { api, t, el, INTENTS, label, intentLabel, fmtTime, fmtDuration, timeZone, shell, showErrors, clearErrors } from './common.js';
import { drawConnectors, connectorForm } from './connectors.js';
import { onSubmit, enrolTwoFactor } from './two_factor_enrol.js';

const $ = (id) => document.getElementById(id);
let tz = 'UTC';

async function section(rowsId, cols, load) {
  try {
    await load();
  } catch (err) {
    $(rowsId).replaceChildren(el('tr', {}, el('td', { colspan: cols, class: 'muted' }, err.status === 403 ? t('set.forbidden') : err.message)));
  }
}


const list = (s) => s.split(',').map(x => x.trim()).filter(Boolean);

// me is who is signed in; RANK orders the roles as the server does: a
// member may be removed by an admin or owner whose role is not below theirs.
let me = {};
const RANK = { viewer: 1, agent: 2, admin: 3, owner: 4 };
const mayManage = () => RANK[me.role] >= RANK.admin;

// memberList is the workspace's members as last drawn: the security
// form counts those without two-step sign-in from it.
let memberList = [];

async function members() {
  const page = await api('GET', '/members?limit=100');
  memberList = page.data;
  securityPending();
  $('members-rows').replaceChildren(...page.data.map(m => {
    const actions = el('td', {});
    if (mayManage() && RANK[m.role] <= RANK[me.role]) {
      const remove = el('button', { type: 'button', class: 'secondary member-remove', dataset: { id: m.user_id } }, t('set.remove'));
      remove.addEventListener('click', async () => {
        if (!confirm(t('set.remove_confirm', { name: m.name || m.email }))) return;
        $('members-error').textContent = '';
        try { await api('DELETE', '/members/' + m.user_id); } catch (err) { $('members-error').textContent = err.message; }
        section('members-rows', 4, members);
      });
      actions.append(remove);
    }
    const email = el('td', {}, m.email, ...(m.email_verified ? [] : [' ', el('span', { class: 'badge member-unconfirmed', title: t('set.email_unconfirmed_hint') }, t('set.email_unconfirmed'))]),
      ...(m.two_factor_enabled ? [' ', el('span', { class: 'badge member-two-factor', title: t('set.two_factor_on_hint') }, t('set.two_factor_on'))] : []));
    return el('tr', { dataset: { id: m.user_id } }, el('td', {}, m.name), email, el('td', {}, t('role.' + m.role)), actions);
  }));
}

async function invitations() {
  const page = await api('GET', '/invitations');
  $('invites-rows').replaceChildren(...page.data.map(i => {
    const actions = el('td', {});
    if (mayManage()) {
      const withdraw = el('button', { type: 'button', class: 'secondary invite-withdraw' }, t('set.withdraw'));
      withdraw.addEventListener('click', async () => {
        $('members-error').textContent = '';
        try { await api('DELETE', '/invitations/' + i.id); } catch (err) { $('members-error').textContent = err.message; }
        section('invites-rows', 4, invitations);
      });
      actions.append(withdraw);
    }
    return el('tr', { dataset: { id: i.id } }, el('td', {}, i.email), el('td', {}, t('role.' + i.role)),
      el('td', {}, i.expired ? t('set.invitation_expired') : fmtTime(i.expires_at, tz)), actions);
  }));
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
    const test = el('button', { type: 'button', class: 'secondary hook-test' }, t('set.send_test'));
    test.addEventListener('click', async () => {
      try { await api('POST', `/webhooks/${h.id}/test`); } catch (err) { alert(err.message); return; }
      deliveries(h.id);
    });
    const del = el('button', { type: 'button', class: 'secondary' }, t('set.delete'));
    del.addEventListener('click', async () => { await api('DELETE', '/webhooks/' + h.id); section('hooks-rows', 4, hooks); });
    return el('tr', { dataset: { id: h.id } }, el('td', {}, h.url), el('td', {}, h.events.join(', ')), el('td', {}, h.enabled ? '✓' : h.disabled_reason || '✗'), el('td', {}, log, ' ', test, ' ', del));
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

const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const minutes = (sec) => sec ? String(Math.round(sec / 60)) : '';
const seconds = (v) => v === '' ? 0 : Math.round(Number(v) * 60);
let hoursList = [];

async function policies() {
  const page = await api('GET', '/sla-policies?limit=100');
  $('sla-rows').replaceChildren(...page.data.map(p => {
    const hours = hoursList.find(h => h.id === p.business_hours_id);
    const actions = el('td', {});
    if (p.builtin) actions.append(el('span', { class: 'muted' }, t('set.builtin')));
    else {
      const edit = el('button', { type: 'button', class: 'secondary' }, t('set.edit'));
      edit.addEventListener('click', () => editPolicy(p));
      const del = el('button', { type: 'button', class: 'secondary' }, t('set.delete'));
      del.addEventListener('click', async () => {
        try { await api('DELETE', '/sla-policies/' + p.id); section('sla-rows', 5, policies); } catch (err) { showErrors($('sla-form'), err); }
      });
      actions.append(edit, ' ', del);
    }
    return el('tr', { dataset: { id: p.id } }, el('td', {}, p.name), el('td', {}, p.priority),
      el('td', {}, `${t('sla.first')} ${fmtDuration(p.targets.first_response)} · ${t('sla.next')} ${fmtDuration(p.targets.next_response)} · ${t('sla.resolution')} ${fmtDuration(p.targets.resolution)}`),
      el('td', {}, hours ? hours.name : t('set.around_clock')), actions);
  }));
}

/** editPolicy fills the policy form with p, to save it with PATCH. */
function editPolicy(p) {
  const f = $('sla-form');
  clearErrors(f);
  f.dataset.id = p.id;
  const e = f.elements;
  e.name.value = p.name;
  e.priority.value = p.priority;
  e.urgencies.value = (p.rule.urgencies || []).join(', ');
  e.intents.value = (p.rule.intents || []).join(', ');
  e.segments.value = (p.rule.segments || []).join(', ');
  e.first_response.value = minutes(p.targets.first_response);
  e.next_response.value = minutes(p.targets.next_response);
  e.resolution.value = minutes(p.targets.resolution);
  e.warn_at.value = Math.round((p.warn_at || 0.8) * 100);
  e.business_hours_id.value = p.business_hours_id || '';
  $('sla-form-title').textContent = t('set.sla_edit', { name: p.name });
  $('sla-cancel').hidden = false;
  f.scrollIntoView();
}

function resetPolicyForm() {
  const f = $('sla-form');
  f.reset();
  delete f.dataset.id;
  clearErrors(f);
  $('sla-form-title').textContent = t('set.sla_new');
  $('sla-cancel').hidden = true;
}

async function savePolicy(f) {
  const e = f.elements;
  const body = {
    name: e.name.value, priority: e.priority.value === '' ? 0 : Number(e.priority.value),
    rule: { urgencies: list(e.urgencies.value), intents: list(e.intents.value), segments: list(e.segments.value) },
    targets: { first_response: seconds(e.first_response.value), next_response: seconds(e.next_response.value), resolution: seconds(e.resolution.value) },
    warn_at: e.warn_at.value === '' ? 0 : Number(e.warn_at.value) / 100,
    business_hours_id: e.business_hours_id.value || null,
  };
  if (f.dataset.id) await api('PATCH', '/sla-policies/' + f.dataset.id, body);
  else await api('POST', '/sla-policies', body);
}

/** periods reads "09:00-12:00, 13:00-18:00" as periods. */
const periods = (v) => list(v).map(p => { const [start, end] = p.split('-').map(x => x.trim()); return { start: start || '', end: end || '' }; });

async function hours() {
  const page = await api('GET', '/business-hours?limit=100');
  hoursList = page.data;
  $('sla-hours').replaceChildren(el('option', { value: '' }, t('set.around_clock')), ...hoursList.map(h => el('option', { value: h.id }, h.name)));
  $('hours-rows').replaceChildren(...hoursList.map(h => {
    const edit = el('button', { type: 'button', class: 'secondary' }, t('set.edit'));
    edit.addEventListener('click', () => editHours(h));
    const del = el('button', { type: 'button', class: 'secondary' }, t('set.delete'));
    del.addEventListener('click', async () => {
      try { await api('DELETE', '/business-hours/' + h.id); sessionStorage.removeItem('dp_tz'); await section('hours-rows', 4, hours); } catch (err) { showErrors($('hours-form'), err); }
    });
    const week = h.always_open ? t('set.always_open') : DAYS.filter(d => (h.weekly[d] || []).length)
      .map(d => `${t('day.' + d)} ${(h.weekly[d]).map(p => p.start + '-' + p.end).join(', ')}`).join('; ');
    return el('tr', { dataset: { id: h.id } }, el('td', {}, h.name), el('td', {}, h.time_zone), el('td', {}, week || '—'), el('td', {}, edit, ' ', del));
  }));
}

function editHours(h) {
  const f = $('hours-form');
  clearErrors(f);
  f.dataset.id = h.id;
  const e = f.elements;
  e.name.value = h.name;
  e.time_zone.value = h.time_zone;
  e.always_open.checked = h.always_open;
  for (const d of DAYS) e['day_' + d].value = (h.weekly[d] || []).map(p => p.start + '-' + p.end).join(', ');
  e.holidays.value = (h.holidays || []).map(x => (x.date + ' ' + (x.name || '')).trim()).join('\n');
  $('hours-form-title').textContent = t('set.hours_edit', { name: h.name });
  $('hours-cancel').hidden = false;
  f.scrollIntoView();
}

function resetHoursForm() {
  const f = $('hours-form');
  f.reset();
  delete f.dataset.id;
  clearErrors(f);
  $('hours-form-title').textContent = t('set.hours_create');
  $('hours-cancel').hidden = true;
}

async function saveHours(f) {
  const e = f.elements;
  const body = { name: e.name.value, time_zone: e.time_zone.value, always_open: e.always_open.checked,
    weekly: Object.fromEntries(DAYS.map(d => [d, periods(e['day_' + d].value)])),
    holidays: e.holidays.value.split('\n').map(l => l.trim()).filter(Boolean).map(l => {
      const [date, ...name] = l.split(/\s+/);
      return name.length ? { date, name: name.join(' ') } : { date };
    }) };
  if (f.dataset.id) await api('PATCH', '/business-hours/' + f.dataset.id, body);
  else await api('POST', '/business-hours', body);
  sessionStorage.removeItem('dp_tz');
}

/** editor wires a create-or-edit form: save, then reload the section. */
function editor(formId, save, reset, after) {
  settingsForm(formId, async (form) => { await save(form); reset(); }, after);
  $(formId.replace('-form', '-cancel')).addEventListener('click', reset);
}

// settingsForm saves a settings form on submit: it shows the form's
// "-saved" note once save succeeds, then calls after (which reloads what
// the form shows), or shows the errors in the form.
function settingsForm(formId, save, after) {
  const form = $(formId);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    $(formId.replace('-form', '-saved')).hidden = true;
    try {
      await save(form);
      $(formId.replace('-form', '-saved')).hidden = false;
      await after();
    } catch (err) { showErrors(form, err); }
  });
}

async function billing() {
  const b = await api('GET', '/billing');
  $('billing-plan').textContent = t('set.current_plan', { plan: b.plan_name || b.plan, status: b.status || '—' });
  const plans = (await api('GET', '/billing/plans')).data;
  // Checkout buys a plan above the one in effect, and only without a live
  // subscription (which changes plans in the Portal): the API answers 409
  // otherwise, so the button says why instead.
  const rank = plans.find(p => p.name === b.plan)?.rank ?? 0;
  const higher = plans.filter(p => p.rank > rank);
  $('plan-select').replaceChildren(...higher.map(p => el('option', { value: p.name }, p.display_name)));
  const subscribed = ['trialing', 'active', 'past_due'].includes(b.status);
  const why = !higher.length ? t('set.top_plan', { plan: b.plan_name || b.plan }) : subscribed ? t('set.change_in_portal') : '';
  const form = $('checkout');
  form.querySelector('button[type=submit]').disabled = !!why;
  for (const name of ['plan', 'interval']) form.elements[name].closest('label').hidden = !higher.length;
  $('checkout-why').textContent = why;
  $('checkout-why').hidden = !why;
}

const pct = (x) => x === null || x === undefined ? '—' : Math.round(x * 100) + '%';

// connectors draws the shop connectors (connectors.js): owners and admins
// also get each one's actions and the form connecting a shop.
const connectors = () => drawConnectors({ tz, manage: mayManage(), reload: () => section('connectors-rows', 6, connectors) });

async function scenarios() {
  const page = await api('GET', '/knowledge/scenarios?limit=100');
  $('scenarios-rows').replaceChildren(...page.data.map(s => el('tr', { dataset: { id: s.id } }, el('td', {}, s.name),
    el('td', {}, intentLabel(s.intent)),
    el('td', {}, [...(s.triggers.zh || []), ...(s.triggers.en || [])].join(', ')),
    el('td', {}, `${pct(s.human_share)} (${s.stats.human}/${s.stats.conversations})`, ' ',
      s.flagged ? el('span', { class: 'badge urg-high' }, t('set.flagged')) : null),
    el('td', {}, s.enabled ? '✓' : ''))));
}

/** savedReplies lists the workspace's saved replies; owners and admins edit them. */
async function savedReplies() {
  const page = await api('GET', '/saved-replies?limit=200');
  $('replies-editor').hidden = !mayManage();
  $('replies-rows').replaceChildren(...page.data.map(r => {
    const actions = el('td', {});
    if (mayManage()) {
      const edit = el('button', { type: 'button', class: 'secondary' }, t('set.edit'));
      edit.addEventListener('click', () => editReply(r));
      const del = el('button', { type: 'button', class: 'secondary' }, t('set.delete'));
      del.addEventListener('click', async () => {
        try { await api('DELETE', '/saved-replies/' + r.id); resetReplyForm(); await section('replies-rows', 5, savedReplies); } catch (err) { showErrors($('replies-form'), err); }
      });
      actions.append(edit, ' ', del);
    }
    return el('tr', { dataset: { id: r.id } }, el('td', { title: r.body }, r.name), el('td', {}, r.shortcut || '—'),
      el('td', {}, r.language || t('set.language_any')), el('td', {}, String(r.uses)), actions);
  }));
}

function editReply(r) {
  const f = $('replies-form');
  clearErrors(f);
  f.dataset.id = r.id;
  const e = f.elements;
  e.name.value = r.name;
  e.shortcut.value = r.shortcut || '';
  e.language.value = r.language || '';
  e.body.value = r.body;
  $('replies-form-title').textContent = t('set.replies_edit', { name: r.name });
  $('replies-cancel').hidden = false;
  f.scrollIntoView();
}

function resetReplyForm() {
  const f = $('replies-form');
  f.reset();
  delete f.dataset.id;
  clearErrors(f);
  $('replies-form-title').textContent = t('set.replies_new');
  $('replies-cancel').hidden = true;
}

async function saveReply(f) {
  const e = f.elements;
  const body = { name: e.name.value, shortcut: e.shortcut.value, language: e.language.value, body: e.body.value };
  if (f.dataset.id) await api('PATCH', '/saved-replies/' + f.dataset.id, body);
  else await api('POST', '/saved-replies', body);
}

async function triageSettings() {
  const s = await api('GET', '/triage/settings');
  const f = $('triage-form').elements;
  f.deflection_ceiling.value = Math.round(s.deflection_ceiling * 100);
  f.borderline_confidence.value = Math.round(s.borderline_confidence * 100);
  f.pool_opt_in.checked = s.pool_opt_in;
  $('triage-share').textContent = t('set.share_now', { share: pct(s.ai_share.share), n: s.ai_share.conversations,
    days: s.ai_share.window_days, ceiling: pct(s.deflection_ceiling) });
}

/** conversationRules fills the rules' form: hours, empty where a rule is off. */
async function conversationRules() {
  const r = await api('GET', '/workspace/conversation-rules');
  const f = $('rules-form').elements;
  for (const name of ['auto_resolve_pending_after_hours', 'auto_close_resolved_after_hours']) f[name].value = r[name] ?? '';
}

/** security fills the form that requires two-step sign-in of every
 * member: owners and admins change it, others see it. */
async function security() {
  const ws = await api('GET', '/workspace');
  const f = $('security-form').elements;
  f.require_two_factor.checked = ws.require_two_factor === true;
  f.require_two_factor.dataset.saved = String(ws.require_two_factor === true);
  for (const e of f) e.disabled = !mayManage();
  securityPending();
}

/** securityPending says, while the box is ticked and the workspace does
 * not require two-step sign-in yet, how many members it would concern
 * (and that the person needs it first themself). */
function securityPending() {
  const box = $('security-form').elements.require_two_factor;
  const note = $('security-pending');
  note.hidden = !box.checked || box.dataset.saved === 'true';
  if (note.hidden) return;
  const without = memberList.filter(m => !m.two_factor_enabled).length;
  note.textContent = me.user?.two_factor_enabled === false ? t('set.require_two_factor_own')
    : without ? t('set.require_two_factor_pending', { n: without, total: memberList.length }) : t('set.require_two_factor_all');
}

let overflowOf = null; // the membership whose rule the overflow form edits

// alliancesDrawn counts the drawings of the alliances section begun: one
// that ends after a later one began is dropped, so the newest one stays.
let alliancesDrawn = 0;

async function alliances() {
  const drawing = ++alliancesDrawn;
  const page = await api('GET', '/alliances');
  if (drawing !== alliancesDrawn) return;
  const rows = page.data.map(a => {
    const m = a.membership;
    const actions = el('td', {});
    if (m && m.status === 'invited') {
      const accept = el('button', { type: 'button' }, t('set.alliance_accept'));
      accept.addEventListener('click', () => allianceAction(actions, 'POST', `/alliances/${a.id}/members/${m.tenant_id}/accept`));
      actions.append(accept);
    }
    if (m && m.status === 'active') {
      const rule = el('button', { type: 'button', class: 'secondary' }, t('set.alliance_overflow'));
      rule.addEventListener('click', () => editOverflow(a));
      const leave = el('button', { type: 'button', class: 'secondary' }, t('set.alliance_leave'));
      leave.addEventListener('click', () => {
        if (confirm(t('set.alliance_leave_confirm', { name: a.name }))) allianceAction(actions, 'DELETE', `/alliances/${a.id}/members/${m.tenant_id}`);
      });
      actions.append(rule, ' ', leave);
    }
    const status = m ? el('span', { class: 'badge member-' + m.status }, label('member.', m.status),
      m.status === 'active' && m.overflow.enabled ? ' · ' + t('set.overflow_enabled') : '') : '—';
    return el('tr', { dataset: { id: a.id } }, el('td', {}, a.name), el('td', {}, status),
      el('td', {}, a.roles.map(r => label('alliance_role.', r)).join(', ') || '—'), actions);
  });
  $('alliances-rows').replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: 4, class: 'muted' }, t('set.alliance_none')))]));
  const admin = page.data.filter(a => a.roles.includes('alliance_admin'));
  const panels = await Promise.all(admin.map(a => adminPanel(a.id)));
  if (drawing === alliancesDrawn) $('alliance-admin').replaceChildren(...panels);
}

async function allianceAction(cell, method, path) {
  try { await api(method, path); } catch (err) { cell.append(el('p', { class: 'error-text' }, err.message)); return; }
  section('alliances-rows', 4, alliances);
}

function editOverflow(a) {
  overflowOf = a;
  const f = $('overflow-form');
  const r = a.membership.overflow;
  clearErrors(f);
  $('overflow-title').textContent = t('set.overflow_title', { name: a.name });
  for (const k of ['enabled', 'when_no_agent', 'when_outside_hours', 'vip_only']) f.elements[k].checked = r[k];
  f.elements.sla_share.value = r.sla_share;
  f.elements.daily_cap.value = r.daily_cap;
  f.elements.intents.value = r.intents.join(', ');
  f.elements.languages.value = r.languages.join(', ');
  f.hidden = false;
}

function resetOverflowForm() {
  overflowOf = null;
  $('overflow-form').hidden = true;
}

async function saveOverflow(f) {
  const e = f.elements;
  const int = (v) => v === '' ? 0 : Number(v);
  await api('PUT', `/alliances/${overflowOf.id}/members/${overflowOf.membership.tenant_id}/overflow`, {
    enabled: e.enabled.checked, when_no_agent: e.when_no_agent.checked, when_outside_hours: e.when_outside_hours.checked,
    sla_share: int(e.sla_share.value), intents: list(e.intents.value), languages: list(e.languages.value),
    vip_only: e.vip_only.checked, daily_cap: int(e.daily_cap.value) });
}

// poolInvite is the pool agent invitation just made: its link's token is
// in the answer only, so every drawing of the panel shows it until the page
// is left (the panel may be drawn twice at once as its sections load; a
// token taken by the first drawing would be lost to the second).
let poolInvite = null;

// adminPanel draws an alliance its admin runs: its brands and pool agents,
// with the forms inviting more, and the token of a pool agent just invited.
async function adminPanel(id) {
  const d = await api('GET', '/alliances/' + id);
  const invited = poolInvite && poolInvite.alliance === id ? poolInvite : null;
  const brands = el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, t('set.brand')), el('th', {}, t('set.status')),
    el('th', {}, t('set.overflow_enabled')), el('th', {}, t('set.alliance_in_pool')))),
  el('tbody', {}, ...(d.members || []).map(m => el('tr', {}, el('td', {}, m.name, ' ', el('span', { class: 'muted' }, m.slug)),
    el('td', {}, label('member.', m.status)), el('td', {}, m.overflow_enabled ? '✓' : ''), el('td', {}, String(m.in_pool))))));
  const agents = el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, t('set.pool_agent')), el('th', {}, t('set.status')),
    el('th', {}, t('set.alliance_load')))),
  el('tbody', {}, ...(d.agents || []).map(g => el('tr', {}, el('td', {}, g.name || g.email, ' ', el('span', { class: 'muted' }, g.languages.join(', '))),
    el('td', {}, label('presence.', g.status)), el('td', {}, `${g.load} / ${g.capacity}`))),
  ...(d.agent_invites || []).map(i => el('tr', { class: 'muted' }, el('td', {}, i.email), el('td', {}, label('member.', 'invited')), el('td', {}, '')))));
  const invite = (labelKey, body) => {
    const form = el('form', { class: 'inline' }, el('label', {}, t(labelKey), ' ', el('input', { name: 'who' })),
      el('button', { type: 'submit' }, t('set.alliance_invite')), el('p', { class: 'field-error', dataset: { for: 'slug' } }),
      el('p', { class: 'field-error', dataset: { for: 'email' } }), el('p', { class: 'form-error', role: 'alert' }));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      try { await body(form.elements.who.value.trim()); section('alliances-rows', 4, alliances); } catch (err) { showErrors(form, err); }
    });
    return form;
  };
  return el('div', { class: 'alliance-admin', dataset: { id } },
    el('h3', {}, t('set.alliance_members', { name: d.name })), brands,
    invite('set.alliance_invite_brand', (v) => api('POST', `/alliances/${id}/members`, v.includes('@') ? { email: v } : { slug: v })),
    el('h3', {}, t('set.alliance_agents', { name: d.name })), agents,
    invite('set.alliance_invite_agent', async (v) => {
      const inv = await api('POST', `/alliances/${id}/agents`, { email: v });
      poolInvite = { alliance: id, email: v, token: inv.token };
    }),
    invited && el('p', { class: 'secret pool-invite-token', role: 'status' },
      t('set.pool_invite_token', { email: invited.email, alliance: id }), ' ', t('set.shown_once'), ' ', el('code', {}, invited.token)));
}

// account shows the sign-in email and wires the form that asks to change
// it: the email changes only when the link sent to the new address is
// followed, so the page says where the link went and keeps showing the
// current email.
function account() {
  const current = me.user?.email;
  $('account-email').textContent = current ? t('set.email_current', { email: current }) : t('set.email_none');
  const form = $('email-change');
  if (!current) { form.hidden = true; return; }
  onSubmit('email-change', async (f) => {
    $('email-change-sent').hidden = true;
    const r = await api('POST', '/me/email', { email: f.email.value, current_password: f.current_password.value });
    $('email-change-sent').textContent = t('set.email_change_sent', { email: r.email, current });
    $('email-change-sent').hidden = false;
  });
}

// twoFactor wires two-step sign-in: on as enrolTwoFactor walks through
// it; off with the password and a code (or a recovery code).
function twoFactor() {
  if (!me.user) { $('two-factor-state').textContent = t('set.email_none'); return; }
  const state = (on) => {
    me.user.two_factor_enabled = on; // the security form's note reads it
    $('two-factor-state').textContent = t(on ? 'set.two_factor_is_on' : 'set.two_factor_is_off');
    $('two-factor-start').hidden = on;
    $('two-factor-off').hidden = !on;
  };
  state(me.user.two_factor_enabled === true);
  enrolTwoFactor(() => state(true));
  onSubmit('two-factor-off', async (f) => {
    const v = f.code.value.trim();
    const body = { current_password: f.current_password.value };
    if (v === '' || /^[0-9 ]+$/.test(v)) body.code = v; else body.recovery_code = v;
    await api('DELETE', '/me/two-factor', body);
    $('two-factor-codes').hidden = true;
    state(false);
  });
}

async function main() {
  me = await shell();
  tz = await timeZone();
  account();
  twoFactor();
  onSubmit('invite-create', async (f) => {
    const inv = await api('POST', '/invitations', { email: f.email.value, role: f.role.value });
    $('invite-link').hidden = false;
    $('invite-link').textContent = t('set.invite_link') + ' ' + location.origin + '/invite/' + inv.token;
    section('invites-rows', 4, invitations);
  });
  onSubmit('key-create', async (f) => {
    const k = await api('POST', '/api-keys', { name: f.name.value, scopes: list(f.scopes.value) });
    $('key-secret').hidden = false;
    $('key-secret').textContent = t('set.shown_once') + ' ' + k.key;
    section('keys-rows', 4, keys);
  });
  onSubmit('password-change', async (f) => {
    $('password-changed').hidden = true;
    const r = await api('POST', '/me/password', { current_password: f.current_password.value, new_password: f.new_password.value });
    $('password-changed').hidden = false;
    $('password-changed').textContent = t('set.password_changed', { n: r.sessions_revoked });
  });
  onSubmit('hook-create', async (f) => {
    const h = await api('POST', '/webhooks', { url: f.url.value, events: list(f.events.value) });
    $('hook-secret').hidden = false;
    $('hook-secret').textContent = t('set.shown_once') + ' ' + h.secret;
    section('hooks-rows', 4, hooks);
  });
  connectorForm({ manage: mayManage(), reload: () => section('connectors-rows', 6, connectors) });
  editor('sla-form', savePolicy, resetPolicyForm, () => section('sla-rows', 5, policies));
  editor('hours-form', saveHours, resetHoursForm, async () => { await section('hours-rows', 4, hours); await section('sla-rows', 5, policies); });
  $('scenario-intent').replaceChildren(...INTENTS.map(i => el('option', { value: i }, intentLabel(i))));
  onSubmit('scenario-create', async (f) => {
    const triggers = { en: list(f.triggers_en.value), zh: list(f.triggers_zh.value) };
    const replies = {};
    if (f.reply_en.value.trim()) replies.en = f.reply_en.value;
    if (f.reply_zh.value.trim()) replies.zh = f.reply_zh.value;
    await api('POST', '/knowledge/scenarios', { name: f.name.value, intent: f.intent.value, triggers, replies });
    section('scenarios-rows', 5, scenarios);
  });
  editor('replies-form', saveReply, resetReplyForm, () => section('replies-rows', 5, savedReplies));
  editor('overflow-form', saveOverflow, resetOverflowForm, () => section('alliances-rows', 4, alliances));
  onSubmit('alliance-create', async (f) => {
    await api('POST', '/alliances', { name: f.name.value });
    section('alliances-rows', 4, alliances);
  });
  settingsForm('triage-form', async ({ elements: f }) => {
    const num = (v) => v === '' ? NaN : Number(v) / 100;
    await api('PATCH', '/triage/settings', { deflection_ceiling: num(f.deflection_ceiling.value),
      borderline_confidence: num(f.borderline_confidence.value), pool_opt_in: f.pool_opt_in.checked });
  }, triageSettings);
  $('security-form').elements.require_two_factor.addEventListener('change', securityPending);
  settingsForm('security-form', async ({ elements: f }) => {
    await api('PATCH', '/workspace', { require_two_factor: f.require_two_factor.checked });
  }, security);
  settingsForm('rules-form', async ({ elements: f }) => {
    const hours = (v) => v.trim() === '' ? null : Number(v);
    await api('PATCH', '/workspace/conversation-rules', { auto_resolve_pending_after_hours: hours(f.auto_resolve_pending_after_hours.value),
      auto_close_resolved_after_hours: hours(f.auto_close_resolved_after_hours.value) });
  }, conversationRules);
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
  await Promise.all([section('members-rows', 4, members), section('invites-rows', 4, invitations), section('keys-rows', 4, keys), section('hooks-rows', 4, hooks),
    section('hours-rows', 4, hours).then(() => section('sla-rows', 5, policies)), section('connectors-rows', 6, connectors),
    section('scenarios-rows', 5, scenarios), section('replies-rows', 5, savedReplies), section('alliances-rows', 4, alliances),
    triageSettings().catch(err => { $('triage-share').textContent = err.status === 403 ? t('set.forbidden') : err.message; }),
    conversationRules().catch(err => showErrors($('rules-form'), err)),
    security().catch(err => showErrors($('security-form'), err)),
    billing().catch(err => { $('billing-plan').textContent = err.status === 403 ? t('set.forbidden') : err.message; })]);
  document.body.dataset.ready = '1';
}

main();

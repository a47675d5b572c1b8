// The inbox: the conversation list with the API's filters, re-read as soon
// as the server's change stream (GET /v1/conversations/changes, server-sent
// events) says a conversation changed, so new conversations and messages
// appear without a reload; while the stream is down the list is polled from
// the cursor API every few seconds instead. And the open conversation: thread, customer, history, orders,
// triage with its correction, SLA countdown, reply and note, assign,
// snooze and resolve. Shortcuts: j/k next/previous, r reply, e resolve, /
// search. The search box (q) is one more filter of the same list: the
// stream's re-reads search too, and only the latest read is shown.
// The reply box inserts a saved reply, filled from the conversation, picked
// from its list or by typing its /shortcut and pressing Tab.
// The list shows the newest PAGE conversations; "Show more" widens it a page
// at a time up to MAX_SHOWN, and every re-read keeps that width, so nothing
// loaded is thrown away by the next change. Changing the filters or the
// search starts again from one page.
import { api, apiEvents, t, el, INTENTS, label, intentLabel, reasonText, fmtTime, fmtDuration, timeZone, shell, showErrors, clearErrors, onSessionExpired, onPresence, setPresence, agents } from './common.js';

const POLL_MS = 3000; // the fallback's period, while the change stream is down
const RETRY_MAX_MS = 30000; // the longest wait before reconnecting the stream
const SEARCH_MIN = 2; // characters: the API's minimum for q
const SEARCH_DEBOUNCE_MS = 300; // typing pauses this long before the list is searched
const PAGE = 50; // conversations shown at first, and added by "Show more"
const MAX_SHOWN = 200; // the API's largest page: beyond it, filters and search

const $ = (id) => document.getElementById(id);
const PHONE = window.matchMedia('(max-width: 760px)'); // app.css's one-column layout
const state = { list: [], openId: null, detail: null, tz: 'UTC', me: null, agents: [], listKey: '', more: false, shown: PAGE, wanted: null, opens: 0, live: false, ended: false, saved: [], reads: 0 };

function filterQuery() {
  const f = $('filters').elements;
  const q = new URLSearchParams({ limit: String(state.shown) });
  for (const name of ['status', 'assignee', 'urgency', 'intent', 'channel', 'tag']) {
    const v = f[name].value.trim();
    if (v) q.set(name, v);
  }
  const text = f.q.value.trim();
  if ([...text].length >= SEARCH_MIN) q.set('q', text);
  return q.toString();
}

/** nextDeadline is the SLA deadline the conversation waits on now. */
function nextDeadline(c) {
  if (['resolved', 'closed'].includes(c.status)) return null;
  if (!c.first_response_at && c.first_response_due_at) return { kind: 'first', at: c.first_response_due_at };
  if (c.waiting_since && c.next_response_due_at) return { kind: 'next', at: c.next_response_due_at };
  if (c.resolution_due_at) return { kind: 'resolution', at: c.resolution_due_at };
  return null;
}

function countdown(c) {
  const d = nextDeadline(c);
  if (!d) return null;
  const left = (new Date(d.at) - Date.now()) / 1000;
  const text = left >= 0 ? t('sla.due_in', { d: fmtDuration(left) }) : t('sla.overdue', { d: fmtDuration(-left) });
  return { text: `${t('sla.' + d.kind)}: ${text}`, cls: left < 0 ? 'breached' : left < 1800 ? 'at-risk' : 'ok', left };
}

/** loadList reads the list as the filters and search stand now. Reads
 * overlap (a change event, a keystroke): only the latest one is shown, so
 * an unfiltered read that answers late never replaces a search's result. */
async function loadList() {
  const key = filterQuery();
  const read = ++state.reads;
  const page = await api('GET', '/conversations?' + key);
  if (read !== state.reads) return;
  let list = page.data || [];
  if ($('filters').elements.at_risk.checked) list = list.filter(c => { const cd = countdown(c); return cd && cd.left < 1800; });
  const seen = new Set(state.listKey === key ? state.list.map(c => c.id) : []);
  const fresh = state.listKey === key ? list.filter(c => !seen.has(c.id)).map(c => c.id) : [];
  state.list = list;
  state.more = page.has_more === true;
  state.listKey = key;
  renderList(new Set(fresh));
  offlineBanner();
  const open = list.find(c => c.id === state.openId);
  if (open && state.wanted === open.id && state.detail && open.updated_at !== state.detail.updated_at) await openConversation(open.id, false);
}

/** title names a conversation: its subject (an email's), else the triage's
 * summary of what the customer wrote (contact data masked), as chat
 * channels carry no subject. */
function title(c) {
  return c.subject || (c.facts && c.facts.summary) || t('conv.no_subject');
}

function renderList(fresh) {
  const ul = $('conv-list');
  ul.replaceChildren(...state.list.map(c => {
    const cd = countdown(c);
    return el('li', { class: [c.id === state.openId ? 'selected' : '', fresh.has(c.id) ? 'fresh' : ''].join(' ').trim() || null, dataset: { id: c.id } },
      el('a', { href: '?c=' + c.id, class: 'conv-link' },
        el('span', { class: 'subject' }, title(c)),
        el('span', { class: 'meta' },
          el('span', { class: 'badge ' + c.status }, label('status.', c.status)), ' ',
          el('span', { class: 'badge' }, intentLabel(c.intent)), ' ',
          c.urgency ? el('span', { class: 'badge urg-' + c.urgency }, label('urgency.', c.urgency)) : null, ' ',
          el('span', { class: 'muted' }, label('channel.', c.channel), ' · ', fmtTime(c.last_message_at, state.tz))),
        cd ? el('span', { class: 'sla ' + cd.cls }, cd.text) : null));
  }));
  const searching = new URLSearchParams(state.listKey).has('q');
  $('list-empty').hidden = state.list.length > 0 || searching;
  $('search-empty').hidden = state.list.length > 0 || !searching;
  $('list-more-btn').hidden = !state.more || state.shown >= MAX_SHOWN;
  $('list-more').hidden = !state.more || state.shown < MAX_SHOWN;
}

/** offlineBanner tells an offline agent that conversations wait for
 * someone while routing, which gives them only to online agents, passes
 * them by; it offers to go online. */
async function offlineBanner() {
  const banner = $('offline-banner');
  if (state.presence !== 'offline') { banner.hidden = true; return; }
  try {
    const page = await api('GET', '/conversations?assignee=none&status=open,pending&limit=' + PAGE);
    const n = page.data.length;
    if (state.presence !== 'offline' || n === 0) { banner.hidden = true; return; }
    $('offline-banner-text').textContent = t('presence.offline_banner', { n: page.has_more ? n + '+' : n });
    banner.hidden = false;
  } catch { banner.hidden = true; } // a hint, not worth an error
}

/** showMore widens the list by a page. */
function showMore() {
  state.shown = Math.min(state.shown + PAGE, MAX_SHOWN);
  loadList();
}

/** refilter reads the list again from one page, as the filters now stand. */
function refilter() {
  state.shown = PAGE;
  loadList();
}

/** savedOptions lists the saved replies in the picker, those in the
 * conversation's language (or in any) first, the most used first. */
function savedOptions(lang) {
  const fits = (r) => !r.language || r.language === (lang === 'zh' ? 'zh' : 'en');
  const list = [...state.saved].sort((a, b) => (fits(b) - fits(a)) || (b.uses - a.uses) || a.name.localeCompare(b.name));
  $('saved-reply').replaceChildren($('saved-reply').options[0],
    ...list.map(r => el('option', { value: r.id }, [r.name, r.shortcut, r.language].filter(Boolean).join(' · '))));
  $('saved-reply').hidden = state.saved.length === 0;
}

/** insertSaved fills saved reply id from the open conversation and puts it
 * in the reply box, in place of the chars from..to (a typed /shortcut), else
 * at the caret. */
async function insertSaved(id, from, to) {
  const box = $('reply-body');
  const form = $('reply-form');
  clearErrors(form);
  try {
    const r = await api('POST', `/conversations/${state.openId}/saved-replies/${id}/render`);
    if (from === undefined) { from = box.selectionStart; to = box.selectionEnd; }
    box.value = box.value.slice(0, from) + r.body + box.value.slice(to);
    box.focus();
    box.selectionStart = box.selectionEnd = from + r.body.length;
    saveDraft();
    if (r.missing.length) form.querySelector('.form-error').textContent = t('reply.saved_missing', { names: r.missing.join(', ') });
  } catch (err) {
    showErrors(form, err);
  }
}

/** openConversation shows conversation id. Opens overlap (j pressed twice,
 * a change's re-read while j moves on): only the latest is shown, and a
 * re-read re-opens only the conversation last asked for, so a late answer
 * never pulls the agent back to the one they left. */
async function openConversation(id, push = true) {
  const seq = ++state.opens;
  state.wanted = id;
  const d = await api('GET', '/conversations/' + encodeURIComponent(id));
  if (seq !== state.opens) return; // a later open (j/k, a click, a re-read) answers instead
  const switched = state.openId !== id;
  state.openId = id;
  state.detail = d;
  if (push) remember(id);
  $('conv-none').hidden = true;
  $('conv-body').hidden = false;
  document.querySelector('main.inbox').classList.add('conv-open'); // a phone shows it alone,
  if (switched && !document.querySelector('.list-pane').offsetParent) window.scrollTo(0, 0); // from its top
  $('conv-subject').textContent = title(d);
  $('conv-status').textContent = label('status.', d.status);
  $('conv-status').className = 'badge ' + d.status;
  const closed = ['resolved', 'closed'].includes(d.status);
  const readOnly = state.me?.role === 'viewer'; // the API refuses a viewer's changes: none is offered
  $('reply-form').hidden = readOnly;
  $('conv-actions').hidden = readOnly;
  $('resolve-btn').hidden = closed || readOnly; // and so "e" does nothing
  $('reopen-btn').hidden = !closed;
  $('snooze-btn').hidden = closed; // a resolved conversation has nothing to wait for
  renderThread(d);
  renderTriage(d);
  renderCustomer(d);
  renderOrders(d.orders || []);
  renderTags(d);
  $('assign-select').value = d.assignee_id || '';
  savedOptions(d.language);
  if (switched) {
    $('reply-body').value = sessionStorage.getItem('dp_draft_' + id) || '';
    // another conversation starts as a public reply, unless its draft is a note
    $('reply-internal').checked = $('reply-body').value !== '' && sessionStorage.getItem('dp_note_' + id) === '1';
    noteMode();
    clearErrors($('reply-form'));
    $('tag-input').value = '';
    clearErrors($('tag-form'));
    $('action-error').textContent = '';
    loadHistory(d);
  }
  document.querySelectorAll('#conv-list li').forEach(li => li.classList.toggle('selected', li.dataset.id === id));
  tick();
}

/** remember puts conversation id in the address. On a phone's screen,
 * where the list and the conversation are two screens, opening one from
 * the list adds a history entry, so that the browser's Back (the phone's
 * back gesture) returns to the list rather than leaving the inbox; from
 * one conversation to another, and on a wider screen, the entry is
 * replaced. An entry marked conv has the list before it. */
function remember(id) {
  const fromList = !document.querySelector('main.inbox').classList.contains('conv-open');
  if (PHONE.matches && fromList) history.pushState({ conv: id }, '', '?c=' + id);
  else history.replaceState(history.state?.conv ? { conv: id } : null, '', '?c=' + id);
}

/** back is the Back control: the history entry opening the conversation
 * added is left, as the browser's Back would (popstate then closes it);
 * without one (a conversation's address opened), the conversation closes. */
function back() {
  if (history.state?.conv) history.back();
  else closeConversation();
}

/** closeConversation goes back to the list, as the Back control on a
 * phone's screen asks (it shows one pane at a time): no conversation is
 * open, so neither a re-read brings it back nor a shortcut acts on it. */
function closeConversation() {
  const id = state.openId;
  state.opens++; // an open still answering is not shown
  state.wanted = state.openId = state.detail = null;
  history.replaceState(null, '', location.pathname);
  $('conv-body').hidden = true;
  $('conv-none').hidden = false;
  document.querySelector('main.inbox').classList.remove('conv-open');
  document.querySelectorAll('#conv-list li.selected').forEach(li => li.classList.remove('selected'));
  const link = id && document.querySelector(`#conv-list li[data-id="${CSS.escape(id)}"] a`);
  if (link) link.focus(); // and scrolls the list back to where it was
}

/** saveDraft keeps the open conversation's unsent reply or note for this
 * tab's session (sessionStorage), and which of the two it is: coming back
 * to it, after another conversation or a new login, a note is still a
 * note, not a reply the customer would be sent. */
function saveDraft() {
  if (!state.openId) return;
  sessionStorage.setItem('dp_draft_' + state.openId, $('reply-body').value);
  if ($('reply-internal').checked) sessionStorage.setItem('dp_note_' + state.openId, '1');
  else sessionStorage.removeItem('dp_note_' + state.openId);
}

/** noteMode makes the composer say which it is writing: an internal note
 * (yellow, "Add internal note") or a reply the customer gets. The mode
 * stays while the agent is in the conversation and resets when another
 * one opens (to a note again, when that one's draft is a note). */
function noteMode() {
  const on = $('reply-internal').checked;
  $('reply-form').classList.toggle('note-mode', on);
  $('reply-send').textContent = t(on ? 'reply.send_note' : 'reply.send');
  $('reply-body').placeholder = t(on ? 'reply.note_placeholder' : 'reply.placeholder');
}

/** authorName names who wrote a message: a member by their name (else
 * their email) from the agents list; the AI, the customer, the system, or
 * an author no longer a member, by their kind. */
function authorName(m) {
  if (m.author_id && ['agent', 'user'].includes(m.author_kind)) {
    const a = state.agents.find(x => x.user_id === m.author_id);
    if (a) return a.name || a.email;
  }
  return label('author.', m.author_kind);
}

function renderThread(d) {
  $('thread').replaceChildren(...d.messages.map(m =>
    el('li', { class: `msg ${m.direction} ${m.internal ? 'note' : ''}`.trim() },
      el('div', { class: 'msg-meta' }, el('span', { class: 'msg-author' }, authorName(m)), m.internal ? ' · ' + t('reply.internal') : '', ' · ', label('channel.', m.channel), ' · ', fmtTime(m.created_at, state.tz)),
      el('div', { class: 'msg-body' }, m.body))));
  const th = $('thread');
  th.scrollTop = th.scrollHeight;
}

/** renderTags lists the conversation's tags, each with a × that removes
 * it; a viewer, who cannot change them, sees them only. */
function renderTags(d) {
  const tags = d.tags || [];
  const readOnly = state.me?.role === 'viewer';
  $('tag-form').hidden = readOnly;
  $('conv-tags').replaceChildren(...(tags.length ? tags.map(tag => el('li', { class: 'tag', dataset: { tag } }, el('span', {}, tag),
    readOnly ? null : el('button', { type: 'button', class: 'tag-remove', 'aria-label': t('tags.remove', { tag }), title: t('tags.remove', { tag }), dataset: { tag } }, '×'))) :
    [el('li', { class: 'muted' }, t('tags.none'))]));
}

/** saveTags sets the open conversation's tags (PATCH, which sorts and
 * deduplicates them; at most 50, each 1 to 50 characters). The API's
 * refusal shows under the tags, naming the tag it is about. */
async function saveTags(tags) {
  const id = state.openId;
  const form = $('tag-form');
  clearErrors(form);
  try {
    await api('PATCH', '/conversations/' + id, { tags });
  } catch (err) {
    const errors = (err.problem?.errors || []).map(fe => {
      const m = /^tags\[(\d+)\]$/.exec(String(fe.field));
      return m && tags[+m[1]] !== undefined ? { field: 'tags', message: t('tags.invalid', { tag: tags[+m[1]], message: fe.message }) } : fe;
    });
    showErrors(form, { message: err.message, problem: { ...err.problem, errors } });
    return false;
  }
  if (state.openId !== id) return false; // the tag box is another conversation's now
  await openConversation(id, false);
  loadList().catch(() => {});
  return true;
}

function lastTriage(d) {
  for (let i = d.messages.length - 1; i >= 0; i--) {
    const tr = d.messages[i].triage;
    if (d.messages[i].direction === 'inbound' && tr && typeof tr === 'object') return tr;
  }
  return {};
}

function renderTriage(d) {
  const tr = lastTriage(d);
  const rows = [['conv.level', d.level], ['conv.route', label('route.', d.route)], ['filter.intent', intentLabel(d.intent)],
    ['filter.urgency', label('urgency.', d.urgency)], ['conv.sentiment', label('sentiment.', d.sentiment) + (d.anger ? ' ⚠' : '')],
    ['conv.confidence', d.confidence ? Math.round(d.confidence * 100) + '%' : '—']];
  $('triage').replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, t(k)), el('dd', { dataset: { k } }, v || '—')]));
  $('triage-reasons').replaceChildren(...(tr.reasons || []).map(r => el('li', { title: r, dataset: { reason: r } }, reasonText(r))));
  $('correct-intent').value = d.intent || 'other';
  $('correct-urgency').value = d.urgency || 'medium';
  state.suggestion = tr.suggested_reply || '';
  $('use-suggestion').hidden = !state.suggestion;
}

function renderCustomer(d) {
  const c = d.customer || {};
  const rows = [['conv.name', c.name], ['field.email', c.email], ['conv.phone', c.phone], ['conv.segment', c.segment],
    ['conv.vip', c.vip ? '★' : '']].filter(([, v]) => v);
  $('customer').replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, t(k)), el('dd', {}, v)]));
  $('identities').replaceChildren(...(c.identities || []).map(i => el('li', {}, `${i.kind}${i.channel ? ' (' + label('channel.', i.channel) + ')' : ''}: ${i.value}`)));
}

async function loadHistory(d) {
  $('history').replaceChildren();
  if (!d.customer_id) return;
  try {
    const page = await api('GET', '/conversations?limit=20&customer=' + encodeURIComponent(d.customer_id));
    $('history').replaceChildren(...page.data.filter(c => c.id !== d.id).map(c =>
      el('li', {}, el('a', { href: '?c=' + c.id, class: 'conv-link', dataset: { id: c.id } }, `${fmtTime(c.created_at, state.tz)} · ${label('channel.', c.channel)} · ${title(c)} (${label('status.', c.status)})`))));
  } catch { /* history is a convenience */ }
}

function renderOrders(orders) {
  $('orders').replaceChildren(...(orders.length ? orders.map(o =>
    el('li', {}, el('strong', {}, '#' + (o.number || o.external_id)), ` · ${o.status}${o.fulfillment_status ? ' / ' + o.fulfillment_status : ''} · ${o.total} ${o.currency}`,
      ...(o.shipments || []).map(s => el('div', { class: 'muted' }, `${s.carrier || ''} ${s.tracking_number || ''} ${s.status || ''}`.trim())))) :
    [el('li', { class: 'muted' }, t('conv.no_orders'))]));
}

/** tick refreshes the SLA countdowns every second. */
function tick() {
  if (state.detail) {
    const cd = countdown(state.detail);
    $('conv-sla').textContent = cd ? cd.text : '';
    $('conv-sla').className = 'sla ' + (cd ? cd.cls : '');
  }
}

async function patch(body) {
  const id = state.openId;
  $('action-error').textContent = '';
  try {
    await api('PATCH', '/conversations/' + id, body);
    if (state.openId === id) await openConversation(id, false); // not another one opened meanwhile, nor none
    await loadList();
  } catch (err) {
    $('action-error').textContent = err.message;
  }
}

function move(step) {
  if (!state.list.length) return;
  let i = state.list.findIndex(c => c.id === (state.wanted || state.openId));
  i = i < 0 ? 0 : Math.min(state.list.length - 1, Math.max(0, i + step));
  openConversation(state.list[i].id);
}

function wire() {
  $('filters').addEventListener('change', () => refilter());
  $('filters').addEventListener('submit', (ev) => { ev.preventDefault(); refilter(); });
  $('list-more-btn').addEventListener('click', () => showMore());
  $('conv-back').addEventListener('click', () => back());
  // the browser's Back and Forward: the list, or the conversation the
  // entry names
  window.addEventListener('popstate', () => {
    const want = new URLSearchParams(location.search).get('c');
    if (!want) closeConversation();
    else if (want !== state.openId) openConversation(want, false).catch(() => {});
  });
  $('go-online').addEventListener('click', () => setPresence('online'));
  onPresence((status) => { state.presence = status; offlineBanner(); });
  let typing = null;
  $('filter-q').addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => { if (filterQuery() !== state.listKey) refilter(); }, SEARCH_DEBOUNCE_MS);
  });
  document.addEventListener('click', (ev) => {
    const a = ev.target.closest('a.conv-link');
    if (!a) return;
    ev.preventDefault();
    openConversation(a.dataset.id || a.closest('li').dataset.id);
  });
  const form = $('reply-form');
  $('reply-body').addEventListener('input', () => saveDraft());
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const id = state.openId; // the agent may go elsewhere (j, Back) before the answer
    if (!id) return;
    clearErrors(form);
    const btn = $('reply-send');
    btn.disabled = true;
    try {
      await api('POST', `/conversations/${id}/replies`, { body: $('reply-body').value, internal: $('reply-internal').checked });
      sessionStorage.removeItem('dp_draft_' + id);
      sessionStorage.removeItem('dp_note_' + id);
      if (state.openId === id) {
        $('reply-body').value = '';
        await openConversation(id, false);
      }
      await loadList();
    } catch (err) {
      showErrors(form, err);
    } finally {
      btn.disabled = false;
    }
  });
  $('reply-internal').addEventListener('change', () => { noteMode(); saveDraft(); });
  $('saved-reply').addEventListener('change', (ev) => {
    const id = ev.target.value;
    ev.target.value = '';
    if (id && state.openId) insertSaved(id);
  });
  $('reply-body').addEventListener('keydown', (ev) => {
    if (ev.key !== 'Tab' || ev.shiftKey || ev.ctrlKey || ev.metaKey || ev.altKey || !state.openId) return;
    const box = ev.target;
    const typed = box.value.slice(0, box.selectionStart).match(/(?:^|\s)(\/[\w-]+)$/);
    const r = typed && state.saved.find(x => x.shortcut === typed[1].toLowerCase());
    if (!r) return;
    ev.preventDefault();
    insertSaved(r.id, box.selectionStart - typed[1].length, box.selectionStart);
  });
  $('use-suggestion').addEventListener('click', () => { $('reply-body').value = state.suggestion; $('reply-body').focus(); });
  $('tag-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const input = $('tag-input');
    const tag = input.value.trim(); // the API refuses a blank tag and keeps spaces around one
    if (!tag || !state.openId) return;
    const tags = state.detail.tags || [];
    if (tags.includes(tag)) { input.value = ''; return; }
    if (await saveTags([...tags, tag])) input.value = '';
  });
  $('conv-tags').addEventListener('click', (ev) => {
    const b = ev.target.closest('button.tag-remove');
    if (b && state.openId) saveTags((state.detail.tags || []).filter(x => x !== b.dataset.tag));
  });
  $('resolve-btn').addEventListener('click', () => patch({ status: 'resolved' }));
  $('reopen-btn').addEventListener('click', () => patch({ status: 'open' }));
  $('snooze-btn').addEventListener('click', () => patch({ status: 'snoozed', snoozed_until: new Date(Date.now() + 4 * 3600e3).toISOString() }));
  $('assign-select').addEventListener('change', (ev) => {
    const v = ev.target.value;
    patch(v ? { assignee_id: v } : { unassign: true });
  });
  $('correct-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    patch({ triage: { intent: $('correct-intent').value, urgency: $('correct-urgency').value } });
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const tag = ev.target.tagName;
    if (tag === 'TEXTAREA' || tag === 'INPUT' || tag === 'SELECT') {
      if (ev.key === 'Escape') ev.target.blur();
      return;
    }
    if (ev.key === 'j') move(1);
    else if (ev.key === 'k') move(-1);
    else if (ev.key === 'r' && state.openId) { ev.preventDefault(); $('reply-body').focus(); }
    else if (ev.key === 'e' && state.openId && !$('resolve-btn').hidden) patch({ status: 'resolved' });
    else if (ev.key === '/') { ev.preventDefault(); $('filter-q').focus(); }
  });
  onSessionExpired(() => saveDraft());
}

let reload = null;
/** refresh re-reads the list soon (changes come in bursts: one read for
 * a burst), and the open conversation when it changed. by names what
 * asked, on body[data-refreshed-by]. */
function refresh(by, ids) {
  if (state.openId && (!ids || ids.includes(state.openId))) state.detail = { ...state.detail, updated_at: null };
  clearTimeout(reload);
  reload = setTimeout(() => {
    loadList().then(() => { document.body.dataset.refreshedBy = by; }).catch(() => {});
  }, 150);
}

/** live keeps the change stream open: each stream ends after a while and
 * is reopened at once; after a failure it is retried with a growing wait,
 * and the list is polled meanwhile (body[data-live] says which). Once
 * access has ended (a 401 or 403, on opening or as a "revoked" event) it
 * stops, and so does polling (body[data-live="ended"]): a 401 has sent the
 * visitor to log in. */
async function live() {
  let wait = 1000;
  for (;;) {
    let ready = false;
    try {
      await apiEvents('/conversations/changes', (name, data) => {
        if (name === 'ready') {
          ready = state.live = true;
          wait = 1000;
          document.body.dataset.live = 'stream';
          refresh('stream-ready');
        } else if (name === 'change') {
          refresh('stream', data.all ? null : data.conversation_ids);
        }
      });
      if (!ready) throw new Error('the stream ended before it was ready');
      // it ended as streams do: reopen it at once, still live meanwhile
    } catch (err) {
      state.live = false;
      if (err.status === 401 || err.status === 403) {
        state.ended = true;
        document.body.dataset.live = 'ended';
        return;
      }
      document.body.dataset.live = 'poll';
      await new Promise(r => setTimeout(r, wait));
      wait = Math.min(wait * 2, RETRY_MAX_MS);
    }
  }
}

// notFound replaces the inbox with the 404 view: the conversation in the
// URL does not exist in this workspace (another workspace's id is the same
// 404 from the API, which says nothing of whether it exists elsewhere).
function notFound() {
  document.querySelector('main.inbox').hidden = true;
  $('not-found-view').hidden = false;
  document.title = t('title.notfound') + ' · deskpool';
}

async function main() {
  for (const sel of [$('filter-intent'), $('correct-intent')]) {
    sel.append(...INTENTS.map(i => el('option', { value: i }, intentLabel(i))));
  }
  wire();
  state.me = await shell();
  state.tz = await timeZone();
  try {
    state.agents = await agents();
    $('assign-select').append(...state.agents.map(a => el('option', { value: a.user_id }, a.name || a.email)));
  } catch { /* assigning needs members to list */ }
  try {
    state.saved = (await api('GET', '/saved-replies?limit=200')).data;
  } catch { /* a role that cannot read them has no picker */ }
  savedOptions('en');
  await loadList();
  const want = new URLSearchParams(location.search).get('c');
  if (want) await openConversation(want, false).catch(err => {
    if (err.status === 404) return notFound();
    $('conv-none').textContent = err.message;
  });
  document.body.dataset.ready = '1';
  live();
  setInterval(() => { if (!state.live && !state.ended) loadList().then(() => { document.body.dataset.refreshedBy = 'poll'; }).catch(() => {}); }, POLL_MS);
  setInterval(() => { tick(); }, 1000);
}

main();

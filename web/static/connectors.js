// Settings' shop connectors: the list (status, the first sync's progress,
// what was synced, the last error) and, for owners and admins (the API's
// connectors:write), the form that connects a Shopify or WooCommerce shop
// with POST /v1/connectors, and per row sync now, disable or enable,
// update credentials (PATCH) and remove (DELETE). Credentials go to the
// API and are never shown again: the form is emptied once they are sent.
import { api, t, el, label, fmtTime, showErrors, clearErrors } from './common.js';

const $ = (id) => document.getElementById(id);
const SHOP_KINDS = ['shopify', 'woocommerce'];
let redraw = null; // re-reads the list while a first sync runs

/** drawConnectors lists the workspace's connectors; manage adds each
 * row's actions; reload draws the list again (through the page's section
 * helper); while a shop's first sync runs the list is read again every 3 s. */
export async function drawConnectors({ tz, manage, reload }) {
  const page = await api('GET', '/connectors?limit=100');
  clearTimeout(redraw);
  if (page.data.some(c => SHOP_KINDS.includes(c.kind) && !c.backfill.completed_at && ['active', 'syncing'].includes(c.status))) {
    redraw = setTimeout(reload, 3000);
  }
  if (!page.data.length) {
    $('connectors-rows').replaceChildren(el('tr', {}, el('td', { colspan: 6, class: 'muted' }, '—')));
    return;
  }
  $('connectors-rows').replaceChildren(...page.data.map(c => {
    const b = c.backfill;
    const progress = b.completed_at ? el('span', {}, '✓ ', fmtTime(b.completed_at, tz))
      : el('span', {}, b.percent !== null ? el('progress', { max: 100, value: Math.round(b.percent) }) : null, ' ',
        b.total !== null ? `${b.done} / ${b.total}` : String(b.done));
    const synced = el('td', {}, c.last_sync_at ? fmtTime(c.last_sync_at, tz) : t('set.never'),
      c.next_sync_at ? el('div', { class: 'muted' }, t('set.next_sync', { at: fmtTime(c.next_sync_at, tz) })) : null,
      el('div', { class: 'muted' }, t('set.orders_stock', { orders: c.counts.orders, stock: c.counts.stock_levels })));
    const error = el('td', { class: c.last_error ? 'error-text' : '' }, c.last_error || '',
      c.failing_since ? el('div', { class: 'muted' }, t('set.failing_since', { at: fmtTime(c.failing_since, tz) })) : null);
    const name = el('td', {}, c.name, ' ', el('span', { class: 'muted' }, c.kind),
      c.base_url ? el('div', { class: 'muted' }, c.base_url) : null,
      c.webhook_path && manage ? el('div', { class: 'muted connector-webhook' }, t('set.connector_webhook_url', { url: location.origin + c.webhook_path })) : null);
    return el('tr', { dataset: { id: c.id, status: c.status } }, name,
      el('td', {}, el('span', { class: 'badge conn-' + c.status }, label('connector.', c.status))),
      el('td', {}, progress), synced, error, el('td', {}, ...(manage ? rowActions(c, error, reload) : [])));
  }));
}

/** rowActions are a connector's buttons; a refusal shows in its error cell. */
function rowActions(c, error, reload) {
  const act = async (method, path, body) => {
    try { await api(method, path, body); } catch (err) { error.textContent = err.message; return; }
    reload();
  };
  const button = (cls, key, fn) => {
    const b = el('button', { type: 'button', class: 'secondary ' + cls }, t(key));
    b.addEventListener('click', fn);
    return b;
  };
  const shop = SHOP_KINDS.includes(c.kind);
  const disabled = c.status === 'disabled';
  const sync = button('connector-sync', 'set.sync_now', () => act('POST', `/connectors/${c.id}/sync`));
  sync.disabled = !shop || disabled;
  const out = [sync, ' ',
    button('connector-toggle', disabled ? 'set.connector_enable' : 'set.connector_disable', () => act('PATCH', '/connectors/' + c.id, { enabled: disabled }))];
  if (shop) out.push(' ', button('connector-edit', 'set.connector_update', () => editConnector(c)));
  out.push(' ', button('connector-remove', 'set.remove', () => {
    if (confirm(t('set.connector_remove_confirm', { name: c.name }))) act('DELETE', '/connectors/' + c.id);
  }));
  return out;
}

/** showKind shows the fields and help of the chosen platform alone. */
function showKind(form) {
  const kind = form.elements.kind.value;
  form.querySelectorAll('[data-kind]').forEach(e => { e.hidden = e.dataset.kind !== kind; });
}

/** shopURL reads what the owner typed as the shop's address: a bare host
 * (my-shop.myshopify.com) is taken as https. */
function shopURL(v) {
  v = v.trim();
  return v && !v.includes('://') ? 'https://' + v : v;
}

function editConnector(c) {
  const f = $('connector-form');
  resetForm();
  f.dataset.id = c.id;
  f.elements.kind.value = c.kind;
  f.elements.kind.disabled = true;
  f.elements.name.value = c.name;
  f.elements.base_url.value = c.base_url || '';
  showKind(f);
  $('connector-form-title').textContent = t('set.connector_edit', { name: c.name });
  $('connector-submit').textContent = t('set.save');
  $('connector-cancel').hidden = false;
  f.scrollIntoView();
}

function resetForm() {
  const f = $('connector-form');
  f.reset();
  delete f.dataset.id;
  f.elements.kind.disabled = false;
  clearErrors(f);
  showKind(f);
  $('connector-form-title').textContent = t('set.connector_new');
  $('connector-submit').textContent = t('set.connector_create');
  $('connector-cancel').hidden = true;
}

/** saveConnector sends the form: a new connector (POST), or, editing one,
 * its name, address and the credentials typed (PATCH; an empty one keeps
 * the stored value). */
async function saveConnector(f) {
  const e = f.elements;
  const kind = e.kind.value;
  const credentials = {};
  const fields = kind === 'shopify' ? ['access_token', 'webhook_secret'] : ['consumer_key', 'consumer_secret', 'webhook_secret'];
  for (const k of fields) if (e[k].value.trim()) credentials[k] = e[k].value.trim();
  const body = { name: e.name.value, base_url: shopURL(e.base_url.value) };
  if (f.dataset.id) {
    if (Object.keys(credentials).length) body.credentials = credentials;
    return api('PATCH', '/connectors/' + f.dataset.id, body);
  }
  return api('POST', '/connectors', { kind, ...body, credentials });
}

/** connectorForm shows the form to those who may connect a shop and wires
 * it: the API's field errors beside the fields, a plan's refusal under
 * the form, and on success the form emptied and the list drawn again. */
export function connectorForm({ manage, reload }) {
  $('connector-editor').hidden = !manage;
  if (!manage) return;
  const f = $('connector-form');
  showKind(f);
  f.addEventListener('change', (ev) => { if (ev.target.name === 'kind') { clearErrors(f); showKind(f); } });
  $('connector-cancel').addEventListener('click', resetForm);
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(f);
    $('connector-saved').hidden = true;
    try {
      const editing = !!f.dataset.id;
      const c = await saveConnector(f);
      resetForm();
      $('connector-saved').textContent = t(editing ? 'set.connector_updated' : 'set.connector_created', { name: c.name });
      $('connector-saved').hidden = false;
      await reload();
    } catch (err) { showErrors(f, err); }
  });
  $('connector-submit').disabled = false; // disabled in the page until wired, so nothing goes in a URL
}

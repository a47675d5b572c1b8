// The dashboard: one GET /v1/metrics for the chosen range, with a series
// by day (or by hour for a range of up to two days) in the workspace's
// time zone: each metric as a figure and a chart over time; the series
// export as CSV. The metric definitions are the API's (sla/measures.go).
import { api, t, el, fmtDuration, timeZone, shell, locale, intentLabel, agents } from './common.js';
import { draw } from './chart.js';

const $ = (id) => document.getElementById(id);
const DAY = 86400000;
let report = null;

/** offset is tz's offset from UTC at instant ms, in ms. */
function offset(ms, tz) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23',
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
    .formatToParts(new Date(ms)).map(p => [p.type, p.value]));
  return Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second) - Math.floor(ms / 1000) * 1000;
}

/** startOf is the instant the date 'YYYY-MM-DD' begins in tz. */
function startOf(date, tz) {
  const [y, m, d] = date.split('-').map(Number);
  const guess = Date.UTC(y, m - 1, d);
  return guess - offset(guess - offset(guess, tz), tz);
}

/** dateIn is the date 'YYYY-MM-DD' instant ms falls on in tz. */
const dateIn = (ms, tz) => new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
/** now rounds the clock up to the whole second iso keeps: this second's conversations count. */
const now = () => Math.ceil(Date.now() / 1000) * 1000;
const pct = (v) => (v === null || v === undefined ? '—' : Math.round(v * 1000) / 10 + '%');
const score = (v) => (v === null || v === undefined ? '—' : v.toFixed(2));
const nps = (v) => (v === null || v === undefined ? '—' : String(Math.round(v)));
/** rate is a share, or null when nothing was counted under it. */
const rate = (v, of) => (of > 0 ? v : null);

// The figures and their charts, in the order shown: key names the
// figure (data-metric), its label (dash.<key>) and its chart (chart-<key>).
const METRICS = [
  { key: 'conversations', chart: 'volume', kind: 'bar', value: m => m.conversations, fmt: String, step: 1, sub: m => t('dash.resolved_n', { n: m.resolved }) },
  { key: 'frt', value: m => m.first_response.p50_seconds, fmt: fmtDuration, step: 1, sub: m => 'p90 ' + fmtDuration(m.first_response.p90_seconds) },
  { key: 'aht', value: m => m.handle.average_seconds, fmt: fmtDuration, step: 1, sub: m => 'p50 ' + fmtDuration(m.handle.p50_seconds) },
  { key: 'resolution', value: m => m.resolution.p50_seconds, fmt: fmtDuration, step: 1, sub: m => t('dash.avg') + ' ' + fmtDuration(m.resolution.average_seconds) },
  { key: 'fcr', value: m => rate(m.fcr_rate, m.resolved), fmt: pct, sub: m => `${m.first_contact_resolved} / ${m.resolved}` },
  { key: 'escalation', value: m => rate(m.escalation_rate, m.conversations), fmt: pct },
  { key: 'ai', value: m => rate(m.ai_resolved_rate, m.conversations), fmt: pct, sub: (m, r) => t('dash.ceiling_n', { n: pct(r.deflection_ceiling) }), ref: r => r.deflection_ceiling },
  { key: 'human', value: m => rate(m.human_intervention_rate, m.conversations), fmt: pct },
  { key: 'csat', value: m => m.csat.average, fmt: score, sub: m => t('dash.responses_n', { n: m.csat.responses }) },
  { key: 'qa', value: m => m.qa.average, fmt: score, sub: m => t('dash.reviews_n', { n: m.qa.reviews }) },
  { key: 'nps', value: m => m.nps.score, fmt: nps, step: 1, sub: m => t('dash.nps_n', { n: m.nps.responses }) },
  { key: 'breach', value: m => rate(m.breach_rate, m.conversations), fmt: pct, sub: m => t('dash.breached_n', { n: m.breached }) },
];

function figure(key, value, sub) {
  return el('div', { class: 'figure', dataset: { metric: key } }, el('div', { class: 'fig-label' }, t('dash.' + key)),
    el('div', { class: 'fig-value' }, value), sub ? el('div', { class: 'fig-sub muted' }, sub) : null);
}

/** range reads the form: [from, to) in ms and the bucket. */
function range(tz) {
  const f = $('range').elements;
  let from, to;
  if (f.days.value === 'custom') {
    from = startOf(f.from.value, tz);
    to = Math.min(startOf(dateIn(startOf(f.to.value, tz) + DAY + 3 * 3600000, tz), tz), now());
  } else {
    to = now();
    from = startOf(dateIn(to - (+f.days.value - 1) * DAY, tz), tz);
    f.from.value = dateIn(from, tz);
    f.to.value = dateIn(to, tz);
  }
  return { from, to, bucket: to - from <= 2 * DAY ? 'hour' : 'day' };
}

let nameOf = null;
/** agentNames maps the workspace's agents' ids to their names (else
 * emails), read once: the metrics name agents by id only. A page that
 * cannot read them shows the ids' first digits. */
async function agentNames() {
  if (!nameOf) {
    try {
      nameOf = new Map((await agents()).map(a => [a.user_id, a.name || a.email]));
    } catch {
      return new Map();
    }
  }
  return nameOf;
}

async function load() {
  const tz = await timeZone();
  const { from, to, bucket } = range(tz);
  if (!(to > from)) return;
  const r = await api('GET', `/metrics?from=${iso(from)}&to=${iso(to)}&bucket=${bucket}&tz=${encodeURIComponent(tz)}`);
  report = r;
  $('figures').replaceChildren(...METRICS.map(d => figure(d.key, d.fmt(d.value(r)), d.sub ? d.sub(r, r) : null)));

  const label = new Intl.DateTimeFormat(locale, bucket === 'hour'
    ? { timeZone: tz, day: 'numeric', hour: 'numeric' } : { timeZone: tz, month: 'numeric', day: 'numeric' });
  const per = t(bucket === 'hour' ? 'dash.by_hour' : 'dash.by_day');
  $('charts').replaceChildren(...METRICS.map(d => {
    const host = el('div', { class: 'chart', id: 'chart-' + (d.chart || d.key) });
    draw(host, d.kind || 'line', r.series.map(p => ({ label: label.format(new Date(p.start)), value: d.value(p) })), d.fmt,
      { ref: d.ref ? d.ref(r) : undefined, step: d.step });
    return el('figure', {}, el('figcaption', {}, `${t('dash.' + d.key)} · ${per}`), host);
  }));
  draw($('chart-intents'), 'bar', r.top_intents.map(i => ({ label: intentLabel(i.intent), value: i.conversations })), String, { step: 1 });
  const names = await agentNames();
  draw($('chart-agents'), 'bar', r.by_agent.map(g => ({ label: g.id ? names.get(g.id) || g.id.slice(0, 8) : t('filter.unassigned'), value: g.conversations })), String, { step: 1 });
  $('flagged').replaceChildren(...(r.flagged_scenarios.length
    ? r.flagged_scenarios.map(s => el('li', {}, t('dash.flagged_row', { name: s.name, share: pct(s.human_share), n: s.conversations })))
    : [el('li', { class: 'muted' }, t('dash.flagged_none'))]));
  document.body.dataset.ready = '1';
}

function exportCSV() {
  if (!report) return;
  const head = ['start', 'end', 'conversations', 'resolved', 'frt_p50_seconds', 'frt_p90_seconds', 'handle_average_seconds',
    'resolution_p50_seconds', 'fcr_rate', 'escalation_rate', 'ai_resolved_rate', 'deflection_ceiling', 'human_intervention_rate',
    'breach_rate', 'csat_average', 'csat_responses', 'nps_score', 'nps_responses', 'qa_average', 'qa_reviews'];
  const v = (x) => (x === null || x === undefined ? '' : x);
  const rows = report.series.map(p => [p.start, p.end, p.conversations, p.resolved, v(p.first_response.p50_seconds), v(p.first_response.p90_seconds),
    v(p.handle.average_seconds), v(p.resolution.p50_seconds), p.fcr_rate, p.escalation_rate, p.ai_resolved_rate, report.deflection_ceiling,
    p.human_intervention_rate, p.breach_rate, v(p.csat.average), p.csat.responses, v(p.nps.score), p.nps.responses, v(p.qa.average), p.qa.reviews]);
  const blob = new Blob([[head, ...rows].map(r => r.join(',')).join('\n') + '\n'], { type: 'text/csv' });
  const a = el('a', { href: URL.createObjectURL(blob), download: 'deskpool-metrics.csv' });
  document.body.append(a);
  a.click();
  a.remove();
}

$('range').addEventListener('change', (e) => {
  if (e.target.type === 'date') $('range').elements.days.value = 'custom';
  load();
});
$('csv').addEventListener('click', exportCSV);
shell().then(load);

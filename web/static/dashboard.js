// The dashboard: GET /v1/metrics for the chosen range as figures, and the
// same report day by day (one call per day of the workspace's calendar)
// drawn as charts; the series export as CSV.
import { api, t, el, fmtDuration, timeZone, shell, locale } from './common.js';
import { draw } from './chart.js';

const $ = (id) => document.getElementById(id);
let series = [];

/** offset is tz's offset from UTC at instant ms, in ms. */
function offset(ms, tz) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23',
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
    .formatToParts(new Date(ms)).map(p => [p.type, p.value]));
  return Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second) - Math.floor(ms / 1000) * 1000;
}

/** midnight is the start, in tz, of the day daysAgo days before today. */
function midnight(daysAgo, tz) {
  const now = Date.now();
  const local = new Date(now + offset(now, tz));
  const guess = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() - daysAgo);
  let at = guess - offset(guess, tz);
  at = guess - offset(at, tz);
  return at;
}

const pct = (v) => (v === null || v === undefined ? '—' : Math.round(v * 1000) / 10 + '%');

function figure(key, value, sub) {
  return el('div', { class: 'figure', dataset: { metric: key } }, el('div', { class: 'fig-label' }, t('dash.' + key)),
    el('div', { class: 'fig-value' }, value), sub ? el('div', { class: 'fig-sub muted' }, sub) : null);
}

async function load() {
  const days = +$('range').elements.days.value;
  const tz = await timeZone();
  const from = midnight(days - 1, tz), to = Date.now();
  const total = await api('GET', `/metrics?from=${new Date(from).toISOString().replace(/\.\d+Z$/, 'Z')}&to=${new Date(to).toISOString().replace(/\.\d+Z$/, 'Z')}`);
  $('figures').replaceChildren(
    figure('conversations', String(total.conversations), t('dash.resolved_n', { n: total.resolved })),
    figure('frt', fmtDuration(total.first_response.p50_seconds), 'p90 ' + fmtDuration(total.first_response.p90_seconds)),
    figure('resolution', fmtDuration(total.resolution.p50_seconds), t('dash.avg') + ' ' + fmtDuration(total.resolution.average_seconds)),
    figure('breach', pct(total.breach_rate), t('dash.breached_n', { n: total.breached })),
    figure('escalation', pct(total.escalation_rate)),
    figure('csat', total.csat.average === null ? '—' : total.csat.average.toFixed(2), t('dash.responses_n', { n: total.csat.responses })));

  const dayFmt = new Intl.DateTimeFormat(locale, { timeZone: tz, month: 'numeric', day: 'numeric' });
  const calls = [];
  for (let i = days - 1; i >= 0; i--) {
    const a = midnight(i, tz), b = i === 0 ? to : midnight(i - 1, tz);
    calls.push(api('GET', `/metrics?from=${new Date(a).toISOString().replace(/\.\d+Z$/, 'Z')}&to=${new Date(b).toISOString().replace(/\.\d+Z$/, 'Z')}`)
      .then(r => ({ day: new Date(a).toISOString(), label: dayFmt.format(new Date(a)), r })));
  }
  series = await Promise.all(calls);
  draw($('chart-volume'), 'bar', series.map(s => ({ label: s.label, value: s.r.conversations })));
  draw($('chart-frt'), 'line', series.map(s => ({ label: s.label, value: s.r.first_response.p50_seconds })), fmtDuration);
  draw($('chart-breach'), 'line', series.map(s => ({ label: s.label, value: s.r.breach_rate })), pct);
  draw($('chart-agents'), 'bar', total.by_agent.map(g => ({ label: g.name || (g.id ? g.id.slice(0, 8) : t('filter.unassigned')), value: g.conversations })));
  document.body.dataset.ready = '1';
}

function exportCSV() {
  const head = ['day', 'conversations', 'resolved', 'frt_p50_seconds', 'frt_p90_seconds', 'resolution_p50_seconds', 'breach_rate', 'escalation_rate', 'csat_average', 'csat_responses'];
  const rows = series.map(s => [s.day, s.r.conversations, s.r.resolved, s.r.first_response.p50_seconds ?? '', s.r.first_response.p90_seconds ?? '',
    s.r.resolution.p50_seconds ?? '', s.r.breach_rate, s.r.escalation_rate, s.r.csat.average ?? '', s.r.csat.responses]);
  const blob = new Blob([[head, ...rows].map(r => r.join(',')).join('\n') + '\n'], { type: 'text/csv' });
  const a = el('a', { href: URL.createObjectURL(blob), download: 'deskpool-metrics.csv' });
  document.body.append(a);
  a.click();
  a.remove();
}

$('range').addEventListener('change', () => load());
$('csv').addEventListener('click', exportCSV);
shell().then(load);

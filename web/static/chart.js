// Small SVG charts drawn in the page (no library, no inline style, so the
// Content-Security-Policy stays strict): bars and a line over labelled
// points, with the value of each point in its <title> for hover.
const NS = 'http://www.w3.org/2000/svg';

function svgEl(tag, attrs = {}, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** fitted is an axis label cut short, with an ellipsis, to fit width
 * (the whole label in its <title>), so that long names such as intents
 * do not run into each other. A CJK character counts twice. */
function fitted(label, width, attrs) {
  const text = String(label);
  const budget = Math.max(3, Math.floor(width / 6.2));
  let used = 0, cut = text.length;
  for (let i = 0; i < text.length; i++) {
    used += /[\u2e80-\u9fff\uac00-\ud7af\uff00-\uffef]/.test(text[i]) ? 2 : 1;
    if (used > budget) { cut = i; break; }
  }
  const e = svgEl('text', attrs, cut < text.length ? text.slice(0, Math.max(1, cut - 1)) + '…' : text);
  if (cut < text.length) e.append(svgEl('title', {}, text));
  return e;
}

/** draw renders points [{label, value}] into host as 'bar' or 'line';
 * fmt formats a value for the axis and the hover title; opts.ref draws a
 * dashed reference line at that value (a ceiling, a target); opts.step is
 * the smallest step between the axis's labels (1 for counts and seconds).
 * Negative values (NPS) extend the axis below zero. */
export function draw(host, kind, points, fmt = String, opts = {}) {
  const W = 420, H = 180, L = 48, R = 18, T = 10, B = 28;
  const svg = svgEl('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart-svg', role: 'img', 'data-kind': kind, 'data-points': points.length });
  const values = points.map(p => p.value ?? 0).concat(opts.ref ?? []);
  let max = niceMax(Math.max(0, ...values));
  const lowest = Math.min(0, ...values);
  let min = lowest < 0 ? -niceMax(-lowest) : 0;
  if (opts.step > 0) {
    // A value counted in whole units (conversations, seconds) has axis
    // steps of whole units, or its labels would repeat (0s 0s 1s 1s).
    const top = max;
    let tick = Math.ceil((max - min) / 4 / opts.step) * opts.step;
    for (;;) {
      min = lowest < 0 ? -Math.ceil(-lowest / tick) * tick : 0;
      max = min + 4 * tick;
      if (max >= top) break;
      tick += opts.step;
    }
  }
  const x = (i) => L + (W - L - R) * (points.length === 1 ? 0.5 : i / (points.length - 1));
  const y = (v) => T + (H - T - B) * (1 - ((v ?? 0) - min) / (max - min));
  for (let k = 0; k <= 4; k++) {
    const v = min + ((max - min) * k) / 4;
    svg.append(svgEl('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: 'grid' }));
    svg.append(svgEl('text', { x: L - 4, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, fmt(v)));
  }
  if (opts.ref !== undefined && opts.ref !== null) {
    const ref = svgEl('line', { x1: L, x2: W - R, y1: y(opts.ref), y2: y(opts.ref), class: 'ref' });
    ref.append(svgEl('title', {}, fmt(opts.ref)));
    svg.append(ref);
  }
  const every = Math.ceil(points.length / 8);
  if (kind === 'bar') {
    const bw = Math.max(2, ((W - L - R) / Math.max(1, points.length)) * 0.7);
    points.forEach((p, i) => {
      const cx = L + ((W - L - R) * (i + 0.5)) / points.length;
      const bar = svgEl('rect', { x: cx - bw / 2, y: y(p.value), width: bw, height: Math.max(0, y(0) - y(p.value)), class: 'bar' });
      bar.append(svgEl('title', {}, `${p.label}: ${fmt(p.value ?? 0)}`));
      svg.append(bar);
      if (i % every === 0) svg.append(fitted(p.label, (W - L - R) / points.length, { x: cx, y: H - 8, class: 'axis', 'text-anchor': 'middle' }));
    });
  } else {
    const known = points.map((p, i) => [i, p.value]).filter(([, v]) => v !== null && v !== undefined);
    if (known.length) {
      svg.append(svgEl('polyline', { points: known.map(([i, v]) => `${x(i)},${y(v)}`).join(' '), class: 'line' }));
    }
    for (const [i, v] of known) {
      const dot = svgEl('circle', { cx: x(i), cy: y(v), r: 3, class: 'dot' });
      dot.append(svgEl('title', {}, `${points[i].label}: ${fmt(v)}`));
      svg.append(dot);
    }
    points.forEach((p, i) => {
      if (i % every === 0) svg.append(svgEl('text', { x: x(i), y: H - 8, class: 'axis', 'text-anchor': 'middle' }, p.label));
    });
  }
  host.replaceChildren(svg);
}

// The quality-review queue: the sampled resolved conversations (GET
// /v1/reviews), each with a short form scoring accuracy, empathy and
// resolution from 1 to 5 (PUT /v1/reviews/{id}); the API's field errors
// show beside the fields.
import { api, t, el, fmtTime, timeZone, shell, showErrors, clearErrors, intentLabel } from './common.js';

const $ = (id) => document.getElementById(id);
const SCORES = ['accuracy', 'empathy', 'resolution'];

function scoreField(name, value) {
  const select = el('select', { name }, ...[1, 2, 3, 4, 5].map(n => el('option', { value: n, selected: n === value }, String(n))));
  return el('label', {}, t('review.' + name), ' ', select, el('span', { class: 'field-error', dataset: { for: name } }));
}

function item(it, tz) {
  const r = it.review;
  const form = el('form', { class: 'inline review-form', dataset: { id: it.conversation_id } },
    ...SCORES.map(s => scoreField(s, r ? r[s] : 3)),
    el('label', {}, t('review.comment'), ' ', el('input', { name: 'comment', value: r ? r.comment : '', maxlength: 2000 })),
    el('button', { type: 'submit' }, t('review.save')), el('span', { class: 'saved muted' }), el('span', { class: 'form-error' }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const f = form.elements;
    try {
      await api('PUT', `/reviews/${it.conversation_id}`, { accuracy: +f.accuracy.value, empathy: +f.empathy.value,
        resolution: +f.resolution.value, comment: f.comment.value });
      form.querySelector('.saved').textContent = t('review.saved');
      form.closest('li').dataset.reviewed = '1';
    } catch (err) {
      showErrors(form, err);
    }
  });
  return el('li', { class: 'review-item', dataset: { id: it.conversation_id } },
    el('div', {}, el('a', { href: '/app/inbox?c=' + encodeURIComponent(it.conversation_id) }, it.subject || t('review.open')), ' ',
      el('span', { class: 'badge' }, intentLabel(it.intent)), ' ', el('span', { class: 'muted' }, `${t('review.resolved_at')} ${fmtTime(it.resolved_at, tz)}`)),
    form);
}

async function load() {
  const tz = await timeZone();
  const status = $('review-tabs').elements.status.value;
  const page = await api('GET', `/reviews?status=${status}&limit=50`);
  $('review-list').replaceChildren(...page.data.map(it => item(it, tz)));
  $('review-empty').hidden = page.data.length > 0;
  document.body.dataset.ready = '1';
}

$('review-tabs').addEventListener('change', load);
shell().then(load);

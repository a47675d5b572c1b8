// The page a person is sent to when their workspace requires two-step
// sign-in and their account has none (the API answers everything else
// with a two-factor-setup-required problem): it says which workspace
// requires it and walks them through turning it on, as settings' "Your
// account" does (password, then the QR code and the app's first code),
// then shows the recovery codes once and the way on.
import { api, t, el, shell, showErrors, clearErrors } from './common.js';

const $ = (id) => document.getElementById(id);

function onSubmit(id, fn) {
  const form = $(id);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    try { await fn(form.elements); form.reset(); } catch (err) { showErrors(form, err); }
  });
}

async function main() {
  const me = await shell();
  const needed = me.tenant?.require_two_factor === true && me.user?.two_factor_enabled === false;
  $('tfa-lead').textContent = t('tfa.lead', { workspace: me.tenant?.name || '' });
  $('tfa-lead').hidden = !needed; // it says the workspace holds them back until they set it up
  $('tfa-not-needed').hidden = needed;
  $('tfa-continue').hidden = needed;
  $('two-factor-start').hidden = !needed;
  onSubmit('two-factor-start', async (f) => {
    const r = await api('POST', '/me/two-factor', { current_password: f.current_password.value });
    $('two-factor-qr').src = r.qr_code;
    $('two-factor-uri').textContent = r.otpauth_uri;
    $('two-factor-secret').textContent = r.secret;
    $('two-factor-setup').hidden = false;
  });
  onSubmit('two-factor-confirm', async (f) => {
    const r = await api('POST', '/me/two-factor/confirm', { code: f.code.value });
    $('two-factor-start').hidden = true;
    $('two-factor-setup').hidden = true;
    $('two-factor-code-list').replaceChildren(...r.recovery_codes.map(c => el('li', {}, el('code', {}, c))));
    $('two-factor-codes').hidden = false;
    $('tfa-continue').hidden = false;
  });
  document.body.dataset.ready = '1';
}

main();

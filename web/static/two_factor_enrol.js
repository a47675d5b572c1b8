// Turning two-step sign-in on, as settings' "Your account" and the page a
// workspace that requires it sends a person to both do: the password, then
// the QR code (with its otpauth:// URI and the secret as text) and the
// app's first code, then the recovery codes, shown this once. Both pages
// hold the same forms (the "twofactorenrol" template).
import { api, el, showErrors, clearErrors } from './common.js';

const $ = (id) => document.getElementById(id);

/** onSubmit wires a form to fn: its errors shown beside its fields, the
 * form emptied after success. A form holding a password comes with its
 * button disabled, as the sign-in pages' do (submitted by the browser
 * before now, it would put the password in the URL): it is enabled here. */
export function onSubmit(id, fn) {
  const form = $(id);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    try { await fn(form.elements); form.reset(); } catch (err) { showErrors(form, err); }
  });
  for (const b of form.querySelectorAll('button[type=submit]')) b.disabled = false;
}

/** enrolTwoFactor wires the enrolment's two forms; onConfirmed runs once
 * two-step is on and the recovery codes are shown. */
export function enrolTwoFactor(onConfirmed) {
  onSubmit('two-factor-start', async (f) => {
    const r = await api('POST', '/me/two-factor', { current_password: f.current_password.value });
    $('two-factor-qr').src = r.qr_code;
    $('two-factor-uri').textContent = r.otpauth_uri;
    $('two-factor-secret').textContent = r.secret;
    $('two-factor-codes').hidden = true;
    $('two-factor-setup').hidden = false;
  });
  onSubmit('two-factor-confirm', async (f) => {
    const r = await api('POST', '/me/two-factor/confirm', { code: f.code.value });
    $('two-factor-setup').hidden = true;
    $('two-factor-code-list').replaceChildren(...r.recovery_codes.map(c => el('li', {}, el('code', {}, c))));
    $('two-factor-codes').hidden = false;
    onConfirmed();
  });
}

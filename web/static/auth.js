// Signup, login and invitation acceptance: each form posts to the API
// asking for the session in cookies (X-Session-Cookie), so the token never
// reaches this script, then goes on to the app.
import { api, t, showErrors, clearErrors } from './common.js';

// wire posts form's fields (names, or functions of the form giving
// several) to path(); refused(form, err) may take a refusal over
// (returning true) before its errors are shown. The page holds the
// form's button disabled until then: submitted by the browser itself,
// before this script has run, the form would put its fields, the
// password too, in the URL.
function wire(id, path, fields, done, refused) {
  const form = document.getElementById(id);
  if (!form) return;
  const btn = form.querySelector('button[type=submit]');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const body = {};
    for (const f of fields) {
      if (typeof f === 'function') { Object.assign(body, f(form)); continue; }
      const v = form.elements[f].value;
      if (v !== '' || f === 'password' || f === 'email') body[f] = v;
    }
    btn.disabled = true;
    try {
      await api('POST', path(), body, { 'X-Session-Cookie': '1' });
      if (done) return done(form);
      sessionStorage.removeItem('dp_tz'); // the workspace may differ; unsent reply drafts stay
      location.assign(form.dataset.next || '/app/inbox');
    } catch (err) {
      if (!refused || !refused(form, err)) showErrors(form, err);
    } finally {
      btn.disabled = false;
    }
  });
  btn.disabled = false;
}

// Two-step sign-in: a right password of an account with it on answers a
// 401 whose two_factor holds a challenge; the page then asks for the
// authenticator app's code (or a recovery code) and completes the login
// with it. A challenge used up or expired goes back to the password.
let challenge = '';
const twoFactor = document.getElementById('two-factor-form');
wire('login-form', () => '/auth/login', ['email', 'password', 'workspace'], null, (form, err) => {
  if (!err.problem?.two_factor) return false;
  challenge = err.problem.two_factor.challenge;
  form.hidden = true;
  twoFactor.hidden = false;
  twoFactor.elements.code.focus();
  return true;
});
wire('two-factor-form', () => '/auth/login/two-factor', [(form) => {
  const recovery = !document.getElementById('two-factor-recovery').hidden;
  return recovery ? { challenge, recovery_code: form.elements.recovery_code.value } : { challenge, code: form.elements.code.value };
}], null, (form, err) => {
  if (!err.problem?.errors?.some(e => e.field === 'challenge')) return false;
  const login = document.getElementById('login-form');
  form.hidden = true;
  login.hidden = false;
  login.querySelector('.form-error').textContent = err.message;
  return true;
});
document.getElementById('two-factor-switch')?.addEventListener('click', (ev) => {
  ev.preventDefault();
  const code = document.getElementById('two-factor-code'), recovery = document.getElementById('two-factor-recovery');
  code.hidden = !code.hidden;
  recovery.hidden = !recovery.hidden;
  ev.target.textContent = t(recovery.hidden ? 'login.use_recovery' : 'login.use_code');
});
wire('signup-form', () => '/signup', ['brand_name', 'name', 'email', 'password']);
// An account with two-step sign-in joins with its code (or a recovery
// code) too: the field shows when the answer asks for it.
const inviteCode = document.getElementById('invite-code');
wire('invite-form', () => '/invitations/' + encodeURIComponent(location.pathname.split('/').pop()) + '/accept', ['name', 'password', (form) => {
  const v = form.elements.code.value.trim();
  if (inviteCode.hidden || v === '') return {};
  return /^[0-9 ]+$/.test(v) ? { code: v } : { recovery_code: v };
}], null, (form, err) => {
  if (err.problem?.errors?.some(e => e.field === 'code' || e.field === 'recovery_code')) inviteCode.hidden = false;
  return false;
});

// Password reset: asking always answers the same (the page says a link is
// on its way if an account has the email); the link's page sets the new
// password, then the visitor logs in with it.
wire('forgot-form', () => '/auth/password-reset', ['email'], (form) => {
  form.hidden = true;
  document.getElementById('forgot-sent').hidden = false;
});
wire('reset-form', () => '/auth/password-reset/' + encodeURIComponent(location.pathname.split('/').pop()), ['password'],
  (form) => location.assign(form.dataset.next));
if (new URLSearchParams(location.search).get('reset') === 'done') {
  const note = document.getElementById('reset-done');
  if (note) note.hidden = false;
}

// Email verification (and an email change, whose link opens the same
// page): opening the link's page confirms nothing (mail
// security scanners open links, scripts and all); the visitor confirms
// with the page's button, and the page says so. A used or expired link
// says that, with a button for a new link when the visitor is logged in
// (else a way to log in and ask there).
function verify(page) {
  const show = (id, on = true) => { document.getElementById(id).hidden = !on; };
  const token = location.pathname.split('/').pop();
  const confirm = document.getElementById('verify-confirm');
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    show('verify-working');
    try {
      const r = await api('POST', '/auth/verify-email/' + encodeURIComponent(token));
      document.getElementById('verify-email').textContent = r.user.email;
      // an email change's link: the address is now the one to sign in with
      if (r.changed_from) document.getElementById('verify-done-text').textContent = t('verify.changed');
      show('verify-ask', false);
      show('verify-done');
    } catch (err) {
      show('verify-ask', false);
      await failed(err);
    } finally {
      show('verify-working', false);
      confirm.disabled = false;
      page.dataset.confirmed = '1';
    }
  });
  async function failed(err) {
    document.getElementById('verify-error').textContent = err.message;
    show('verify-failed');
    let me = null;
    try { me = await api('GET', '/me'); } catch { /* not logged in */ }
    if (me?.user && me.user.email_verified === false) {
      show('verify-again');
      const btn = document.getElementById('verify-resend');
      btn.addEventListener('click', async () => {
        btn.disabled = true;
        const note = document.getElementById('verify-sent');
        try {
          await api('POST', '/auth/verify-email');
          note.textContent = t('verify.sent');
          show('verify-again', false);
        } catch (e) {
          note.textContent = e.message;
        } finally {
          btn.disabled = false;
        }
        show('verify-sent');
      });
    } else if (!me) {
      show('verify-login');
    }
  }
  page.dataset.ready = '1';
}
const verifyPage = document.getElementById('verify-page');
if (verifyPage) verify(verifyPage);

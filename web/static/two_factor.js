// The page a person is sent to when their workspace requires two-step
// sign-in and their account has none (the API answers everything else
// with a two-factor-setup-required problem): it says which workspace
// requires it and walks them through turning it on, as settings' "Your
// account" does (password, then the QR code and the app's first code),
// then shows the recovery codes once and the way on.
import { t, shell } from './common.js';
import { enrolTwoFactor } from './two_factor_enrol.js';

const $ = (id) => document.getElementById(id);

async function main() {
  const me = await shell();
  const needed = me.tenant?.require_two_factor === true && me.user?.two_factor_enabled === false;
  $('tfa-lead').textContent = t('tfa.lead', { workspace: me.tenant?.name || '' });
  $('tfa-lead').hidden = !needed; // it says the workspace holds them back until they set it up
  $('tfa-not-needed').hidden = needed;
  $('tfa-continue').hidden = needed;
  $('two-factor-start').hidden = !needed;
  enrolTwoFactor(() => {
    $('two-factor-start').hidden = true;
    $('tfa-continue').hidden = false;
  });
  document.body.dataset.ready = '1';
}

main();

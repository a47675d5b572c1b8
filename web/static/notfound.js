// The 404 page: only the top bar (who is signed in, logout) to fill.
import { shell } from './common.js';

shell().catch(() => {}).finally(() => { document.body.dataset.ready = '1'; });

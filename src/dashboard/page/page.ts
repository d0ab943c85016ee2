/**
 * The script of berth ui's page (compiled on its own with the DOM library; served as /assets/page.js).
 * The server renders every part; this swaps in the fresh ones it pushes, and drives the rollback and log filter.
 */
const token = document.querySelector<HTMLMetaElement>('meta[name="berth-token"]')?.content ?? '';
const env = document.querySelector<HTMLMetaElement>('meta[name="berth-env"]')?.content ?? '';
const connection = document.getElementById('connection');
const dialog = document.getElementById('confirm-rollback') as HTMLDialogElement | null;
const confirmText = document.getElementById('confirm-text');

function setPart(name: string, html: string): void {
  const element = document.getElementById(`part-${name}`);
  if (!element || element.innerHTML === html) return;
  // Keep keyboard focus where it was when the part that holds it is redrawn.
  const focused = document.activeElement instanceof HTMLElement && element.contains(document.activeElement) ? document.activeElement : undefined;
  const focusKey = focused?.dataset.release ?? focused?.getAttribute('name') ?? undefined;
  element.innerHTML = html;
  if (focusKey) element.querySelector<HTMLElement>(`[data-release="${focusKey}"] button, button[data-release="${focusKey}"], [name="${focusKey}"]`)?.focus();
}

function say(text: string): void {
  if (connection) connection.textContent = text;
}

const events = new EventSource('events');
events.addEventListener('open', () => say('Live: changes appear as they happen.'));
events.addEventListener('error', () => say('Disconnected from berth ui: retrying… (is it still running?)'));
events.addEventListener('part', (event) => {
  const { name, html } = JSON.parse((event as MessageEvent<string>).data) as { name: string; html: string };
  setPart(name, html);
});

let chosen: number | undefined;
let opener: HTMLElement | undefined;

document.addEventListener('click', (event) => {
  const button = (event.target as Element | null)?.closest<HTMLButtonElement>('button.rollback');
  if (!button || !dialog) return;
  chosen = Number(button.dataset.release);
  opener = button;
  if (confirmText) confirmText.textContent = `Roll back ${env} to release ${chosen}? Its image rolls out as a new release, with health checks, replacing the live one.`;
  dialog.returnValue = '';
  dialog.showModal();
});

dialog?.addEventListener('close', () => {
  const to = chosen;
  chosen = undefined;
  if (dialog.returnValue !== 'confirm' || to === undefined) {
    opener?.focus();
    return;
  }
  say(`Rolling back to release ${to}…`);
  void fetch('rollback', { method: 'POST', headers: { 'content-type': 'application/json', 'x-berth-token': token }, body: JSON.stringify({ to }) })
    .then(async (response) => {
      if (response.ok) {
        say(`Rollback to release ${to} started: its progress is under "Deploy progress".`);
        document.getElementById('progress')?.scrollIntoView({ block: 'nearest' });
        return;
      }
      const body = (await response.json().catch(() => ({}))) as { error?: string };
      say(`Rollback not started: ${body.error ?? `HTTP ${response.status}`}`);
    })
    .catch(() => say('Rollback not started: berth ui did not answer.'));
});

function showLogs(filter: string, source: string): void {
  const query = new URLSearchParams({ filter, source });
  const part = document.getElementById('part-logs');
  part?.setAttribute('aria-busy', 'true');
  void fetch(`part/logs?${query.toString()}`)
    .then((response) => response.text())
    .then((html) => setPart('logs', html))
    .finally(() => part?.removeAttribute('aria-busy'));
}

document.addEventListener('submit', (event) => {
  const form = (event.target as Element | null)?.closest<HTMLFormElement>('form.log-filter');
  if (!form) return;
  event.preventDefault();
  const data = new FormData(form);
  showLogs(String(data.get('filter') ?? ''), String(data.get('source') ?? ''));
});

// Logs are not pushed (a redraw would take the filter from under the cursor): read them when the page had no time to.
if (document.querySelector('#part-logs .pending')) showLogs('', '');

/** The UI's stylesheet, served as /assets/page.css. Marks and words carry every state, colour only repeats them. */
export const PAGE_CSS = `
:root { color-scheme: light; --ink: #1b1b1b; --muted: #555; --line: #d0d0d0; --ok: #1b5e20; --bad: #b71c1c; --warn: #8a5a00; --accent: #0b57d0; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 "DejaVu Sans", system-ui, sans-serif; color: var(--ink); background: #fafafa; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible { outline: 3px solid #f9a825; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: 6px; }
.skip:focus { left: 8px; }
header { background: #fff; border-bottom: 1px solid var(--line); padding: 10px 20px; display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px 22px; }
header h1 { margin: 0; font-size: 22px; }
header .env { color: var(--muted); font-weight: normal; }
.brand { margin: 0; font-weight: bold; color: var(--muted); }
nav ul { list-style: none; display: flex; gap: 12px; margin: 0; padding: 0; }
nav a[aria-current="page"] { font-weight: bold; text-decoration: none; border-bottom: 3px solid var(--ink); }
nav .target { color: var(--muted); font-size: 12px; }
.connection { margin: 0 0 0 auto; font-size: 13px; color: var(--muted); }
main { padding: 14px 20px 40px; }
.columns { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
.column { flex: 1 1 380px; min-width: 0; }
.column.wide { flex: 2 1 640px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px 14px; margin-bottom: 18px; overflow-x: auto; }
section h2 { margin: 0 0 8px; font-size: 17px; }
h3 { font-size: 15px; margin: 14px 0 6px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 6px 0; }
caption { text-align: left; color: var(--muted); padding: 4px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
td.amount { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.quiet, .hint { color: var(--muted); }
.problem { border-left: 4px solid var(--warn); padding: 2px 10px; background: #fff8e1; }
.pending { color: var(--muted); font-style: italic; }
.steps { list-style: none; padding: 0; margin: 6px 0; }
.step { padding: 2px 0; }
.step .mark { display: inline-block; width: 1.2em; font-weight: bold; }
.step .state { display: inline-block; min-width: 5.2em; font-size: 12px; text-transform: uppercase; letter-spacing: 0.03em; }
.step-done .mark, .step-done .state { color: var(--ok); }
.step-failed .mark, .step-failed .state { color: var(--bad); }
.step-warning .mark, .step-warning .state { color: var(--warn); }
.detail { color: var(--muted); }
.run-failed strong:last-of-type { color: var(--bad); }
.run-succeeded strong:last-of-type { color: var(--ok); }
.health-healthy { color: var(--ok); font-weight: bold; }
.health-unhealthy { color: var(--bad); font-weight: bold; }
.timeline { list-style: none; margin: 0; padding: 0 0 0 14px; border-left: 3px solid var(--line); }
.release { position: relative; padding: 4px 0 10px 12px; }
.release .marker { position: absolute; left: -23px; top: 9px; width: 14px; height: 14px; border-radius: 50%; background: #fff; border: 3px solid var(--line); }
.release.live .marker { border-color: var(--ok); background: var(--ok); }
.release p { margin: 2px 0; }
.live-badge { border: 2px solid var(--ok); color: var(--ok); border-radius: 3px; padding: 0 5px; font-size: 12px; font-weight: bold; text-transform: uppercase; }
.status-failed { color: var(--bad); font-weight: bold; }
.image code { font-size: 12px; word-break: break-all; }
button { font: inherit; padding: 4px 12px; border: 1px solid #666; border-radius: 4px; background: #f2f2f2; cursor: pointer; }
button.danger { background: var(--bad); border-color: var(--bad); color: #fff; }
button:disabled { opacity: 0.6; cursor: progress; }
dialog { border: 1px solid #666; border-radius: 6px; max-width: 30em; }
dialog::backdrop { background: rgba(0, 0, 0, 0.35); }
.buttons { display: flex; gap: 10px; justify-content: flex-end; }
figure.diagram { margin: 0; }
figure.diagram svg { max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 13px; }
.chart svg { max-width: 100%; height: auto; }
.log-filter { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; }
.log-lines { max-height: 26em; overflow-y: auto; border: 1px solid var(--line); margin-top: 8px; }
table.logs { margin: 0; }
table.logs td:first-child { white-space: nowrap; }
table.logs code { white-space: pre-wrap; word-break: break-word; font-size: 12px; }
pre { white-space: pre-wrap; font-size: 12px; background: #f4f4f4; padding: 6px; }
`;

/**
 * The HTML report's own style and script, and the Content-Security-Policy
 * that allows exactly these two (by their SHA-256) and nothing else: no
 * inline script or style from anywhere else, no request, no form target, no
 * <base>. A value that slipped past escaping still could not run.
 */
import { createHash } from 'node:crypto';

export const CSS = `
:root{--error:#c62828;--error-bg:#fde2e1;--warning:#ef8f00;--warning-bg:#fff1d6;--info:#1565c0;--info-bg:#e3effd;--none-bg:#f4f5f7;--line:#9aa3ad;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2329}
body{margin:0 auto;max-width:1320px;padding:16px 24px;line-height:1.4}
h1{margin:0 0 4px;font-size:1.6em}h2{border-bottom:1px solid #d8dde3;padding-bottom:4px;margin-top:28px}h3{margin:0 0 6px}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em}
a{color:#0b57d0}nav a{margin-right:4px}
.summary{margin:0 0 6px}
.badge{display:inline-block;min-width:4.2em;text-align:center;border-radius:4px;padding:0 4px;font-size:.8em;font-weight:600;color:#fff}
.badge.sev-error{background:var(--error)}.badge.sev-warning{background:var(--warning)}.badge.sev-info{background:var(--info)}
.incidents{padding-left:1.4em}.incident{margin:0 0 14px;padding:8px 12px;border-left:5px solid var(--line);background:var(--none-bg);border-radius:4px}
.incident.sev-error{border-color:var(--error);background:var(--error-bg)}.incident.sev-warning{border-color:var(--warning);background:var(--warning-bg)}.incident.sev-info{border-color:var(--info);background:var(--info-bg)}
.incident .root p,.incident .root .msg{margin:4px 0 0}.incident .root+.root{margin-top:8px}.and{font-weight:600;color:#4a545e}.jump{margin:4px 0 8px}section.severity h3{margin:14px 0 4px}.explains{margin:6px 0 2px;font-size:.9em;color:#4a545e}.tree{list-style:none;padding-left:.6em;margin:0}.tree li::before{content:"└─ ";color:#4a545e}
.tree .depth-2{margin-left:1.4em}.tree .depth-3{margin-left:2.8em}.tree .depth-4{margin-left:4.2em}.tree .depth-5{margin-left:5.6em}.tree .depth-6{margin-left:7em}
.legend{font-size:.9em;color:#4a545e}.sw{display:inline-block;padding:0 6px;border-radius:3px;border:1px solid var(--line)}
.sw.sev-error{background:var(--error-bg);border-color:var(--error)}.sw.sev-warning{background:var(--warning-bg);border-color:var(--warning)}.sw.sev-info{background:var(--info-bg);border-color:var(--info)}.sw.sev-none{background:var(--none-bg)}
.path-card{border:1px solid #d8dde3;border-radius:6px;padding:10px 12px;margin:0 0 16px}.path-card.sev-error{border-color:var(--error)}
.scroll{overflow-x:auto}
svg.path text{font-size:12px;fill:#1d2329}svg.path text.col{font-size:11px;fill:#4a545e;font-weight:600;text-transform:uppercase;letter-spacing:.04em}svg.path text.label{font-weight:600}svg.path text.detail{fill:#39424b}
svg.path .edge{fill:none;stroke:var(--line);stroke-width:1.5}
svg.path .box rect{fill:var(--none-bg);stroke:var(--line);stroke-width:1.2}
svg.path .box.sev-error rect{fill:var(--error-bg);stroke:var(--error);stroke-width:2}svg.path .box.sev-warning rect{fill:var(--warning-bg);stroke:var(--warning);stroke-width:2}svg.path .box.sev-info rect{fill:var(--info-bg);stroke:var(--info)}
svg.path .box.sev-none.h-healthy rect{fill:#e3f5e5;stroke:#2e7d32}
svg.path a.box:hover rect,svg.path a.box:focus rect{stroke-width:3}
.dot.h-healthy{fill:#2e7d32;color:#2e7d32}.dot.h-unhealthy{fill:var(--error);color:var(--error)}.dot.h-unknown,.dot.h-draining,.dot.h-timeout{fill:#9aa3ad;color:#9aa3ad}
.box-findings{margin:4px 0;padding:3px 10px;border-left:4px solid var(--line)}.box-findings.sev-error{border-color:var(--error)}.box-findings.sev-warning{border-color:var(--warning)}.box-findings.sev-info{border-color:var(--info)}
.box-findings.current{outline:3px solid #0b57d0;outline-offset:2px}.box-findings .back{text-decoration:none;margin-left:6px}.box-findings h4{margin:0}.box-findings h4 span{font-weight:400;color:#4a545e}.box-findings ul{margin:2px 0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:2px 14px}
:target{outline:3px solid #0b57d0;outline-offset:2px}
.ok{color:#2e7d32;margin:4px 0}
.filters{margin:6px 0 10px}.filters select{margin-right:12px}
table{border-collapse:collapse;width:100%;font-size:.92em}th,td{border-bottom:1px solid #e3e7eb;padding:5px 6px;text-align:left;vertical-align:top}th{background:#f4f5f7}
tr.sev-error td:first-child{border-left:4px solid var(--error)}tr.sev-warning td:first-child{border-left:4px solid var(--warning)}tr.sev-info td:first-child{border-left:4px solid var(--info)}
.fix-steps{margin:6px 0 0}.fix-step{margin:4px 0}.fix-step .does{margin:0 0 2px;font-size:.9em;color:#39424b}.cmd{display:flex;align-items:flex-start;gap:6px}.cmd pre{flex:1;min-width:0;margin:0;padding:6px 8px;background:#1d2329;color:#f4f5f7;border-radius:4px;overflow-x:auto;white-space:pre}.cmd pre code{font-size:.86em}.copy{flex:none;font:inherit;font-size:.8em;padding:3px 8px;cursor:pointer}\n@media print{.filters,.copy{display:none}.cmd pre{white-space:pre-wrap}}
`;

export const SCRIPT = `
(function () {
  var form = document.getElementById('filters');
  var sections = document.querySelectorAll('section.severity');
  if (!form || sections.length === 0) return;
  form.hidden = false;
  var severity = document.getElementById('filter-severity');
  var rule = document.getElementById('filter-rule');
  var count = document.getElementById('filter-count');
  function apply() {
    var shown = 0, total = 0;
    for (var s = 0; s < sections.length; s++) {
      var rows = sections[s].querySelectorAll('tbody tr'), inSection = 0;
      for (var i = 0; i < rows.length; i++) {
        var r = rows[i];
        var ok = (!severity.value || r.dataset.severity === severity.value) && (!rule.value || r.dataset.rule === rule.value);
        r.hidden = !ok;
        if (ok) inSection++;
      }
      sections[s].hidden = inSection === 0;
      shown += inSection;
      total += rows.length;
    }
    count.textContent = shown + ' of ' + total + ' shown';
  }
  severity.addEventListener('change', apply);
  rule.addEventListener('change', apply);
  apply();
})();
(function () {
  // A box of a path picture opens its findings right below the picture, without leaving it.
  var boxes = document.querySelectorAll('svg.path a.box');
  for (var i = 0; i < boxes.length; i++) {
    boxes[i].addEventListener('click', function (event) {
      var id = event.currentTarget.getAttribute('data-box');
      var target = document.getElementById(id);
      if (!target) return;
      event.preventDefault();
      var list = target.closest('details');
      if (list) list.open = true;
      var current = document.querySelectorAll('.box-findings.current');
      for (var j = 0; j < current.length; j++) current[j].classList.remove('current');
      target.classList.add('current');
      target.scrollIntoView({ block: 'nearest' });
      history.replaceState(null, '', '#' + id);
    });
  }
})();
(function () {
  // Copy buttons: the command's text to the clipboard (no network; falls back to selecting it).
  var buttons = document.querySelectorAll('button.copy');
  for (var i = 0; i < buttons.length; i++) {
    var button = buttons[i];
    button.hidden = false;
    button.addEventListener('click', function (event) {
      var b = event.currentTarget;
      var pre = b.parentNode.querySelector('pre');
      var text = pre.textContent;
      function selectIt() {
        var range = document.createRange();
        range.selectNodeContents(pre);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        b.textContent = 'Selected';
      }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () { b.textContent = 'Copied'; }, selectIt);
      } else selectIt();
    });
  }
})();
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Nothing may load, post or navigate elsewhere; only the report's own style and script run. */
export const CSP = `default-src 'none'; style-src ${sha256(CSS)}; script-src ${sha256(SCRIPT)}; img-src data:; form-action 'none'; base-uri 'none'`;

/** The console's whole stylesheet, inlined in every page: no request leaves for a font, icon or framework. */
export const CSS = `
:root{--bg:#f6f7f9;--fg:#1d2433;--muted:#5d6778;--line:#dde1e8;--card:#fff;--accent:#1f5fbf;
--ok:#17803d;--okbg:#e3f5e9;--bad:#b42318;--badbg:#fde8e6;--warn:#935f00;--warnbg:#fdf1d6;--off:#5d6778;--offbg:#eceef2}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg)}
a{color:var(--accent)}
header.top{display:flex;flex-wrap:wrap;align-items:center;gap:4px 16px;padding:8px 16px;background:#17202f;color:#fff}
header.top .brand{font-weight:700;letter-spacing:.02em;color:#fff;text-decoration:none;margin-right:8px}
header.top nav{display:flex;flex-wrap:wrap;gap:2px}
header.top nav a{color:#c9d3e3;text-decoration:none;padding:6px 10px;border-radius:6px}
header.top nav a[aria-current=page]{background:#2c3a52;color:#fff}
header.top .who{margin-left:auto;display:flex;align-items:center;gap:8px;color:#c9d3e3}
header.top .who button{background:transparent;color:#fff;border-color:#55627a}
main{max-width:1200px;margin:0 auto;padding:16px}
h1{font-size:20px;margin:4px 0 16px}
h2{font-size:16px;margin:0 0 10px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px;margin-bottom:16px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:16px}
.grid .card{margin:0}
.stats{display:flex;flex-wrap:wrap;gap:10px;margin-bottom:16px}
.stat{flex:1 1 130px;background:var(--card);border:1px solid var(--line);border-radius:10px;padding:10px 14px}
.stat b{display:block;font-size:22px}
.stat span{color:var(--muted)}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:7px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);font-weight:600;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tr:last-child td{border-bottom:0}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:12px;font-weight:600;white-space:nowrap}
.ok{background:var(--okbg);color:var(--ok)}.bad{background:var(--badbg);color:var(--bad)}
.warn{background:var(--warnbg);color:var(--warn)}.off{background:var(--offbg);color:var(--off)}
.muted{color:var(--muted)}.small{font-size:12px}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
pre.sql{margin:0;white-space:pre-wrap;word-break:break-word;max-height:8.5em;overflow:auto}
form.inline{display:inline}
.filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:10px;align-items:end}
label{display:block;font-size:12px;color:var(--muted);margin-bottom:3px}
input,select,textarea{width:100%;min-height:34px;font:inherit;padding:6px 8px;border:1px solid #c5ccd8;border-radius:6px;background:#fff;color:var(--fg)}
textarea{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px;min-height:90px}
button,.button{font:inherit;padding:6px 12px;border-radius:6px;border:1px solid #c5ccd8;background:#fff;color:var(--fg);cursor:pointer;text-decoration:none;display:inline-block;white-space:nowrap}
button.primary{background:var(--accent);border-color:var(--accent);color:#fff}
button.danger{color:var(--bad);border-color:#e7a9a2}
.row{display:flex;flex-wrap:wrap;gap:10px;align-items:center}
.row.end{justify-content:flex-end}
.msg{padding:10px 14px;border-radius:8px;margin-bottom:16px;border:1px solid}
.msg.error{background:var(--badbg);color:var(--bad);border-color:#f3b8b1}
.msg.info{background:var(--okbg);color:var(--ok);border-color:#a8dcb9}
.chart{width:100%;height:140px;display:block}
.chart{height:120px}
.fig{margin:0}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:0 16px}
.row.window{margin:0 0 12px}
h2.sub{font-size:13px;margin:16px 0 4px}
ul.legend{display:flex;flex-wrap:wrap;gap:4px 14px;list-style:none;margin:6px 0 0;padding:0;font-size:12px}
ul.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.load-row{display:grid;grid-template-columns:minmax(90px,160px) 1fr auto;gap:10px;align-items:center;padding:4px 0}
.load-name{font-weight:600;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.load-bar{display:flex;height:14px;background:var(--offbg);border-radius:4px;overflow:hidden}
.load-bar i.running{background:#1f5fbf}.load-bar i.queued{background:#e0a43a}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:6px 16px;margin:0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:anywhere}
pre.sql.full{max-height:none}
.filters .span{grid-column:1/-1;justify-content:flex-end}
label.check{display:flex;gap:6px;align-items:center;font-size:14px;color:var(--fg);min-height:34px}
label.check input{width:auto;min-height:0}
a.button.primary{background:var(--accent);border-color:var(--accent);color:#fff}
.axis{display:flex;justify-content:space-between;color:var(--muted);font-size:12px;margin-top:4px}
.login{max-width:360px;margin:10vh auto}
.login .card{padding:22px}
.login label{margin-top:10px}
.backend-line{padding:7px 0;border-bottom:1px solid var(--line)}
.backend-line .muted{display:block;margin-top:2px}
.backend-line a{text-decoration:none}
.backend-line:last-child{border-bottom:0}
ul.reasons{margin:4px 0 0;padding-left:18px}
form.split{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:0 16px;align-items:start}
form.split .card{margin:0 0 16px}
textarea.editor{min-height:320px;tab-size:2}
@media (max-width:900px){form.split{grid-template-columns:1fr}.charts{grid-template-columns:1fr}}
@media (max-width:640px){.load-row{grid-template-columns:1fr}}
@media (max-width:640px){main{padding:10px}h1{font-size:18px}.card{padding:10px}
 header.top{padding:6px 10px}header.top .who{margin-left:0;width:100%;justify-content:space-between}
 table.stack thead{display:none}table.stack tr{display:block;border-bottom:1px solid var(--line);padding:6px 0}
 table.stack td{display:flex;gap:12px;justify-content:space-between;align-items:baseline;border:0;padding:3px 4px}
 table.stack td::before{content:attr(data-label);color:var(--muted);font-size:12px;flex:none}
 table.stack td>div{text-align:right;min-width:0;overflow-wrap:anywhere}
 table.stack td.wide{display:block}table.stack td.wide::before{display:block}table.stack td.wide>div{text-align:left}}
`;

/** The one inline script: asks for confirmation on forms that carry data-confirm. CSP allows it by hash. */
export const SCRIPT = `document.addEventListener('submit',function(e){var m=e.target.getAttribute('data-confirm');if(m&&!confirm(m))e.preventDefault()});`;

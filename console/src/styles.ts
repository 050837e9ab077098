/** The console's own layout; the components bring Fluent's look (tokens set by setTheme). */
export const CSS = `
body{margin:0;font-family:var(--fontFamilyBase,"Segoe UI",system-ui,sans-serif);font-size:14px;color:var(--colorNeutralForeground1,#242424);background:var(--colorNeutralBackground2,#fafafa)}
header{display:flex;flex-wrap:wrap;align-items:center;gap:12px 24px;padding:10px 20px;background:var(--colorNeutralBackground1,#fff);border-bottom:1px solid var(--colorNeutralStroke2,#e0e0e0)}
header .brand{font-weight:600;font-size:16px}header .who{margin-left:auto}
nav{padding:0 12px;background:var(--colorNeutralBackground1,#fff);border-bottom:1px solid var(--colorNeutralStroke2,#e0e0e0)}
main{padding:16px 20px;max-width:1500px}main:focus{outline:none}
h1{font-size:22px;margin:4px 0 8px}h2{font-size:16px;margin:0 0 8px}
.lead{margin:0 0 12px}.meta{color:var(--colorNeutralForeground3,#616161);margin:0 0 8px}
.card{background:var(--colorNeutralBackground1,#fff);border:1px solid var(--colorNeutralStroke2,#e0e0e0);border-radius:8px;padding:12px 16px;margin:0 0 14px}
.table-wrap{overflow-x:auto}table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid var(--colorNeutralStroke3,#f0f0f0)}th{font-weight:600;background:var(--colorNeutralBackground3,#f5f5f5)}
.check .reason{font-size:12px;margin-top:2px;max-width:280px}.check .title{font-size:13px}.check .advice{font-size:12px;color:#8a3707;margin-top:2px}
.action{display:inline-flex;align-items:center;gap:6px;margin:2px 10px 2px 0}.why{font-size:12px;color:var(--colorNeutralForeground3,#616161)}
.actions{display:flex;flex-wrap:wrap;gap:6px 12px;align-items:center}.actions>fluent-button{margin-right:10px}
.figures{display:flex;flex-wrap:wrap;gap:8px 24px}
.timeline{display:grid;grid-template-columns:minmax(220px,320px) 130px 1fr;font-size:13px}
.timeline>[role=row]{display:contents}.timeline [role=row]>*{padding:3px 6px;border-bottom:1px solid var(--colorNeutralStroke3,#f0f0f0)}
.tl-axis>*{position:sticky;top:0;background:var(--colorNeutralBackground3,#f5f5f5);font-weight:600;z-index:1}
.tl-tier>*{grid-column:1/-1;font-weight:600;background:var(--colorNeutralBackground2,#fafafa)}
.tl-track{position:relative;min-height:20px}.tl-bar{position:absolute;top:5px;height:12px;border-radius:3px;background:#8a8886}
.tl-bar.s-succeeded{background:#107c10}.tl-bar.s-failed{background:#c50f1f}.tl-bar.s-running{background:#0f6cbd}.tl-bar.s-waiting{background:#bc4b09;opacity:.7}.tl-bar.s-cancelled{background:#8a8886;opacity:.5}
.tl-rto{position:absolute;top:0;bottom:-9999px;border-left:2px dashed #c50f1f;padding-left:4px;color:#c50f1f;font-size:12px;white-space:nowrap}
.tl-rto-left{border-left:none;border-right:2px dashed #c50f1f;padding:0 4px 0 0;transform:translateX(-100%)}
fluent-badge{white-space:nowrap;flex-shrink:0;vertical-align:middle}
.tl-axis .tl-track{overflow:visible;position:sticky}.timeline{overflow:clip;position:relative}.tl-none{color:var(--colorNeutralForeground3,#616161);font-style:italic}
.tl-label{overflow-wrap:anywhere}
.filters{display:flex;flex-wrap:wrap;gap:8px 16px;margin-bottom:8px}
fieldset.names{border:1px solid var(--colorNeutralStroke2,#e0e0e0);border-radius:6px;margin:10px 0;display:flex;flex-wrap:wrap;gap:2px 14px}
.choices{display:flex;flex-wrap:wrap;align-items:center;gap:4px 12px;margin:8px 0}.choices .legend{font-weight:600;min-width:110px}
fluent-radio-group{display:flex;flex-wrap:wrap;gap:2px 14px}
.mode-fields{margin:4px 0}[hidden]{display:none!important}fluent-text-input{margin:6px 0;min-width:320px}
h3{font-size:14px;margin:14px 0 6px}.stages li{margin:2px 0}
.chart{width:100%;max-width:760px;height:auto}
.run-id{font-size:13px;font-weight:400;color:var(--colorNeutralForeground3,#616161)}
a{color:var(--colorBrandForegroundLink,#115ea3)}
.sandbox{background:#fff4ce;padding:2px 8px;border-radius:4px;font-size:12px}
`;

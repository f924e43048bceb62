// The pane's layout, on Fluent's design tokens (set by applyTheme), so colours and type follow
// the theme. A string in a module: the pane chunk carries it, the page stays one request.

export const paneCss = `
.geobatch-pane {
  font-family: var(--fontFamilyBase);
  font-size: var(--fontSizeBase300);
  line-height: var(--lineHeightBase300);
  color: var(--colorNeutralForeground1);
  background: var(--colorNeutralBackground1);
  padding: 12px 16px;
  max-width: 560px;
}
.geobatch-pane h1 { font-size: var(--fontSizeBase500); font-weight: var(--fontWeightSemibold); margin: 0 0 8px; }
.geobatch-pane h2 { font-size: var(--fontSizeBase400); font-weight: var(--fontWeightSemibold); margin: 0 0 8px; }
.geobatch-pane section { margin: 0 0 20px; }
.geobatch-pane p { margin: 4px 0; }
.geobatch-pane .hint { color: var(--colorNeutralForeground2); font-size: var(--fontSizeBase200); }
.geobatch-pane .row { display: flex; flex-wrap: wrap; gap: 8px; align-items: flex-end; margin: 6px 0; }
.geobatch-pane .row fluent-text-input { flex: 1 1 200px; }
.geobatch-pane fluent-text-input { display: flex; flex-direction: column; align-items: stretch; margin: 6px 0; }
.geobatch-pane .message { min-height: 1.3em; }
.geobatch-pane .error { color: var(--colorPaletteRedForeground1); }
.geobatch-pane .label { display: block; font-weight: var(--fontWeightSemibold); margin-top: 8px; }
.geobatch-pane select {
  font: inherit; padding: 4px 8px; margin: 4px 0; min-width: 200px;
  color: var(--colorNeutralForeground1); background: var(--colorNeutralBackground1);
  border: 1px solid var(--colorNeutralStrokeAccessible); border-radius: var(--borderRadiusMedium);
}
#status {
  display: flex; flex-wrap: wrap; gap: 8px; align-items: center; padding: 8px 12px; margin-bottom: 16px;
  border-radius: var(--borderRadiusMedium); background: var(--colorNeutralBackground3);
  border-left: 4px solid var(--colorNeutralStrokeAccessible);
}
#status[data-tone="working"] { border-left-color: var(--colorBrandBackground); }
#status[data-tone="warning"] { border-left-color: var(--colorPaletteDarkOrangeBorderActive); }
#status[data-tone="error"] { border-left-color: var(--colorPaletteRedBorderActive); }
#status-text { flex: 1 1 200px; margin: 0; }
.failed-list { list-style: none; padding: 0; margin: 0 0 8px; max-height: 240px; overflow: auto; }
.failed-list li { display: grid; grid-template-columns: auto 1fr; gap: 0 8px; padding: 2px 0; }
.failed-list .failed-reason { grid-column: 2; color: var(--colorNeutralForeground2); font-size: var(--fontSizeBase200); }
.failed-list .failed-input { overflow-wrap: anywhere; }
.map-slot { position: relative; }
.map-canvas, .batch-chart { display: block; }
.map-tooltip {
  position: absolute; max-width: 220px; padding: 6px 8px; pointer-events: none; overflow-wrap: anywhere;
  background: var(--colorNeutralBackground1); color: var(--colorNeutralForeground1);
  border: 1px solid var(--colorNeutralStroke1); border-radius: var(--borderRadiusMedium);
  box-shadow: var(--shadow8); font-size: var(--fontSizeBase200);
}
.map-tooltip-match { font-weight: var(--fontWeightSemibold); }
.geobatch-pane select:focus-visible {
  outline: 2px solid var(--colorStrokeFocus2); outline-offset: 2px;
}
@media (forced-colors: active) {
  /* The system's colours replace the theme's: borders and outlines carry the structure. */
  #status, #status[data-tone] { border: 1px solid CanvasText; border-left-width: 4px; }
  .geobatch-pane select { border-color: ButtonText; }
  .geobatch-pane select:focus-visible { outline-color: Highlight; }
  .map-canvas, .batch-chart { border: 1px solid CanvasText; }
}
`;

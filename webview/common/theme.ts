import type { Chart } from 'chart.js';

/*
 * Chart colours from the theme: VS Code puts every --vscode-* colour on the webview's <html>
 * style and the theme kind on <body class>, and changes both when the user switches theme.
 * Charts read the computed values (canvas cannot use CSS variables) and redraw on change.
 */

export interface ChartTheme {
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  fontFamily: string;
  fontSize: number;
  /** Series colours in order: blue, green, purple, orange, yellow, red. */
  series: string[];
  highContrast: boolean;
  /** Outline for filled shapes in high-contrast themes (else transparent). */
  contrastBorder: string;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

export function readTheme(): ChartTheme {
  const foreground = cssVar('--vscode-foreground', '#cccccc');
  const highContrast = document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light');
  return {
    foreground,
    muted: cssVar('--vscode-descriptionForeground', foreground),
    grid: cssVar('--vscode-charts-lines', cssVar('--vscode-panel-border', withAlpha(foreground, 0.2))),
    background: cssVar('--vscode-editor-background', 'transparent'),
    fontFamily: cssVar('--vscode-font-family', 'sans-serif'),
    fontSize: Number.parseFloat(cssVar('--vscode-font-size', '13')) || 13,
    series: ['blue', 'green', 'purple', 'orange', 'yellow', 'red'].map((c) => cssVar(`--vscode-charts-${c}`, foreground)),
    highContrast,
    contrastBorder: highContrast ? cssVar('--vscode-contrastBorder', foreground) : 'transparent',
  };
}

/** Calls `redraw` (once per animation frame at most) when the theme changes. */
export function onThemeChange(redraw: () => void): () => void {
  let scheduled = false;
  const observer = new MutationObserver(() => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => { scheduled = false; redraw(); });
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind', 'data-vscode-theme-id'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
  return () => observer.disconnect();
}

/** `#rgb`, `#rrggbb`, `#rrggbbaa` or `rgb()/rgba()` with its alpha multiplied by `alpha`. */
export function withAlpha(color: string, alpha: number): string {
  const c = color.trim();
  let r: number, g: number, b: number, a = 1;
  const hex = /^#([0-9a-f]{3,8})$/i.exec(c)?.[1];
  if (hex && (hex.length === 3 || hex.length === 4)) {
    [r, g, b] = [0, 1, 2].map((i) => parseInt(hex[i]! + hex[i]!, 16)) as [number, number, number];
    if (hex.length === 4) a = parseInt(hex[3]! + hex[3]!, 16) / 255;
  } else if (hex && (hex.length === 6 || hex.length === 8)) {
    [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
    if (hex.length === 8) a = parseInt(hex.slice(6, 8), 16) / 255;
  } else {
    const m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:[\s,/]+([\d.]+%?))?\s*\)$/i.exec(c);
    if (!m) return c; // a named colour or something unexpected: keep it opaque rather than guess
    [r, g, b] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (m[4]) a = m[4].endsWith('%') ? Number(m[4].slice(0, -1)) / 100 : Number(m[4]);
  }
  return `rgba(${r}, ${g}, ${b}, ${Math.round(a * alpha * 1000) / 1000})`;
}


/**
 * Theme colours and fonts as chart.js defaults, so each chart only says what is its own.
 * Nothing moves (hover transitions included: chart.js skips every animation when this is
 * false), so prefers-reduced-motion is honoured whatever the OS says. The caller passes
 * `Chart.defaults`, so this module does not pull chart.js into panels without charts.
 */
export function applyChartDefaults(defaults: typeof Chart.defaults, theme: ChartTheme, opts: { legend: boolean }): void {
  defaults.color = theme.foreground;
  defaults.borderColor = theme.grid;
  defaults.font.family = theme.fontFamily;
  defaults.font.size = Math.max(10, theme.fontSize - 1);
  defaults.animation = false;
  defaults.responsive = true;
  defaults.maintainAspectRatio = false;
  defaults.plugins.legend.display = opts.legend;
  defaults.plugins.tooltip.animation = false;
}

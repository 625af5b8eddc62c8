import { Resvg } from '@resvg/resvg-js';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** The font the charts ask for, then the fallbacks resvg may find among the system fonts. */
export const CHART_FONT = 'DejaVu Sans';

/**
 * A Vega-Lite spec -> PNG, all in-process: Vega lays the chart out headless and writes SVG
 * (no canvas, no browser), resvg rasterises it with the system fonts.
 */
export async function renderPng(spec: TopLevelSpec, scale = 2): Promise<Uint8Array> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    const png = new Resvg(svg, {
      fitTo: { mode: 'zoom', value: scale },
      background: 'white',
      font: { loadSystemFonts: true, defaultFontFamily: CHART_FONT, sansSerifFamily: CHART_FONT },
    })
      .render()
      .asPng();
    return new Uint8Array(png);
  } finally {
    view.finalize();
  }
}

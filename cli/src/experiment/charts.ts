import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** A figure of the report: a Vega-Lite spec, rendered to `<name>.svg` and `<name>.png`. */
export interface Figure { name: string; title: string; spec: TopLevelSpec }

const FONT = 'DejaVu Sans';
const CONFIG = {
  font: FONT,
  title: { fontSize: 15, subtitleFontSize: 12, anchor: 'start' as const },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  background: 'white',
};

type Row = Record<string, string | number | null>;

/** Line chart of `y` against training step, one line per `color` value, optional side-by-side panels. */
export function lineChart(a: {
  name: string; title: string; subtitle: string; rows: Row[]; x: string; xTitle: string; y: string; yTitle: string;
  color: string; colorTitle: string; column?: string; row?: string; yDomain?: [number, number]; dash?: string;
  xLog?: boolean; points?: boolean; width?: number; height?: number; independentY?: boolean;
  /** Order of a nominal field's values in facets and legends (default: alphabetical). */
  sort?: Record<string, string[]>;
}): Figure {
  const sorted = (field: string) => (a.sort?.[field] ? { sort: a.sort[field] } : {});
  const encoding: Record<string, unknown> = {
    x: { field: a.x, type: 'quantitative', title: a.xTitle, ...(a.xLog ? { scale: { type: 'log' } } : {}) },
    y: { field: a.y, type: 'quantitative', title: a.yTitle, ...(a.yDomain ? { scale: { domain: a.yDomain } } : {}) },
    color: { field: a.color, type: 'nominal', title: a.colorTitle, ...sorted(a.color) },
  };
  if (a.dash) encoding.strokeDash = { field: a.dash, type: 'nominal', title: a.dash };
  const unit = { mark: { type: 'line', point: !!a.points, strokeWidth: 2 }, encoding, width: a.width ?? 420, height: a.height ?? 260 };
  const facet: Record<string, unknown> = {};
  if (a.column) facet.column = { field: a.column, type: 'nominal', title: null, ...sorted(a.column) };
  if (a.row) facet.row = { field: a.row, type: 'nominal', title: null, ...sorted(a.row) };
  const spec = (a.column || a.row
    ? { data: { values: a.rows }, facet, spec: unit, ...(a.independentY ? { resolve: { scale: { y: 'independent' } } } : {}) }
    : { data: { values: a.rows }, ...unit }) as Record<string, unknown>;
  return {
    name: a.name,
    title: a.title,
    spec: { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title: { text: a.title, subtitle: a.subtitle }, config: CONFIG, ...spec } as TopLevelSpec,
  };
}

/** Writes <dir>/<name>.svg (Vega's SVG renderer, no canvas needed) and a 2× PNG rasterized by resvg. */
export async function renderFigure(figure: Figure, dir: string): Promise<{ svg: string; png: string }> {
  const view = new vega.View(vega.parse(compile(figure.spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: 2 },
    font: { loadSystemFonts: true, defaultFontFamily: FONT, sansSerifFamily: FONT },
  }).render().asPng();
  const files = { svg: join(dir, `${figure.name}.svg`), png: join(dir, `${figure.name}.png`) };
  writeFileSync(files.svg, svg);
  writeFileSync(files.png, png);
  return files;
}

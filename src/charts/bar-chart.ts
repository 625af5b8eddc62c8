import type { TopLevelSpec } from 'vega-lite';
import { CHART_FONT } from './render.ts';

export type ValueFormat = 'currency' | 'count' | 'percent';

export interface BarChartInput {
  title: string;
  subtitle?: string;
  /** Category labels in display order (stages in funnel order, months in time order). */
  categories: string[];
  categoryTitle: string;
  valueTitle: string;
  /** One bar per category for each series; two series are drawn side by side with a legend. */
  series: { name: string; values: number[] }[];
  format: ValueFormat;
  /** Vertical bars (months); horizontal otherwise, which keeps long names readable. */
  vertical?: boolean;
}

// Vega expressions: "$1.2M" on the axis and on crowded bars, "$1,234,500" on the others.
const compactMoney = (v: string) =>
  `${v} >= 1e9 ? '$' + format(${v} / 1e9, '.3~r') + 'B' : ${v} >= 1e6 ? '$' + format(${v} / 1e6, '.3~r') + 'M'` +
  ` : ${v} >= 1e3 ? '$' + format(${v} / 1e3, '.3~r') + 'K' : '$' + format(${v}, ',.0f')`;
const AXIS_LABEL: Record<ValueFormat, string> = {
  currency: compactMoney('datum.value'),
  count: "format(datum.value, ',.0f')",
  percent: "format(datum.value, '.0%')",
};
const BAR_LABEL: Record<ValueFormat, string> = {
  currency: "format(datum.value, '$,.0f')",
  count: "format(datum.value, ',.0f')",
  percent: "format(datum.value, '.0%')",
};
const COLORS = ['#4c78a8', '#f58518'];

/** A labelled bar chart: titled axes, value labels on the bars, currency-formatted value axis. */
export function barChartSpec(input: BarChartInput): TopLevelSpec {
  const { categories, series, vertical = false } = input;
  const values = series.flatMap((s) =>
    s.values.map((value, i) => ({ category: categories[i], series: s.name, value })),
  );
  const grouped = series.length > 1;
  const category = {
    field: 'category',
    type: 'nominal' as const,
    sort: categories,
    title: input.categoryTitle,
    axis: {
      labelLimit: 220,
      labelAngle: vertical && categories.length > 6 ? -40 : 0,
      labelFontSize: 12,
      titleFontSize: 13,
    },
  };
  const value = {
    field: 'value',
    type: 'quantitative' as const,
    title: input.valueTitle,
    axis: { labelExpr: AXIS_LABEL[input.format], labelFontSize: 12, titleFontSize: 13, tickCount: 6 },
    scale: { nice: true, zero: true },
    ...(input.format === 'percent' ? { scale: { domain: [0, 1] } } : {}),
  };
  const offset = grouped ? { field: 'series', type: 'nominal' as const, sort: series.map((s) => s.name) } : undefined;
  const color = grouped
    ? {
        field: 'series',
        type: 'nominal' as const,
        sort: series.map((s) => s.name),
        title: null,
        scale: { domain: series.map((s) => s.name), range: COLORS },
        legend: { orient: 'top' as const, labelFontSize: 12, labelLimit: 400, symbolType: 'square' },
      }
    : { value: COLORS[0] };
  const step = grouped ? 34 : 26;
  // Side-by-side vertical bars leave no room for full amounts above them.
  const barLabel =
    vertical && grouped && input.format === 'currency' ? compactMoney('datum.value') : BAR_LABEL[input.format];
  const encoding = vertical
    ? { x: category, y: value, ...(offset ? { xOffset: offset } : {}), color }
    : { y: category, x: value, ...(offset ? { yOffset: offset } : {}), color };
  const labelMark = vertical
    ? { type: 'text' as const, dy: -7, fontSize: categories.length * series.length > 12 ? 9 : 11 }
    : { type: 'text' as const, align: 'left' as const, dx: 4, fontSize: 11 };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: input.title,
      subtitle: input.subtitle,
      anchor: 'start',
      fontSize: 15,
      subtitleFontSize: 12,
      subtitleColor: '#555',
    },
    data: { values },
    width: vertical ? Math.max(360, categories.length * series.length * step) : 520,
    height: vertical ? 300 : { step: grouped ? 18 : 26 },
    padding: { left: 10, right: vertical ? 10 : 80, top: 10, bottom: 10 },
    config: { font: CHART_FONT, view: { stroke: null }, axis: { grid: true, gridColor: '#e6e6e6' } },
    encoding,
    layer: [
      { mark: { type: 'bar', cornerRadiusEnd: 2 } },
      {
        mark: labelMark,
        transform: [{ calculate: barLabel, as: 'label' }],
        encoding: { text: { field: 'label', type: 'nominal' }, color: { value: '#333' } },
      },
    ],
  } as TopLevelSpec;
}

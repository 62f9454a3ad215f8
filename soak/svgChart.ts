/**
 * A line chart as plain SVG text, written by hand (no charting service, no dependency): panels stacked over one time
 * axis, each with its own y axis, its series as polylines (or as marks, for events), a legend, and labels. Pure: the
 * same chart gives the same text. Any script that has series of `(t, value)` points can draw them with it.
 */

/**
 * One series: its points `(x, y)` in the chart's units, drawn as a line through them, or as a mark at each point.
 */
export interface Series {
  readonly label: string
  readonly points: ReadonlyArray<readonly [number, number]>
  /** A CSS colour; by default one of `palette`, in order. */
  readonly color?: string | undefined
  /** `line` (default), or `marks`: a short vertical stroke at each point (for events such as faults). */
  readonly style?: "line" | "marks" | undefined
}

/**
 * One panel: a title, the unit of its y axis, its series.
 */
export interface Panel {
  readonly title: string
  readonly yLabel: string
  readonly series: ReadonlyArray<Series>
}

/**
 * A chart: its title, the x axis's label and range (by default the points' range), and its panels, top to bottom.
 */
export interface Chart {
  readonly title: string
  readonly xLabel: string
  readonly panels: ReadonlyArray<Panel>
  readonly xRange?: readonly [number, number] | undefined
  /** Width in pixels. Default 960. */
  readonly width?: number | undefined
  /** Height of each panel in pixels. Default 150. */
  readonly panelHeight?: number | undefined
}

/** The colours series take in order when they name none. */
export const palette: ReadonlyArray<string> = [
  "#1f77b4",
  "#d62728",
  "#2ca02c",
  "#ff7f0e",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#17becf"
]

/** Text for XML: `&`, `<`, `>` and `"` escaped. */
export const escapeXml = (text: string): string =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

/** A number as SVG writes it: at most 2 decimals. */
const num = (value: number): string => String(Math.round(value * 100) / 100)

/** A "nice" step (1, 2 or 5 × 10^n), the nearest to `span / count`. */
export const niceStep = (span: number, count: number): number => {
  if (!(span > 0)) return 1
  const raw = span / count
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const factor = raw / magnitude
  return magnitude * (factor < 1.5 ? 1 : factor < 3.5 ? 2 : factor < 7.5 ? 5 : 10)
}

/** Tick values from `min` to `max` with a nice step. */
export const ticks = (min: number, max: number, count: number): ReadonlyArray<number> => {
  const step = niceStep(max - min, count)
  const first = Math.ceil(min / step) * step
  const values: Array<number> = []
  for (let value = first; value <= max + step * 1e-9; value += step) values.push(Math.round(value / step) * step)
  return values
}

/** A tick's label: thousands as `k`, no needless decimals. */
const tickLabel = (value: number): string => Math.abs(value) >= 1000 ? `${num(value / 1000)}k` : num(value)

const margin = { left: 64, right: 240, top: 40, bottom: 44, gap: 34 }

/** The chart as a standalone SVG document. */
export const render = (chart: Chart): string => {
  const width = chart.width ?? 960
  const panelHeight = chart.panelHeight ?? 150
  const plotWidth = width - margin.left - margin.right
  const allX = chart.panels.flatMap((panel) => panel.series.flatMap((series) => series.points.map(([x]) => x)))
  const [xMin, xMax] = chart.xRange ?? [Math.min(0, ...allX), Math.max(1, ...allX)]
  const xSpan = xMax - xMin || 1
  const height = margin.top + chart.panels.length * (panelHeight + margin.gap) - margin.gap + margin.bottom
  const out: Array<string> = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${
      escapeXml(chart.title)
    }</text>`
  ]
  const x = (value: number) => margin.left + ((value - xMin) / xSpan) * plotWidth
  let colorIndex = 0
  chart.panels.forEach((panel, index) => {
    const top = margin.top + index * (panelHeight + margin.gap)
    const bottom = top + panelHeight
    const allY = panel.series.flatMap((series) => series.style === "marks" ? [] : series.points.map(([, y]) => y))
    const yMax = Math.max(1, ...allY) * 1.05
    const y = (value: number) => bottom - (value / yMax) * panelHeight
    out.push(`<g>`)
    out.push(`<text x="${margin.left}" y="${top - 6}" font-weight="bold">${escapeXml(panel.title)}</text>`)
    out.push(
      `<rect x="${margin.left}" y="${top}" width="${plotWidth}" height="${panelHeight}" fill="none" stroke="#999"/>`
    )
    const marksOnly = panel.series.length > 0 && panel.series.every((series) => series.style === "marks")
    for (const tick of marksOnly ? [] : ticks(0, yMax, 4)) {
      const ty = num(y(tick))
      out.push(
        `<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${ty}" y2="${ty}" stroke="#eee"/>`,
        `<text x="${margin.left - 6}" y="${ty}" text-anchor="end" dominant-baseline="middle">${tickLabel(tick)}</text>`
      )
    }
    for (const tick of ticks(xMin, xMax, 10)) {
      const tx = num(x(tick))
      out.push(`<line x1="${tx}" x2="${tx}" y1="${top}" y2="${bottom}" stroke="#f3f3f3"/>`)
      if (index === chart.panels.length - 1) {
        out.push(`<text x="${tx}" y="${bottom + 14}" text-anchor="middle">${tickLabel(tick)}</text>`)
      }
    }
    out.push(
      `<text transform="translate(14 ${num((top + bottom) / 2)}) rotate(-90)" text-anchor="middle">${
        escapeXml(panel.yLabel)
      }</text>`
    )
    panel.series.forEach((series, seriesIndex) => {
      const color = series.color ?? palette[colorIndex++ % palette.length]!
      if (series.style === "marks") {
        const markTop = top + 4 + (seriesIndex % 8) * ((panelHeight - 8) / 8)
        const markHeight = (panelHeight - 8) / 8 - 2
        for (const [px] of series.points) {
          out.push(
            `<line x1="${num(x(px))}" x2="${num(x(px))}" y1="${num(markTop)}" y2="${
              num(markTop + markHeight)
            }" stroke="${color}" stroke-width="1.5"/>`
          )
        }
      } else if (series.points.length > 0) {
        const path = series.points.map(([px, py]) => `${num(x(px))},${num(y(py))}`).join(" ")
        out.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${path}"/>`)
      }
      const ly = top + 10 + seriesIndex * 15
      const lx = margin.left + plotWidth + 12
      out.push(
        `<line x1="${lx}" x2="${lx + 16}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="3"/>`,
        `<text x="${lx + 22}" y="${ly}" dominant-baseline="middle">${escapeXml(series.label)}</text>`
      )
    })
    out.push(`</g>`)
  })
  out.push(
    `<text x="${margin.left + plotWidth / 2}" y="${height - 10}" text-anchor="middle">${
      escapeXml(chart.xLabel)
    }</text>`,
    `</svg>`
  )
  return `${out.join("\n")}\n`
}

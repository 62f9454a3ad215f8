/**
 * The soak's charts: its timeline (calls per second, caller failures, token requests, injected faults) as panels
 * stacked over one time axis, each with its own y axis, its series as lines (or as marks, for events) and its legend,
 * drawn with the bench's SVG primitives (`bench/svgChart.ts`). Pure: the same chart gives the same text.
 */
import * as Svg from "../bench/svgChart.js"
import type * as Fleet from "./fleet.js"
import type * as Single from "./single.js"

/** One series: its points `(x, y)` in the chart's units, drawn as a line through them, or as a mark at each point. */
export interface Series {
  readonly label: string
  readonly points: ReadonlyArray<readonly [number, number]>
  /** A CSS colour; by default the one of `palette` at the series' place in its panel. */
  readonly color?: string | undefined
  /** `line` (default), or `marks`: a short vertical stroke at each point, a lane per series (for events). */
  readonly style?: "line" | "marks" | undefined
}

/** One panel: a title, the unit of its y axis, its series. */
export interface Panel {
  readonly title: string
  readonly yLabel: string
  readonly series: ReadonlyArray<Series>
}

/** A chart: its title, the x axis's label and range (by default the points' range), and its panels, top to bottom. */
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

/** The colours series take, by their place in their panel, when they name none. */
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

/** A y tick's label: thousands as `k`. */
const countLabel = (value: number): string =>
  Math.abs(value) >= 1000 ? `${Svg.formatNumber(value / 1000)}k` : Svg.formatNumber(value)

const margin = { left: 80, top: 64, bottom: 50, gap: 40 }

/** Right of the plot: the legends' column, as wide as the longest label needs (about 6.5 px a character). */
const legendWidth = (chart: Chart): number =>
  Math.max(
    160,
    16 + 19 + 12 +
      6.5 * Math.max(0, ...chart.panels.flatMap((panel) => panel.series.map((series) => series.label.length)))
  )

/** Lanes for the marks of a panel's event series: eight, top to bottom. */
const lanes = 8

/** The chart as a standalone SVG document. */
export const render = (chart: Chart): string => {
  const width = chart.width ?? 960
  const panelHeight = chart.panelHeight ?? 150
  const plotWidth = width - margin.left - legendWidth(chart)
  const allX = chart.panels.flatMap((panel) => panel.series.flatMap((series) => series.points.map(([x]) => x)))
  const xDomain = chart.xRange ?? [Math.min(0, ...allX), Math.max(1, ...allX)]
  const height = margin.top + chart.panels.length * (panelHeight + margin.gap) - margin.gap + margin.bottom
  const body = chart.panels.map((panel, index) => {
    const frame: Svg.Frame = {
      left: margin.left,
      top: margin.top + index * (panelHeight + margin.gap),
      width: plotWidth,
      height: panelHeight
    }
    const last = index === chart.panels.length - 1
    const lines = panel.series.filter((series) => series.style !== "marks")
    const yMax = Svg.niceMax(Math.max(1, ...lines.flatMap((series) => series.points.map(([, y]) => y))) * 1.05, 6)
    const scales = Svg.frameScales(
      frame,
      (range) => Svg.linearScale(xDomain, range, 10),
      (range) => Svg.linearScale([0, yMax], range, 6)
    )
    const marksOnly = panel.series.length > 0 && lines.length === 0
    const y: Svg.Scale = marksOnly ? { ...scales.y, ticks: [] } : scales.y
    const colored = panel.series.map((series, i) => ({
      ...series,
      color: series.color ?? palette[i % palette.length]!
    }))
    const laneHeight = (panelHeight - 8) / lanes
    const drawn = colored.map((series, i) => {
      if (series.style !== "marks") {
        return series.points.length === 0
          ? ""
          : Svg.line(series.points, scales.x, y, series.color)
      }
      const laneTop = frame.top + 4 + (i % lanes) * laneHeight
      return Svg.element(
        "g",
        { stroke: series.color, "stroke-width": 1.5 },
        ...series.points.map(([px]) => {
          const at = scales.x.map(px)
          return Svg.element("line", { x1: at, y1: laneTop, x2: at, y2: laneTop + laneHeight - 2 })
        }),
        ""
      )
    })
    return Svg.element(
      "g",
      {},
      Svg.text(frame.left, frame.top - 8, panel.title, { class: "panel" }),
      Svg.axes(frame, scales.x, y, {
        grid: true,
        xGrid: true,
        xTickLabels: last,
        yFormat: countLabel,
        yLabel: panel.yLabel,
        xLabel: last ? chart.xLabel : undefined
      }),
      ...drawn,
      Svg.legend(
        colored.map((series) => ({ label: series.label, color: series.color, kind: "line" as const })),
        frame.left + plotWidth + 16,
        frame.top + 10,
        { layout: "column" }
      )
    )
  })
  return Svg.document({ width, height, title: chart.title, body })
}

const perSecond = (values: ReadonlyArray<number>, seconds: number): ReadonlyArray<readonly [number, number]> =>
  // whole seconds only: the last, partial one would read as a drop
  values.slice(0, Math.floor(seconds)).map((value, second) => [second + 0.5, value] as const)

/** One colour per fault kind, the same in every chart. */
export const faultColors: Readonly<Record<string, string>> = {
  unavailable: "#d62728",
  rateLimited: "#ff7f0e",
  reset: "#9467bd",
  hang: "#8c564b",
  malformed: "#e377c2",
  html: "#17becf"
}

/** The chart of a single-process run. */
export const single = (result: Single.Result): Chart => {
  const { timeline } = result
  const kinds = [...new Set(timeline.faults.map((fault) => fault.kind))].sort()
  return {
    title: `Soak: ${result.options.callers} callers, ${result.seconds.toFixed(0)} s, ${
      Math.round(result.options.faultRate * 100)
    } % faults, 3–5 s tokens`,
    xLabel: "seconds from start",
    xRange: [0, Math.ceil(result.seconds)],
    panels: [
      {
        title: "calls per second",
        yLabel: "calls/s",
        series: [{ label: "calls", points: perSecond(timeline.calls, result.seconds), color: "#1f77b4" }]
      },
      {
        title: "caller failures per second (all while no usable token existed)",
        yLabel: "failures/s",
        series: [{ label: "failures", points: perSecond(timeline.failures, result.seconds), color: "#d62728" }]
      },
      {
        title: "token requests per second",
        yLabel: "requests/s",
        series: [{
          label: "token requests",
          points: perSecond(timeline.tokenRequests, result.seconds),
          color: "#2ca02c"
        }]
      },
      {
        title: "injected faults (one mark each)",
        yLabel: "fault kind",
        series: kinds.map((kind) => ({
          label: kind,
          color: faultColors[kind],
          style: "marks" as const,
          points: timeline.faults.filter((fault) => fault.kind === kind).map((fault) => [fault.at, 1] as const)
        }))
      }
    ]
  }
}

/** The chart of a fleet run: calls and failures one line per replica, token requests of the fleet, the faults. */
export const fleet = (result: Fleet.Result): Chart => {
  const { timeline } = result
  const kinds = [...new Set(result.faults.map((fault) => fault.kind))]
  const seconds = Math.floor(result.seconds)
  return {
    title: `Fleet soak: ${result.options.replicas} replicas × ${result.options.callers} callers, ${
      result.seconds.toFixed(0)
    } s on Redis, 3–5 s tokens`,
    xLabel: "seconds from start",
    xRange: [0, Math.ceil(result.seconds)],
    panels: [
      {
        title: "calls per second, per replica",
        yLabel: "calls/s",
        series: timeline.callsPerReplica.map((calls, index) => ({
          label: `replica ${index + 1}`,
          points: perSecond(calls, seconds)
        }))
      },
      {
        title: "caller errors per second, per replica",
        yLabel: "errors/s",
        series: timeline.failuresPerReplica.map((failures, index) => ({
          label: `replica ${index + 1}`,
          points: perSecond(failures, seconds)
        }))
      },
      {
        title: "token requests per second (the fleet)",
        yLabel: "requests/s",
        series: [{ label: "token requests", points: perSecond(timeline.tokenRequests, seconds), color: "#2ca02c" }]
      },
      {
        title: "injected faults (a mark every 100 ms while one lasts)",
        yLabel: "fault",
        series: kinds.map((kind) => ({
          label: kind,
          style: "marks" as const,
          points: result.faults.filter((fault) => fault.kind === kind).flatMap((fault) => {
            const from = (fault.begin - result.startAt) / 1000
            const to = (fault.end - result.startAt) / 1000
            return Array.from(
              { length: Math.max(1, Math.ceil((to - from) * 10)) },
              (_, index) => [from + index / 10, 1] as const
            )
          })
        }))
      }
    ]
  }
}

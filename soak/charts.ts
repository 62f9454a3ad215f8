/**
 * The soak's charts: its timeline (calls per second, caller failures, token requests, injected faults) as a
 * `svgChart.Chart`.
 */
import type * as Single from "./single.js"
import type * as SvgChart from "./svgChart.js"

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
export const single = (result: Single.Result): SvgChart.Chart => {
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

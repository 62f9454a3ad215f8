/**
 * The soak's charts: its timeline (calls per second, caller failures, token requests, injected faults) as a
 * `svgChart.Chart`.
 */
import type * as Fleet from "./fleet.js"
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

/** The chart of a fleet run: calls and failures one line per replica, token requests of the fleet, the faults. */
export const fleet = (result: Fleet.Result): SvgChart.Chart => {
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

/**
 * What the scenarios share: a row of the final table, timing and statistics helpers, the client's credentials.
 * Plain TypeScript, no Effect: both lines' bench processes use it.
 */
import * as V8 from "node:v8"
import * as Vm from "node:vm"

/** One line of the final table. */
export interface Row {
  readonly scenario: string
  readonly measure: string
  readonly library: string
  readonly baseline: string
  readonly goal: string
  /** `undefined` when the row has no goal. */
  readonly met?: boolean | undefined
}

/** A row and the Effect line it was measured on (`effect3`, `effect4`, or `effect3 only`). */
export interface LineRow extends Row {
  readonly line: string
}

/** The client the benchmark authenticates as; the server accepts any. */
export const clientId = "bench-client"
export const clientSecret = "bench-secret"

/** Prints a progress line. */
export const progress = (message: string): void => {
  console.log(`  ${message}`)
}

/** The median of `values`, which must not be empty. */
export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** `n` with thousands separators and at most `digits` decimals. */
export const format = (n: number, digits = 0): string =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

type Collect = () => void

const gcFunction = ((): Collect => {
  if (typeof globalThis.gc === "function") return globalThis.gc
  // without --expose-gc: switch it on now and take the function from a fresh context
  V8.setFlagsFromString("--expose-gc")
  return Vm.runInNewContext("gc") as Collect
})()

/** The heap used after full collections, in bytes. */
export const heapUsedAfterGc = async (): Promise<number> => {
  // let pending callbacks release what they hold, then collect twice (weak references, finalizers)
  await sleep(20)
  gcFunction()
  await sleep(0)
  gcFunction()
  return process.memoryUsage().heapUsed
}

/** Splits token request times (ms) into bursts separated by more than `gapMs`: one burst per renewal. */
export const countBursts = (times: ReadonlyArray<number>, gapMs: number): number => {
  let bursts = 0
  let last = -Infinity
  for (const time of times) {
    if (time - last > gapMs) bursts++
    last = time
  }
  return bursts
}

/** Prints the table of `rows`. */
export const printTable = (rows: ReadonlyArray<LineRow>): void => {
  const header: LineRow = {
    line: "line",
    scenario: "scenario",
    measure: "measure",
    library: "library",
    baseline: "baseline",
    goal: "goal"
  }
  const cells = (row: LineRow, isHeader: boolean) => [
    row.scenario,
    row.line,
    row.measure,
    row.library,
    row.baseline,
    row.goal,
    isHeader ? "met" : row.met === undefined ? "" : row.met ? "yes" : "NO"
  ]
  const table = [cells(header, true), ...rows.map((row) => cells(row, false))]
  const widths = table[0]!.map((_, column) => Math.max(...table.map((line) => line[column]!.length)))
  const line = (values: ReadonlyArray<string>) =>
    `| ${values.map((value, column) => value.padEnd(widths[column]!)).join(" | ")} |`
  console.log(line(table[0]!))
  console.log(`|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`)
  for (const values of table.slice(1)) console.log(line(values))
}

/**
 * The scenarios measured on both Effect lines, and how a line's bench process runs them: the same measuring code,
 * the line's calls (`Line.Line`). The Effect 3 process (`index.ts`) runs them with `effectCalls.ts`; it starts
 * the Effect 4 process (`packages/effect4/bench/index.ts`, on Node 22), which runs them with the same shell, linked,
 * on its own Effect.
 */
import * as CachedGet from "./cachedGet.js"
import * as ColdStampede from "./coldStampede.js"
import type * as Line from "./line.js"
import type * as Report from "./report.js"
import * as RequestOverhead from "./requestOverhead.js"
import type * as TokenServer from "./tokenServer.js"

/**
 * A scenario measured on both lines; `withBaseline`: also the classic snippet's figures that need no Effect;
 * `lineName` (`effect3`, `effect4`) names the charts it writes.
 */
export interface Scenario {
  readonly number: number
  readonly name: string
  readonly run: (
    server: TokenServer.TokenServer,
    line: Line.Line,
    withBaseline: boolean,
    lineName: string
  ) => Promise<ReadonlyArray<Report.Row>>
}

/** By number, as `npm run bench` lists them. */
export const scenarios: ReadonlyArray<Scenario> = [
  { number: 1, name: "cold stampede", run: ColdStampede.run },
  { number: 3, name: "cost of a cached get", run: (server, line) => CachedGet.run(server, line) },
  {
    number: 4,
    name: "authorized request overhead",
    run: (_, line, withBaseline) => RequestOverhead.run(line, withBaseline)
  }
]

/** The message the Effect 4 process sends its parent: its versions and rows. */
export interface Effect4Result {
  readonly versions: string
  readonly rows: ReadonlyArray<Report.Row>
}

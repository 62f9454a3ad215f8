import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

/** One claim of the demo, checked: what it says, and whether it held. */
export interface Check {
  readonly label: string
  readonly ok: boolean
}

/** A numbered section heading. */
export const step = (n: number, title: string) => Console.log(`\n${n}. ${title}`)

/** A line of detail under a heading. */
export const line = (text: string) => Console.log(`   ${text}`)

/** Prints a checked claim and returns it, so the demo can tell at the end whether everything held. */
export const check = (label: string, ok: boolean): Effect.Effect<Check> =>
  Effect.as(Console.log(`   ${ok ? "✔" : "✘"} ${label}`), { label, ok })

/** Milliseconds with a sensible number of digits. */
export const ms = (millis: number): string => (millis < 10 ? millis.toFixed(2) : millis.toFixed(0)) + " ms"

/**
 * A shared store's health as a fleet sees it, for one warning per outage rather than one per call. Operations are of
 * two kinds, reads (`get`) and writes (every other), since a store may fail one kind only (a full Redis refuses
 * writes). Every transition replaces the whole value:
 * - `Answering` — an operation fails → `Failing` with its kind (`startedFailing`: warn once).
 * - `Failing` — an operation of another kind fails → `Failing` with both kinds; of a failing kind answers → `Failing`
 *   without it, or `Answering` when no kind is left (`answeringAgain`: say the store is used again). While both kinds
 *   fail (the store could not be reached), any answer → `Answering` (`answeringAgain`): it is reachable again, and a
 *   replica that takes its tokens from the store, writing nothing, must not stay out of it; a write it then refuses
 *   starts another outage. Anything else changes nothing.
 */

/**
 * Reads and writes fail apart: a full store answers reads and refuses writes.
 *
 * @since 0.1.0
 * @category models
 */
export type OperationKind = "read" | "write"

/**
 * The store's health.
 *
 * @since 0.1.0
 * @category models
 */
export type Health =
  | { readonly _tag: "Answering" }
  | { readonly _tag: "Failing"; readonly kinds: ReadonlySet<OperationKind> }

/**
 * The texts of the store's health logs: the warning when it starts failing (with the failure's text), the message when
 * it answers again, the debug line of an entry that cannot be read; `opaqueDefect` stands for a defect's text, which is
 * never logged (it comes from the store's code and may quote what it was given).
 *
 * @since 0.1.0
 * @category models
 */
export const logMessages = {
  startedFailing: "effect-oauth2: token store failing; fetching tokens directly until it answers",
  answeringAgain: "effect-oauth2: token store answering again; sharing tokens through it",
  entryUnreadable: "effect-oauth2: token store entry unreadable; treated as a miss",
  opaqueDefect: "an unexpected defect"
} as const

/**
 * A store that answers everything.
 *
 * @since 0.1.0
 * @category constructors
 */
export const answering: Health = { _tag: "Answering" }

/**
 * What an operation's outcome changes: the next health, and whether the store started or stopped failing.
 *
 * @since 0.1.0
 * @category models
 */
export interface HealthStep {
  readonly health: Health
  readonly change: "startedFailing" | "answeringAgain" | undefined
}

/**
 * The health after an operation of `kind` answered (`ok`) or failed.
 *
 * @since 0.1.0
 * @category constructors
 */
export const healthAfter = (health: Health, kind: OperationKind, ok: boolean): HealthStep => {
  if (health._tag === "Answering") {
    return ok
      ? { health, change: undefined }
      : { health: { _tag: "Failing", kinds: new Set([kind]) }, change: "startedFailing" }
  }
  if (ok !== health.kinds.has(kind)) return { health, change: undefined }
  if (ok && health.kinds.size === 2) return { health: answering, change: "answeringAgain" }
  const kinds = new Set(health.kinds)
  if (ok) kinds.delete(kind)
  else kinds.add(kind)
  return kinds.size === 0
    ? { health: answering, change: "answeringAgain" }
    : { health: { _tag: "Failing", kinds }, change: undefined }
}

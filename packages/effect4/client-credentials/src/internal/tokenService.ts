/**
 * `TokenService` put together, on Effect 4: how it is made (the token endpoint with its retries, the engine of the
 * cells, `getFor`, `invalidate`) is `tokenServiceMake.ts`'s, written once for both lines; this module keeps the cells.
 *
 * The configured request's cell is held here for the layer's life, and `get` goes straight to it: it is never
 * evicted. Every other request's cell is a value of Effect's `Cache`, keyed by its `RequestKey` (compared and hashed
 * by its canonical form), of `cacheCapacity` entries and no time to live (a cell keeps its own token's time): the
 * least recently used cell is dropped first, and a request used again after its cell was dropped gets a new, empty
 * one. While a cell is kept, every change of its token happens inside it, so however often tokens are dropped and
 * fetched again nothing accumulates; `invalidate` drops a token in its cell, which stays (with the rejection that
 * protects the next token: `@effect-oauth2/core/tokenState`).
 *
 * A cell with a fetch or a refresh in flight is in a registry of busy cells too, from the moment it starts that work
 * to the moment it ends it (`Engine.busyChanged`), and the Cache's `lookup` takes a cell from there before it makes a
 * new one. The Cache evicts by use alone; a busy cell it evicts is found again by the next call of its key, whose
 * callers then join the fetch in flight instead of starting another. The registry holds only cells whose work runs.
 *
 * How the Effect 3 line differs: there the cells live in its own `LruMap` (`lruMap.ts`), which passes over busy cells
 * when it drops. Effect 3.22's `Cache` drops the entry just used (capacity 3, `a b c a d` keeps `b c d`) and leaves a
 * node for good for every `invalidate`, `refresh` or `set` while under capacity; Effect 4.1.5's keeps the recently
 * used (`a b c a d` keeps `a c d`) and holds nothing per entry dropped, so this line uses it as it is. It cannot be
 * told which entries not to evict, hence the registry.
 */
import * as Cache from "effect/Cache"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import type * as Scope from "effect/Scope"
import type * as AccessToken from "../AccessToken.js"
import type * as TokenService from "../TokenService.js"
import type * as TokenStore from "../TokenStore.js"
import * as Telemetry from "./telemetry.js"
import type { Engine, FetchError } from "./tokenCell.js"
import { TokenCell } from "./tokenCell.js"
import type * as tokenRequest from "./tokenRequest.js"
import * as Make from "./tokenServiceMake.js"

export { dpopOf, isTokenServiceImpl, peekOf, telemetryOf, TokenServiceImpl, TypeId } from "./tokenServiceMake.js"

/** The cells of one service: the configured request's, held for the layer's life, and the others' in a `Cache`. */
export class Cells implements Make.Cells {
  private constructor(
    readonly configured: TokenCell,
    readonly cache: Cache.Cache<tokenRequest.RequestKey, TokenCell>,
    readonly busy: ReadonlyMap<string, TokenCell>
  ) {}

  /**
   * The cells of `engine`'s service: `configuredKey`'s, and a `Cache` of `capacity` others. `engine` is told when a
   * cell starts or stops being busy by the registry made here.
   */
  static make(
    configuredKey: tokenRequest.RequestKey,
    engine: Omit<Engine, "busyChanged">,
    capacity: number
  ): Effect.Effect<Cells> {
    const busy = new Map<string, TokenCell>()
    const withRegistry: Engine = {
      ...engine,
      busyChanged: (cell, isBusy) => {
        if (isBusy) busy.set(cell.key.canonical, cell)
        else if (busy.get(cell.key.canonical) === cell) busy.delete(cell.key.canonical)
      }
    }
    return Effect.map(
      Cache.make({
        capacity,
        // a busy cell the Cache evicted comes back: its callers join its work, none starts it again
        lookup: (key: tokenRequest.RequestKey) =>
          Effect.sync(() => busy.get(key.canonical) ?? new TokenCell(key, withRegistry))
      }),
      (cache) => new Cells(new TokenCell(configuredKey, withRegistry), cache, busy)
    )
  }

  getOther(key: tokenRequest.RequestKey): Effect.Effect<AccessToken.AccessToken, FetchError> {
    return Effect.flatMap(Cache.get(this.cache, key), cellGet)
  }

  holding(token: AccessToken.AccessToken): Effect.Effect<TokenCell | undefined> {
    if (this.configured.holds(token)) return Effect.succeed(this.configured)
    return Effect.map(Cache.values(this.cache), (cells) => {
      for (const cell of cells) if (cell.holds(token)) return cell
      return undefined
    })
  }
}

const cellGet = (cell: TokenCell) => cell.get

/** This line's cells, and its telemetry: its metrics in the context the layer is built with. */
const line: Make.Line<Cells> = {
  cells: Cells.make,
  telemetry: (labels) => Effect.map(Effect.context<never>(), (context) => Telemetry.make(labels, context))
}

/**
 * The service; invalid options, a key found not to fit when it is imported included, go to `invalid` (a defect for
 * `make`, a `Config.ConfigError` for `layerConfig`). With a `store`, fetches go through it (`fleet.ts`).
 */
export const makeWith = <E>(
  options: TokenService.Options & TokenService.StoreOptions,
  invalid: (problem: string) => Effect.Effect<never, E>,
  store?: TokenStore.Service
): Effect.Effect<Make.TokenServiceImpl<Cells>, E, HttpClient.HttpClient | Scope.Scope> =>
  Effect.flatMap(
    Effect.service(HttpClient.HttpClient),
    (client) => Make.makeWith(line, client, options, invalid, store)
  )

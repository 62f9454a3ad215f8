/**
 * `TokenService` put together, on Effect 3: how it is made (the token endpoint with its retries, the engine of the
 * cells, `getFor`, `invalidate`) is `tokenServiceMake.ts`'s, written once for both lines; this module keeps the cells.
 *
 * The configured request's cell is held for the layer's life, and `get` goes straight to it. Every other request's
 * cell lives in an `LruMap` of `cacheCapacity` cells, the least recently used dropped first (a request used again
 * after its cell was dropped gets a new, empty one). The map passes over a cell with a fetch or a refresh in flight
 * when it drops (it asks `TokenCell.isBusy`), so its callers and the next ones share that work; the cells have
 * nothing to tell it when they become busy (`busyChanged` does nothing).
 *
 * How the Effect 4 line differs: there the cells are the values of Effect's `Cache`, with a registry of busy cells
 * beside it. Effect 3.22's `Cache` drops the entry just used (capacity 3, `a b c a d` keeps `b c d`) and leaves a
 * node for good for every `invalidate`, `refresh` or `set` while under capacity (`lruMap.ts`), hence the `LruMap`
 * on this line.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as AccessToken from "../AccessToken.js"
import type * as TokenService from "../TokenService.js"
import type * as TokenStore from "../TokenStore.js"
import { LruMap } from "./lruMap.js"
import * as Telemetry from "./telemetry.js"
import type { Engine, FetchError } from "./tokenCell.js"
import { TokenCell } from "./tokenCell.js"
import type * as tokenRequest from "./tokenRequest.js"
import * as Make from "./tokenServiceMake.js"

export { dpopOf, isTokenServiceImpl, peekOf, telemetryOf, TokenServiceImpl, TypeId } from "./tokenServiceMake.js"

/** The cells of one service: the configured request's, held for the layer's life, and the others' in an `LruMap`. */
export class Cells implements Make.Cells {
  readonly configured: TokenCell
  // a cell with a fetch or a refresh in flight is not dropped: its callers and the next ones share that work
  private readonly others: LruMap<string, TokenCell>
  private readonly engine: Engine

  constructor(configuredKey: tokenRequest.RequestKey, engine: Omit<Engine, "busyChanged">, capacity: number) {
    // the map asks a cell whether it is busy when it drops: there is nothing to be told
    this.engine = { ...engine, busyChanged: () => {} }
    this.configured = new TokenCell(configuredKey, this.engine)
    this.others = new LruMap(capacity, (cell) => !cell.isBusy())
  }

  getOther(key: tokenRequest.RequestKey): Effect.Effect<AccessToken.AccessToken, FetchError> {
    return Effect.suspend(() => this.others.getOrCreate(key.canonical, () => new TokenCell(key, this.engine)).get)
  }

  holding(token: AccessToken.AccessToken): Effect.Effect<TokenCell | undefined> {
    return Effect.sync(() => {
      for (const cell of [this.configured, ...this.others.values()]) if (cell.holds(token)) return cell
      return undefined
    })
  }
}

/** This line's cells and telemetry. */
const line: Make.Line<Cells> = {
  cells: (configuredKey, engine, capacity) => Effect.sync(() => new Cells(configuredKey, engine, capacity)),
  telemetry: (labels) => Effect.sync(() => Telemetry.make(labels))
}

/**
 * @internal The service; invalid options, a key found not to fit when it is imported included, go to `invalid` (a
 * defect for `make`, a `ConfigError` for `layerConfig`). With a `store`, fetches go through it (`fleet.ts`).
 */
export const makeWith = <E>(
  options: TokenService.Options & TokenService.StoreOptions,
  invalid: (problem: string) => Effect.Effect<never, E>,
  store?: TokenStore.Service
): Effect.Effect<Make.TokenServiceImpl<Cells>, E, HttpClient.HttpClient | Scope.Scope> =>
  Effect.flatMap(HttpClient.HttpClient, (client) => Make.makeWith(line, client, options, invalid, store))

/** @internal The service, sharing its tokens through `store` when one is given. */
export const make = (
  options: TokenService.Options & TokenService.StoreOptions,
  store?: TokenStore.Service
): Effect.Effect<Make.TokenServiceImpl<Cells>, never, HttpClient.HttpClient | Scope.Scope> =>
  makeWith(options, (problem) => Effect.die(new Cause.IllegalArgumentException(`TokenService: ${problem}`)), store)

/**
 * A port on 127.0.0.1 that nothing listens on (bound, then closed): a connection to it is refused at once.
 */
import * as Effect from "effect/Effect"
import * as Net from "node:net"

/** A port on 127.0.0.1 that nothing listens on. */
export const closedPort: Effect.Effect<number> = Effect.async<number>((resume) => {
  const server = Net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as Net.AddressInfo
    server.close(() => resume(Effect.succeed(port)))
  })
})

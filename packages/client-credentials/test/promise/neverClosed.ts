/**
 * Run as a child process by `promise.test.ts`: gets a token and makes a call from a server it starts, closes that
 * server, never closes the client, and must exit on its own. Prints the token and the API's answer.
 */
import { createTokenClient } from "@effect-oauth2/client-credentials/promise"
import * as Server from "./server.js"

const server = await Server.start((_, response) => response.end("api ok"))
const client = createTokenClient({ tokenUrl: server.tokenUrl, clientId: "app", clientSecret: "s3cret" })
const token = await client.getToken()
const response = await client.fetch(`${server.url}/api`)
console.log(`${token} ${await response.text()}`)
await server.close()

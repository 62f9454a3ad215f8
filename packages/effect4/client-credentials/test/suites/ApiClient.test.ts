/** The behavioural suite of AuthorizedClient (`docs/api-client.md`), on the Effect 4 line. */
import * as ApiClient from "@effect-oauth2/suites/ApiClient"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

ApiClient.suite({ assert, describe, it }, line)

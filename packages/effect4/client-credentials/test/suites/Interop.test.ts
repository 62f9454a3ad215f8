/** The behavioural suite of the oidc-provider interop, on the Effect 4 line. */
import * as Interop from "@effect-oauth2/suites/Interop"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

Interop.suite({ assert, describe, it }, line)

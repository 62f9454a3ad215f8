/** The behavioural suite of DPoP (`docs/dpop.md`), on the Effect 3 line. */
import * as Dpop from "@effect-oauth2/suites/Dpop"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

Dpop.suite({ assert, describe, it }, line)

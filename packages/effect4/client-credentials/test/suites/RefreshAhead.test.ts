/** The behavioural suite of refresh ahead (`docs/behaviour.md#refresh-ahead`), on the Effect 4 line. */
import * as RefreshAhead from "@effect-oauth2/suites/RefreshAhead"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

RefreshAhead.suite({ assert, describe, it }, line)

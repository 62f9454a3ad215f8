import * as RefreshAhead from "@effect-oauth2/suites/suites/RefreshAhead"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

RefreshAhead.suite({ assert, describe, it }, line)

import * as Fleet from "@effect-oauth2/suites/suites/Fleet"
import { assert, describe, it } from "vitest"
import { line } from "../../../client-credentials/test/line.js"

Fleet.suite({ assert, describe, it }, line)

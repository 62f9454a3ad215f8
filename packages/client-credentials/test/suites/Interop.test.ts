import * as Interop from "@effect-oauth2/suites/suites/Interop"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

Interop.suite({ assert, describe, it }, line)

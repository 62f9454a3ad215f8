import * as PromiseApi from "@effect-oauth2/suites/suites/PromiseApi"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

PromiseApi.suite({ assert, describe, it }, line)

import * as ApiClient from "@effect-oauth2/suites/suites/ApiClient"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

ApiClient.suite({ assert, describe, it }, line)

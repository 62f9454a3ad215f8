import * as ScopesAndResources from "@effect-oauth2/suites/suites/ScopesAndResources"
import { assert, describe, it } from "vitest"
import { line } from "../line.js"

ScopesAndResources.suite({ assert, describe, it }, line)

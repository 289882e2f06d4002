package httpapi

import "jobflow/internal/openapi"

// schemaDocs add what Go types cannot say to the reflected schemas:
// descriptions, bounds, formats and enums of plain strings, keyed by
// component ("Run") or property ("Run.params"; nested inline objects and
// array items by ".name" and "[]"). New fields can say it in their struct
// tags instead (doc:"…", enum:"A,B").
var schemaDocs = map[string]openapi.Schema{}

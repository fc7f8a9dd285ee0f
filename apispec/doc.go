// Package apispec lists every name the Mizu WebPhone documentation gives the
// JavaScript API (functions, callbacks, deprecated aliases, the API_* helper
// names, skin helpers and the old call-state names), as digested in
// mizu_api.md, with each name's parameters, documented failure value and
// status in this engine.
//
// names.json is the table. `go generate ./apispec` writes from it:
// docs/api-status.md (the status table for readers), docs/api-reference.md
// (the API reference: parameters, return values, status, notes),
// www/webphone_api.d.ts (the TypeScript declarations of the whole API and its
// callbacks) and the NOT_BUILT block of www/webphone_api.js (the stubs that
// make every unbuilt name exist, answer its failure value and log "not
// supported" once). The tests of this package fail when a generated file is
// stale, when the declarations miss a name, when webphone_api.js does not
// define a built name, or when a built function is not exported by the Go
// side.
package apispec

//go:generate go run ./gen -root ..

package apispec

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

//go:embed names.json
var namesJSON []byte

// Kind says what a name is.
type Kind string

// The kinds of names.
const (
	KindFunction  Kind = "function"  // a documented API function
	KindAlias     Kind = "alias"     // another name of Of (deprecated or misspelt)
	KindHelper    Kind = "helper"    // a [v4.2] helper, version or skin function
	KindAPI       Kind = "api"       // an applet-era API_* name
	KindCallback  Kind = "callback"  // a callback registrar (onXxx)
	KindCallState Kind = "callstate" // an old onCallStateChange event name
)

// Status says how far a name is built.
type Status string

// The statuses.
const (
	Implemented   Status = "implemented"
	Partial       Status = "partial"           // works, with the limit in Note
	NotSupported  Status = "not supported yet" // answers its failure value
	NotApplicable Status = "not applicable"    // answers the documented browser-engine value
)

// Name is one documented name.
type Name struct {
	Name   string `json:"name"`
	Kind   Kind   `json:"kind"`
	Params string `json:"params"`
	Status Status `json:"status"`
	// Fail is the documented failure value as JSON (false, "", -1, null,
	// ...); nil for callbacks and call-state names.
	Fail json.RawMessage `json:"fail,omitempty"`
	// Callback is the position of a callback argument that receives the
	// answer, if the function has one.
	Callback *int `json:"cb,omitempty"`
	// Go is the member of the Go API object (jsbridge.EngineAPI) a built
	// function forwards to.
	Go string `json:"go,omitempty"`
	// Of is the name an alias stands for.
	Of   string `json:"of,omitempty"`
	Ref  string `json:"ref,omitempty"`  // where mizu_api.md describes it
	Note string `json:"note,omitempty"` // the limit or decision, if any
	// TSParams, when set, is the TypeScript parameter list of a function
	// (in place of the one derived from Params), or of a callback's
	// listener. TSReturns, when set, is a function's TypeScript return type
	// (in place of the one derived from Fail). See tsdecl.go.
	TSParams  string `json:"ts_params,omitempty"`
	TSReturns string `json:"ts_returns,omitempty"`
}

// Built reports whether the name does its job (fully or with a documented
// limit).
func (n Name) Built() bool { return n.Status == Implemented || n.Status == Partial }

// Member reports whether the name is a member of webphone_api (everything
// but the call-state names).
func (n Name) Member() bool { return n.Kind != KindCallState }

// IsFunction reports whether the member is a function that answers a value
// (not a callback registrar).
func (n Name) IsFunction() bool {
	if !n.Member() || n.Kind == KindCallback {
		return false
	}
	return n.Kind != KindAlias || n.Fail != nil
}

// All returns the table in its documented order.
func All() ([]Name, error) {
	var names []Name
	if err := json.Unmarshal(namesJSON, &names); err != nil {
		return nil, fmt.Errorf("apispec: names.json: %w", err)
	}
	return names, nil
}

// Command gen writes deploy/kamailio/kamailio.cfg: the template the tests
// run, rendered with kamailio.ExampleConfig (run by `go generate
// ./deploy/kamailio`).
package main

import (
	"fmt"
	"os"

	"github.com/opensoftphone/webphone/deploy/kamailio"
)

func main() {
	s, err := kamailio.Shipped(kamailio.ExampleConfig)
	if err == nil {
		err = os.WriteFile(kamailio.ShippedFile, []byte(s), 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "deploy/kamailio/gen:", err)
		os.Exit(1)
	}
}

// Command gen writes lacaudit.conf.example from the configuration defaults:
// run `go run ./config/gen` from the repository root after changing them.
package main

import (
	"fmt"
	"os"

	"github.com/lacaudit/lacaudit/config"
)

func main() {
	if err := os.WriteFile("lacaudit.conf.example", []byte(config.Example()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

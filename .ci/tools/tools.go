//go:build tools

// Package tools pins the Go tools .ci/scan builds: go.mod names their versions and go.sum the
// hash of every module they are built from, which the go command checks before building
// (https://go.dev/ref/mod#go-sum-files). Update with `go get <module>@<version>` in this folder
// (Dependabot's gomod ecosystem proposes new versions).
package tools

import _ "github.com/rhysd/actionlint/cmd/actionlint"

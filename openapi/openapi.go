// Package openapi embeds the OpenAPI 3 document of the public API, the
// source of truth that tests validate every request and response against,
// and the offline docs page that renders it.
package openapi

import (
	"embed"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed openapi.yaml paths_*.yaml schemas_*.yaml
var files embed.FS

//go:embed docs.html
var docsPage []byte

var (
	loadOnce sync.Once
	doc      *openapi3.T
	docJSON  []byte
	loadErr  error
)

// Load parses and validates the embedded document once.
func Load() (*openapi3.T, error) {
	loadOnce.Do(func() {
		var spec []byte
		if spec, loadErr = assemble(); loadErr != nil {
			return
		}
		loader := openapi3.NewLoader()
		doc, loadErr = loader.LoadFromData(spec)
		if loadErr == nil {
			loadErr = doc.Validate(loader.Context)
		}
		if loadErr == nil {
			docJSON, loadErr = json.Marshal(doc)
		}
		if loadErr != nil {
			loadErr = fmt.Errorf("openapi document: %w", loadErr)
		}
	})
	return doc, loadErr
}

// JSON returns the document as JSON, for GET /openapi.json.
func JSON() ([]byte, error) {
	_, err := Load()
	return docJSON, err
}

// DocsPage returns the self-contained HTML page that renders the document.
func DocsPage() []byte { return docsPage }

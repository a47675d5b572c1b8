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

// redoc is Redoc's standalone bundle (MIT), vendored from npm at the
// version named in redoc/VERSION; the docs page loads it from this server.
//
//go:embed redoc/redoc.standalone.js
var redoc []byte

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

// DocsPage returns the HTML page that renders the document with Redoc.
func DocsPage() []byte { return docsPage }

// DocsScript returns the Redoc bundle the docs page loads.
func DocsScript() []byte { return redoc }

package openapi

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestEveryOperationHasExamples: every request body, every successful
// response with a body and the shared problem response show an example for
// each of their media types, and every example is valid against its schema.
func TestEveryOperationHasExamples(t *testing.T) {
	doc, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	var missing, invalid []string
	check := func(name string, media *openapi3.MediaType) {
		var examples []any
		if media.Example != nil {
			examples = append(examples, media.Example)
		}
		for _, ex := range media.Examples {
			if ex.Value != nil {
				examples = append(examples, ex.Value.Value)
			}
		}
		if len(examples) == 0 {
			missing = append(missing, name)
		}
		for _, ex := range examples {
			if err := media.Schema.Value.VisitJSON(ex, openapi3.MultiErrors()); err != nil {
				invalid = append(invalid, fmt.Sprintf("%s: %v", name, err))
			}
		}
	}
	operations := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			operations++
			if op.RequestBody != nil {
				for mt, media := range op.RequestBody.Value.Content {
					check(method+" "+path+" request "+mt, media)
				}
			}
			for code, resp := range op.Responses.Map() {
				if !strings.HasPrefix(code, "2") || resp.Value == nil {
					continue
				}
				for mt, media := range resp.Value.Content {
					check(method+" "+path+" "+code+" "+mt, media)
				}
			}
		}
	}
	for mt, media := range doc.Components.Responses["Problem"].Value.Content {
		check("the Problem response "+mt, media)
	}
	sort.Strings(missing)
	sort.Strings(invalid)
	if len(missing) > 0 {
		t.Errorf("%d bodies without an example:\n  %s", len(missing), strings.Join(missing, "\n  "))
	}
	if len(invalid) > 0 {
		t.Errorf("%d examples that do not follow their schema:\n  %s", len(invalid), strings.Join(invalid, "\n  "))
	}
	if operations < 70 {
		t.Errorf("only %d operations in the document", operations)
	}
}

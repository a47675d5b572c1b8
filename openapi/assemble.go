package openapi

import (
	"encoding/json"
	"fmt"
	"io/fs"

	"go.yaml.in/yaml/v4"
)

// assemble merges the document's parts: openapi.yaml holds the info and the
// shared components; each area of the API keeps its paths in
// paths_<area>.yaml and its schemas in schemas_<area>.yaml. A path or schema
// defined twice is an error.
func assemble() ([]byte, error) {
	var root map[string]any
	if err := readYAML("openapi.yaml", &root); err != nil {
		return nil, err
	}
	paths := map[string]any{}
	schemas := map[string]any{}
	for _, part := range []struct {
		glob string
		into map[string]any
	}{{"paths_*.yaml", paths}, {"schemas_*.yaml", schemas}} {
		names, err := fs.Glob(files, part.glob)
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			var m map[string]any
			if err := readYAML(name, &m); err != nil {
				return nil, err
			}
			for k, v := range m {
				if _, dup := part.into[k]; dup {
					return nil, fmt.Errorf("%s: %q is defined twice", name, k)
				}
				part.into[k] = v
			}
		}
	}
	root["paths"] = paths
	components, _ := root["components"].(map[string]any)
	if components == nil {
		return nil, fmt.Errorf("openapi.yaml has no components")
	}
	components["schemas"] = schemas
	return json.Marshal(root)
}

func readYAML(name string, v any) error {
	b, err := files.ReadFile(name)
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

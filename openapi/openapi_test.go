package openapi

import "testing"

func TestLoad(t *testing.T) {
	doc, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Paths.Map()) == 0 {
		t.Fatal("no paths")
	}
	b, _ := JSON()
	if len(b) < 100 {
		t.Fatal("JSON too short")
	}
}

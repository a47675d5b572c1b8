package helpdesk_test

import (
	"errors"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
)

// An unknown placeholder written twice in a saved reply's body is named
// once; each different one is named.
func TestSavedReplyUnknownPlaceholderNamedOnce(t *testing.T) {
	name, body := "Typo", "{{order.nubmer}} and {{order.nubmer}}, {{ordr.status}}"
	err := helpdesk.SavedReplyInput{Name: &name, Body: &body}.Validate(true)
	var de *deskpool.Error
	if !errors.As(err, &de) || de.Code != deskpool.EINVALID || len(de.Fields) != 2 {
		t.Fatalf("err = %#v, want EINVALID naming the two unknown placeholders once each", err)
	}
}

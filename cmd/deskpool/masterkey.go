package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"strings"

	"github.com/deskpool/deskpool/secretbox"
)

// masterBox opens the secret box from DESKPOOL_MASTER_KEY, written
// "id:base64,id:base64" with the current key first, so keys can rotate.
// With none set it makes a throwaway key and warns: secrets sealed with it
// cannot be opened after a restart.
func masterBox(spec string, log *slog.Logger) (*secretbox.Box, error) {
	keys := map[string][]byte{}
	current := ""
	if strings.TrimSpace(spec) == "" {
		k := make([]byte, 32)
		_, _ = rand.Read(k)
		log.Warn("DESKPOOL_MASTER_KEY is not set: using a throwaway key; shop credentials and webhook secrets will not survive a restart")
		return secretbox.New(map[string][]byte{"ephemeral": k}, "ephemeral")
	}
	for i, part := range strings.Split(spec, ",") {
		id, b64, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok {
			return nil, fmt.Errorf("DESKPOOL_MASTER_KEY: entry %d must be id:base64key", i+1)
		}
		k, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(k) != 32 {
			return nil, fmt.Errorf("DESKPOOL_MASTER_KEY: key %q must be 32 bytes in base64", id)
		}
		if current == "" {
			current = id
		}
		keys[id] = k
	}
	return secretbox.New(keys, current)
}

package temporalserver

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/config"
)

// APIKeyFile is the file in the data dir holding the frontend's API key.
// It is created on the first start (mode 0600) and kept, so that other
// jobflow processes and the temporal CLI can be given the same key.
const APIKeyFile = "temporal-api-key"

// keyBytes is the length of the generated keys before hex encoding.
const keyBytes = 32

// loadOrCreateAPIKey reads the API key from dir, creating it when missing.
// An empty or damaged file is an error rather than silently replaced: other
// processes may hold the key.
func loadOrCreateAPIKey(dir string) (string, error) {
	path := filepath.Join(dir, APIKeyFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		key := strings.TrimSpace(string(b))
		if len(key) < 32 {
			return "", fmt.Errorf("temporal API key %s is shorter than 32 characters; delete it to generate a new one", path)
		}
		return key, nil
	case !errors.Is(err, os.ErrNotExist):
		return "", fmt.Errorf("temporal API key: %w", err)
	}
	key := randomKey()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("temporal API key: %w", err)
	}
	if _, err := f.WriteString(key + "\n"); err != nil {
		f.Close()
		return "", fmt.Errorf("temporal API key: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("temporal API key: %w", err)
	}
	return key, nil
}

func randomKey() string {
	b := make([]byte, keyBytes)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return hex.EncodeToString(b)
}

// keyClaimMapper gives claims by the Bearer key a request carries: jobflow's
// own key is a system admin, the Web UI's key a system reader (or writer
// when the UI may write), anything else nothing, which the default
// authorizer turns into PermissionDenied for every API but the health
// checks.
type keyClaimMapper struct {
	admin, ui []byte
	uiRole    authorization.Role
}

var (
	_ authorization.ClaimMapper                     = (*keyClaimMapper)(nil)
	_ authorization.ClaimMapperWithAuthInfoRequired = (*keyClaimMapper)(nil)
)

func (m *keyClaimMapper) GetClaims(info *authorization.AuthInfo) (*authorization.Claims, error) {
	token := info.AuthToken
	if len(token) < 7 || !strings.EqualFold(token[:7], "Bearer ") {
		return nil, nil
	}
	got := []byte(strings.TrimSpace(token[7:]))
	switch {
	case subtle.ConstantTimeCompare(got, m.admin) == 1:
		return &authorization.Claims{Subject: "jobflow", System: authorization.RoleAdmin, AuthType: "api-key"}, nil
	case subtle.ConstantTimeCompare(got, m.ui) == 1:
		return &authorization.Claims{Subject: "jobflow-web-ui", System: m.uiRole, AuthType: "api-key"}, nil
	}
	return nil, nil
}

// AuthInfoRequired is false so that requests without any credential reach
// GetClaims too (and get no claims) instead of skipping authorization.
func (*keyClaimMapper) AuthInfoRequired() bool { return false }

func (m *keyClaimMapper) provider() func(*config.Config) authorization.ClaimMapper {
	return func(*config.Config) authorization.ClaimMapper { return m }
}

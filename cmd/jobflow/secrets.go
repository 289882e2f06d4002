package main

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Files in the data dir that hold the secrets a standalone install
// generates on its first start (mode 0600).
const (
	jwtSecretFile     = "jwt-secret"
	encryptionKeyFile = "encryption-key"
)

// loadSecrets fills the JWT secret and the encryption key that the
// environment did not set: from their files in the data dir, generated there
// on the first start. Tokens and encrypted passwords thus stay valid across
// restarts without any configuration.
func loadSecrets(cfg *Config) error {
	if cfg.JWTSecret == nil {
		s, err := secretFile(filepath.Join(cfg.DataDir, jwtSecretFile))
		if err != nil {
			return fmt.Errorf("JWT secret: %w", err)
		}
		cfg.JWTSecret = []byte(s)
	}
	if cfg.EncryptionKey == nil {
		s, err := secretFile(filepath.Join(cfg.DataDir, encryptionKeyFile))
		if err != nil {
			return fmt.Errorf("encryption key: %w", err)
		}
		key, err := parseKey(s)
		if err != nil {
			return fmt.Errorf("encryption key in %s: %w", filepath.Join(cfg.DataDir, encryptionKeyFile), err)
		}
		cfg.EncryptionKey = key
	}
	return nil
}

// secretFile returns the content of path, first writing 32 random bytes
// (base64) there if it does not exist. O_EXCL makes a concurrent first start
// keep one secret, not two.
func secretFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		s := strings.TrimSpace(string(b))
		if len(s) < minJWTSecret {
			return "", fmt.Errorf("%s holds no secret: delete it to generate a new one", path)
		}
		return s, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	secret := base64.StdEncoding.EncodeToString(raw[:])
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return secretFile(path)
	} else if err != nil {
		return "", err
	}
	if _, err := f.WriteString(secret + "\n"); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return secret, nil
}

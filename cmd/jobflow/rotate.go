package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
)

// rotateKey is `jobflow rotate-key`: every stored secret is re-encrypted
// from the current key (JOBFLOW_ENCRYPTION_KEY, or in a standalone data dir
// its generated key file) to JOBFLOW_NEW_ENCRYPTION_KEY, in one
// transaction. When the current key came from the data dir's file, the
// file then holds the new key. Stop jobflow first: a running process keeps
// the old key and cannot decrypt the rotated secrets until it restarts.
func rotateKey(ctx context.Context, cfg *Config, getenv func(string) string, log *slog.Logger, stdout io.Writer) error {
	raw := getenv("JOBFLOW_NEW_ENCRYPTION_KEY")
	if raw == "" {
		return &settingError{"JOBFLOW_NEW_ENCRYPTION_KEY", "required by rotate-key: the key to move the secrets to (try: openssl rand -base64 32)"}
	}
	newKey, err := parseKey(raw)
	if err != nil {
		return &settingError{"JOBFLOW_NEW_ENCRYPTION_KEY", err.Error()}
	}
	fromFile := cfg.EncryptionKey == nil
	if fromFile {
		if err := loadSecrets(cfg); err != nil {
			return err
		}
	}
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := st.RotateKey(ctx, newKey)
	if err != nil {
		return fmt.Errorf("rotate the encryption key (nothing was changed): %w", err)
	}
	if fromFile {
		// Written beside, then renamed over: the key file is never half-written.
		path := filepath.Join(cfg.DataDir, encryptionKeyFile)
		if err := os.WriteFile(path+".new", []byte(raw+"\n"), 0o600); err != nil {
			return fmt.Errorf("the secrets use the new key now, but writing it to %s failed: %w; write JOBFLOW_NEW_ENCRYPTION_KEY there by hand", path, err)
		}
		if err := os.Rename(path+".new", path); err != nil {
			return fmt.Errorf("the secrets use the new key now, but replacing %s failed: %w; write JOBFLOW_NEW_ENCRYPTION_KEY there by hand", path, err)
		}
	}
	fmt.Fprintf(stdout, "re-encrypted %d secrets with the new key\n", n)
	if !fromFile {
		fmt.Fprintln(stdout, "start jobflow with JOBFLOW_ENCRYPTION_KEY set to the new key")
	}
	return nil
}

package temporalserver

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"go.temporal.io/server/common/config"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/schema/sqlite"
)

// File names inside the data dir.
const (
	dbFileName   = "temporal.db"
	lockFileName = "temporal.lock"
)

// sqlConfig is the SQLite persistence of the embedded server. WAL with
// synchronous=NORMAL survives a killed process (only an OS crash may lose the
// last transactions) and avoids an fsync per write; one connection, because
// Temporal's read-then-write transactions would otherwise meet SQLITE_BUSY.
func sqlConfig(path string) *config.SQL {
	return &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: path,
		ConnectAttributes: map[string]string{
			"mode":         "rwc",
			"journal_mode": "wal",
			"synchronous":  "normal",
			"busy_timeout": "10000",
		},
		MaxConns:     1,
		MaxIdleConns: 1,
	}
}

// The two SQLite stores of the embedded server. Visibility has a file of
// its own: each SQLite file has one connection, and the visibility rows
// (a REPLACE of a row with some thirty indexed columns per workflow start,
// close and search-attribute change) then no longer wait in line with the
// history writes that every workflow step waits for. The visibility file
// is set up by the same SetupSchema as temporal.db, so it holds the
// execution tables too, left empty.
const (
	defaultStore    = "sqlite-default"
	visibilityStore = "sqlite-visibility"
	visFileName     = "temporal-visibility.db"
)

// visibilityPath is the visibility store's file in dataDir. A data dir
// made before visibility had a file of its own (temporal.db there, no
// visibility file) keeps its visibility in temporal.db, where its
// schedules and closed runs are listed.
func visibilityPath(dataDir string) (string, error) {
	vis := filepath.Join(dataDir, visFileName)
	if _, err := os.Stat(vis); err == nil {
		return vis, nil
	}
	if _, err := os.Stat(filepath.Join(dataDir, dbFileName)); err == nil {
		return filepath.Join(dataDir, dbFileName), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	return vis, nil
}

// prepareDatabase makes sure the SQLite file at path holds Temporal's schema.
// The schema is created only when the file does not exist yet, so a second
// start keeps schedules and histories. It is built in a temporary file that
// is renamed into place at the end, so a crash half-way through set-up
// leaves no file that looks set up but is not.
func prepareDatabase(path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	tmp := path + ".init"
	for _, f := range []string{tmp, tmp + "-wal", tmp + "-shm", tmp + "-journal"} {
		_ = os.Remove(f) // leftovers of an interrupted set-up
	}
	// Plain rollback journal while setting up: no -wal file is left beside
	// the temporary file when it is renamed.
	cfg := &config.SQL{
		PluginName:        sqliteplugin.PluginName,
		DatabaseName:      tmp,
		ConnectAttributes: map[string]string{"mode": "rwc"},
	}
	if err := sqlite.SetupSchema(cfg); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("create temporal schema: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return nil
}

// lockDataDir takes an exclusive lock on the data dir, so that two processes
// never run Temporal on the same SQLite file. The lock is released when the
// returned file is closed, or when the process dies.
func lockDataDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFileName), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("data dir %s is in use by another process", dir)
	}
	return f, nil
}

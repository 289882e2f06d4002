package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the backup opens the SQLite files itself
)

// `jobflow backup <dir>` makes a consistent copy of a standalone data dir
// while jobflow runs: the store (jobflow.db) and the embedded Temporal
// server's databases (temporal.db and its visibility store,
// temporal-visibility.db), each with SQLite's VACUUM INTO (one
// read transaction: a consistent snapshot, taken beside the running
// writers without stopping them), and the generated secrets (the JWT
// secret that signs invoke and login tokens, the key of the secrets at
// rest). <dir> becomes a data dir: JOBFLOW_DATA_DIR=<dir> jobflow starts
// on it with the same workflows, runs, versions, tokens and schedules.
//
// Temporal's databases are copied first (visibility, which lists
// schedules and runs, before the executions), the store last. The store is the
// source of truth, so the newer copy is the one that decides: a run the
// store has as RUNNING whose execution the Temporal copy lacks is settled
// by the run reconciler, and a published workflow whose schedule the copy
// lacks gets it back from the schedule reconciler. For PostgreSQL use
// pg_dump of both databases instead (docs/operations.md#backups).

// backupFiles are the SQLite databases of a data dir, in backup order.
var backupFiles = []string{"temporal-visibility.db", "temporal.db", "jobflow.db"}

func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		return errors.New("usage: jobflow backup <dir> (a new or empty directory; JOBFLOW_DATA_DIR names the data dir to copy)")
	}
	dest := args[0]
	if u := getenv("JOBFLOW_DATABASE_URL"); strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://") {
		return errors.New("jobflow backup copies a standalone data dir (SQLite); for PostgreSQL use pg_dump of the jobflow and Temporal databases (JOBFLOW_DATABASE_URL)")
	}
	src := getenv("JOBFLOW_DATA_DIR")
	if src == "" {
		src = "./data"
	}
	storeFile := filepath.Join(src, "jobflow.db")
	if u := getenv("JOBFLOW_DATABASE_URL"); u != "" {
		storeFile = strings.TrimPrefix(strings.TrimPrefix(u, "sqlite://"), "sqlite:")
	}
	if _, err := os.Stat(storeFile); err != nil {
		return fmt.Errorf("no store to back up at %s (JOBFLOW_DATA_DIR, JOBFLOW_DATABASE_URL): %w", storeFile, err)
	}
	if err := emptyDir(dest); err != nil {
		return err
	}

	begin := time.Now()
	for _, name := range backupFiles {
		from := filepath.Join(src, name)
		if name == "jobflow.db" {
			from = storeFile
		}
		if _, err := os.Stat(from); errors.Is(err, os.ErrNotExist) && name != "jobflow.db" {
			// An external Temporal cluster (back it up there), or a data
			// dir made before visibility had a file of its own.
			continue
		}
		to := filepath.Join(dest, name)
		if err := vacuumInto(ctx, from, to); err != nil {
			return fmt.Errorf("back up %s: %w", from, err)
		}
		fi, _ := os.Stat(to)
		fmt.Fprintf(stdout, "%s -> %s (%d bytes)\n", from, to, fi.Size())
	}
	for _, name := range []string{jwtSecretFile, encryptionKeyFile} {
		from := filepath.Join(src, name)
		b, err := os.ReadFile(from)
		if errors.Is(err, os.ErrNotExist) {
			continue // set by JOBFLOW_JWT_SECRET / JOBFLOW_ENCRYPTION_KEY instead
		} else if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dest, name), b, 0o600); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s -> %s\n", from, filepath.Join(dest, name))
	}
	fmt.Fprintf(stdout, "backup done in %s; start on it with JOBFLOW_DATA_DIR=%s jobflow standalone\n",
		time.Since(begin).Round(time.Millisecond), dest)
	return nil
}

// emptyDir creates dir (0700) or checks that it is empty, so a backup
// never mixes with older files.
func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return os.MkdirAll(dir, 0o700)
	} else if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("backup directory %s is not empty", dir)
	}
	return nil
}

// vacuumInto writes a consistent, compacted copy of the SQLite database
// from into the new file to. It waits up to 30 s for a writer's lock.
func vacuumInto(ctx context.Context, from, to string) error {
	db, err := sql.Open("sqlite", from+"?_pragma=busy_timeout(30000)")
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, `VACUUM INTO '`+strings.ReplaceAll(to, "'", "''")+`'`)
	return err
}

package activities

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"jobflow"
)

// Who a SHELL or PYTHON job runs as, and where (docs/security.md). When
// the worker runs as root, each tenant's jobs run as that tenant's own
// unprivileged OS user: the tenant's osUser when a SYS_ADMIN named one,
// else jf-<tenant>, which the worker creates on demand. Jobs of one tenant
// share that uid; jobs of different tenants never do. A worker that is not
// root runs jobs as its own user (a laptop), with none of these walls.

// osUser is who a job runs as. uid -1: the worker's own user.
type osUser struct {
	name     string
	uid, gid int
	home     string
}

var workerUser = osUser{uid: -1, gid: -1}

// tenantIDRE is the shape of ids jobflow makes for tenants (tn_ + base32).
var tenantIDRE = regexp.MustCompile(`^tn_[0-9a-z]{1,28}$`)

// TenantOSUser is the OS user a worker creates for a tenant without an
// osUser: "jf-" and the tenant id without its "tn_" prefix (at most 31
// characters), or "jf-" and 16 hex digits of its SHA-256 for an id of
// another shape. The same on every worker, so logs and ps agree.
func TenantOSUser(tenantID string) string {
	if tenantIDRE.MatchString(tenantID) {
		return "jf-" + tenantID[len("tn_"):]
	}
	sum := sha256.Sum256([]byte(tenantID))
	return "jf-" + hex.EncodeToString(sum[:8])
}

// lookupOSUser finds an unprivileged OS user by name.
func lookupOSUser(name string) (osUser, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return osUser{}, fmt.Errorf("OS user %q does not exist on this worker", name)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return osUser{}, fmt.Errorf("OS user %q has no numeric uid/gid", name)
	}
	if uid == 0 || gid == 0 {
		return osUser{}, fmt.Errorf("OS user %q is privileged (uid or gid 0); jobs never run as root", name)
	}
	return osUser{name: name, uid: uid, gid: gid, home: u.HomeDir}, nil
}

// Tenant users' uids and gids come from a range of their own, far from
// the system range (about 900 ids, soon used up by tenants) and from the
// subordinate ids of rootless containers (from 100000, 65536 a user), and
// below 2^31, which some tools mishandle.
const (
	tenantIDMin = 900000000
	tenantIDMax = 999999999
)

// userAdd serializes this worker's useradd calls; two workers on one
// machine are serialized by useradd's own lock on /etc/passwd. tenantUsers
// caches the users found, so a large /etc/passwd is not read per job.
var (
	userAdd     sync.Mutex
	tenantUsers sync.Map // name -> osUser
)

// ensureOSUser returns the tenant user name, creating it when missing: a
// system user with its own group, no home and no login shell.
func ensureOSUser(name, tenantID string) (osUser, error) {
	if u, ok := tenantUsers.Load(name); ok {
		return u.(osUser), nil
	}
	userAdd.Lock()
	defer userAdd.Unlock()
	u, err := lookupOSUser(name)
	if err != nil {
		r := func(k string, v int) []string { return []string{"-K", k + "=" + strconv.Itoa(v)} }
		args := slices.Concat([]string{"--system", "--user-group", "--no-create-home",
			"--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", "--comment", "jobflow tenant " + tenantID},
			r("SYS_UID_MIN", tenantIDMin), r("SYS_UID_MAX", tenantIDMax), r("SYS_GID_MIN", tenantIDMin), r("SYS_GID_MAX", tenantIDMax),
			[]string{name})
		out, err := exec.Command("useradd", args...).CombinedOutput()
		// Exit status 9: another worker created it meanwhile.
		var exit *exec.ExitError
		if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 9) {
			return osUser{}, fmt.Errorf("cannot create the tenant's OS user %s: %v: %s", name, err, out)
		}
		if u, err = lookupOSUser(name); err != nil {
			return osUser{}, err
		}
	}
	tenantUsers.Store(name, u)
	return u, nil
}

// tenantUserTTL bounds how long a tenant (its osUser, egressAllow …) is
// cached by a worker, so a SYS_ADMIN's change reaches jobs quickly without a
// store read per job.
const tenantUserTTL = 10 * time.Second

type cachedTenant struct {
	t  *jobflow.Tenant
	at time.Time
}

// jobUser is who a job of tenantID runs as: the worker's own user when the
// worker is not root, else the tenant's osUser, else its jf- user.
func (a *Activities) jobUser(ctx context.Context, tenantID string) (osUser, error) {
	if os.Geteuid() != 0 {
		return workerUser, nil
	}
	name, err := a.tenantOSUser(ctx, tenantID)
	if err != nil {
		return osUser{}, fmt.Errorf("cannot read the tenant's OS user: %v", err)
	}
	if name != "" {
		u, err := lookupOSUser(name)
		if err != nil {
			return osUser{}, configErrorf("%v (the tenant's osUser; a SYS_ADMIN sets it)", err)
		}
		return u, nil
	}
	u, err := ensureOSUser(TenantOSUser(tenantID), tenantID)
	if err != nil {
		return osUser{}, failf("%v", err)
	}
	return u, nil
}

func (a *Activities) tenantOSUser(ctx context.Context, tenantID string) (string, error) {
	t, err := a.tenant(ctx, tenantID)
	if err != nil || t == nil {
		return "", err
	}
	return t.OSUser, nil
}

// tenant is the tenant tenantID as read from Tenants at most tenantUserTTL
// ago; nil without Tenants.
func (a *Activities) tenant(ctx context.Context, tenantID string) (*jobflow.Tenant, error) {
	if a.Tenants == nil {
		return nil, nil
	}
	a.mu.Lock()
	c, ok := a.tenants[tenantID]
	a.mu.Unlock()
	if ok && time.Since(c.at) < tenantUserTTL {
		return c.t, nil
	}
	t, err := a.Tenants.FindTenantByID(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	if a.tenants == nil {
		a.tenants = map[string]cachedTenant{}
	}
	a.tenants[tenantID] = cachedTenant{t: t, at: time.Now()}
	a.mu.Unlock()
	return t, nil
}

// DefaultJobDir is where a root worker makes jobs' working directories.
const DefaultJobDir = "/var/lib/jobflow/jobs"

// jobsRoot is the parent of jobs' working directories: as root, a
// directory owned by root with mode 0711, so a job can enter its own
// directory (whose name it is told) but list nobody's; not as root, the
// system's temporary directory.
func (a *Activities) jobsRoot() (string, error) {
	if os.Geteuid() != 0 {
		return os.TempDir(), nil
	}
	dir := a.JobDir
	if dir == "" {
		dir = DefaultJobDir
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", err
	}
	if err := os.Mkdir(dir, 0o711); err != nil && !os.IsExist(err) {
		return "", err
	}
	// Whatever was there must be root's own directory, not a link or a
	// directory somebody else could write to.
	st, err := os.Lstat(dir)
	if err != nil {
		return "", err
	}
	sys, _ := st.Sys().(*syscall.Stat_t)
	if !st.IsDir() || sys == nil || sys.Uid != 0 {
		return "", fmt.Errorf("%s must be a directory owned by root", dir)
	}
	if st.Mode().Perm() != 0o711 {
		if err := os.Chmod(dir, 0o711); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// jobFile is a file the worker writes into a job's working directory.
type jobFile struct {
	name, content string
}

// workDir makes a job's working directory with files in it. The directory
// gets an unguessable name and stays root's, mode 0700, until every file
// is written (created exclusively, never through a link) and owned by the
// job's user; only then is the directory handed to the user. So nothing a
// job does can redirect a write of the worker's. root is jobsRoot's.
func (a *Activities) workDir(root string, u osUser, files ...jobFile) (string, error) {
	var b [16]byte
	rand.Read(b[:])
	dir := filepath.Join(root, "jobflow-"+hex.EncodeToString(b[:]))
	if err := os.Mkdir(dir, 0o700); err != nil {
		return "", err
	}
	for _, f := range files {
		if err := writeNew(filepath.Join(dir, f.name), f.content, u); err != nil {
			os.RemoveAll(dir)
			return "", err
		}
	}
	if u.uid >= 0 {
		if err := os.Chown(dir, u.uid, u.gid); err != nil {
			os.RemoveAll(dir)
			return "", err
		}
	}
	return dir, nil
}

// writeNew creates path (which must not exist; a link is not followed),
// mode 0600, writes content and gives it to u.
func writeNew(path, content string, u osUser) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		return err
	}
	if u.uid >= 0 {
		if err := f.Chown(u.uid, u.gid); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

// userEnv are the identity variables of a job that runs as u: its own
// home, name and a system PATH (the worker's PATH may point into root's
// home, which the job user cannot enter).
func userEnv(u osUser, dir string) []string {
	home := u.home
	if st, err := os.Stat(home); err != nil || !st.IsDir() {
		home = dir
	}
	return []string{"PATH=" + defaultPath, "HOME=" + home, "USER=" + u.name, "LOGNAME=" + u.name}
}

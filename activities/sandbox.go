package activities

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"time"

	"jobflow"
)

// DefaultJobUser is the OS user SHELL and PYTHON jobs run as when the worker
// runs as root and neither JOBFLOW_JOB_USER nor the tenant's osUser names
// another. The Docker image and .ci/run create it.
const DefaultJobUser = "jobflow-job"

// osUser is who a job runs as. uid -1: the worker's own user.
type osUser struct {
	name     string
	uid, gid int
	home     string
}

var workerUser = osUser{uid: -1, gid: -1}

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

// CheckJobUser is the start-up check of a worker's job user. As root, the
// user (DefaultJobUser when name is empty) must exist and be unprivileged.
// Not as root, jobs run as the worker's own user: shared is true, and the
// caller warns that jobs can read what that user can.
func CheckJobUser(name string) (shared bool, err error) {
	if os.Geteuid() != 0 {
		return true, nil
	}
	if name == "" {
		name = DefaultJobUser
	}
	if !jobflow.ValidOSUser(name) {
		return false, fmt.Errorf("%q is not a valid OS user name", name)
	}
	if _, err := lookupOSUser(name); err != nil {
		return false, fmt.Errorf("%v: create it (useradd --system --no-create-home %s) or name another", err, name)
	}
	return false, nil
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
// worker is not root, else the tenant's osUser, else JobUser, else
// DefaultJobUser.
func (a *Activities) jobUser(ctx context.Context, tenantID string) (osUser, error) {
	if os.Geteuid() != 0 {
		return workerUser, nil
	}
	name := a.JobUser
	if name == "" {
		name = DefaultJobUser
	}
	if t, err := a.tenantOSUser(ctx, tenantID); err != nil {
		return osUser{}, fmt.Errorf("cannot read the tenant's OS user: %v", err)
	} else if t != "" {
		name = t
	}
	u, err := lookupOSUser(name)
	if err != nil {
		return osUser{}, configErrorf("%v (set JOBFLOW_JOB_USER or the tenant's osUser)", err)
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

// workDir makes a job's working directory: mode 0700, owned by the job's
// user, so no other job user can look inside.
func workDir(jobID string, u osUser) (string, error) {
	dir, err := os.MkdirTemp("", "jobflow-"+jobID+"-")
	if err != nil {
		return "", err
	}
	if u.uid >= 0 {
		if err := os.Chown(dir, u.uid, u.gid); err != nil {
			os.RemoveAll(dir)
			return "", err
		}
	}
	return dir, nil
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

package main

import "syscall"

// nonDumpable sets PR_SET_DUMPABLE to 0 for this process: other processes
// of the same user (jobs, when the worker is not root) can then neither
// ptrace it nor read its /proc/<pid>/environ, mem, root or fd entries. It
// also disables core dumps, which would hold the same secrets. Threads and
// the children it starts (job supervisors re-exec the binary, which sets
// it again) keep it.
func nonDumpable() {
	const prSetDumpable = 4
	syscall.RawSyscall(syscall.SYS_PRCTL, prSetDumpable, 0, 0)
}

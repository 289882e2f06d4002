package supervise

// The seccomp filter every sandboxed job runs under (docs/security.md): a
// classic BPF program over struct seccomp_data that refuses, with EPERM,
// the calls a job has no business making — namespace creation (unshare,
// setns, and clone with a CLONE_NEW* flag), ptrace and reading other
// processes' memory, the kernel keyring, bpf, module loading, kexec, mount
// and the new mount API, perf events, userfaultfd, file handles, swap,
// reboot, acct, quotactl, syslog and io_uring. clone3 answers ENOSYS, so
// the C library falls back to clone, whose flags the filter can see. A
// call from another architecture's ABI (i386 through int 0x80, x32) kills
// the process: the numbers below would not mean the same there.

// sockFilter is struct sock_filter.
type sockFilter struct {
	code   uint16
	jt, jf uint8
	k      uint32
}

const (
	bpfLdAbsW   = 0x20 // BPF_LD|BPF_W|BPF_ABS
	bpfJeqK     = 0x15 // BPF_JMP|BPF_JEQ|BPF_K
	bpfJgeK     = 0x35 // BPF_JMP|BPF_JGE|BPF_K
	bpfJsetK    = 0x45 // BPF_JMP|BPF_JSET|BPF_K
	bpfRetK     = 0x06 // BPF_RET|BPF_K
	retAllow    = 0x7fff0000
	retErrno    = 0x00050000
	retKill     = 0x80000000 // SECCOMP_RET_KILL_PROCESS
	errnoEPERM  = 1
	errnoENOSYS = 38

	// Every CLONE_NEW* flag (CLONE_NEWTIME is 0x80, unused by clone's
	// exit-signal byte, which never exceeds 64).
	cloneNewFlags = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000 | 0x80
)

// SeccompProgram is the filter as the bytes of a struct sock_filter
// array, the form bwrap's --seccomp reads; nil on an architecture the
// filter does not know, where jobs run without one.
func SeccompProgram() []byte { return seccompProgram }

// seccompProgram is built once: a few hundred bytes, in microseconds.
var seccompProgram = buildSeccomp()

func buildSeccomp() []byte {
	if auditArch == 0 {
		return nil
	}
	const (
		allow = iota
		eperm
		enosys
		kill
		nLabels
	)
	// Instructions are built with symbolic jump targets, then resolved: a
	// target label l of an instruction at index i jumps to the label's
	// index at the end.
	type insn struct {
		code   uint16
		k      uint32
		jt, jf int // label+1, or 0 for "next"
	}
	var p []insn
	add := func(code uint16, k uint32, jt, jf int) { p = append(p, insn{code, k, jt, jf}) }
	const flagsCheck = nLabels // the clone/unshare flags block
	add(bpfLdAbsW, 4, 0, 0)    // arch
	add(bpfJeqK, auditArch, 0, kill+1)
	add(bpfLdAbsW, 0, 0, 0) // nr
	if x32Bit != 0 {
		add(bpfJgeK, x32Bit, eperm+1, 0)
	}
	add(bpfJeqK, sysClone, flagsCheck+1, 0)
	add(bpfJeqK, sysUnshare, flagsCheck+1, 0)
	add(bpfJeqK, sysClone3, enosys+1, 0)
	for _, nr := range deniedSyscalls {
		add(bpfJeqK, nr, eperm+1, 0)
	}
	add(bpfRetK, retAllow, 0, 0) // any other call
	// Labels follow, after every jump to them: BPF jumps only forward.
	labels := make([]int, nLabels+1)
	labels[flagsCheck] = len(p)
	add(bpfLdAbsW, 16, 0, 0) // the low 32 bits of args[0]: the flags
	add(bpfJsetK, cloneNewFlags, eperm+1, allow+1)
	labels[allow] = len(p)
	add(bpfRetK, retAllow, 0, 0)
	labels[eperm] = len(p)
	add(bpfRetK, retErrno|errnoEPERM, 0, 0)
	labels[enosys] = len(p)
	add(bpfRetK, retErrno|errnoENOSYS, 0, 0)
	labels[kill] = len(p)
	add(bpfRetK, retKill, 0, 0)

	out := make([]byte, 0, 8*len(p))
	for i, in := range p {
		rel := func(l int) uint8 {
			if l == 0 {
				return 0
			}
			return uint8(labels[l-1] - i - 1) // BPF jumps are forward and relative
		}
		f := sockFilter{code: in.code, jt: rel(in.jt), jf: rel(in.jf), k: in.k}
		// struct sock_filter, little-endian as on both known architectures.
		out = append(out, byte(f.code), byte(f.code>>8), f.jt, f.jf,
			byte(f.k), byte(f.k>>8), byte(f.k>>16), byte(f.k>>24))
	}
	return out
}

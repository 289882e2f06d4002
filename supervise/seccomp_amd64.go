package supervise

// System call numbers of linux/amd64 (golang.org/x/sys/unix zsysnum).
const (
	auditArch  = 0xC000003E // AUDIT_ARCH_X86_64
	x32Bit     = 0x40000000 // __X32_SYSCALL_BIT: x32 ABI calls are refused
	sysClone   = 56
	sysClone3  = 435
	sysUnshare = 272
)

var deniedSyscalls = []uint32{
	101, 310, 311, // ptrace, process_vm_readv, process_vm_writev
	250, 248, 249, // keyctl, add_key, request_key
	321,           // bpf
	175, 313, 176, // init_module, finit_module, delete_module
	246, 320, // kexec_load, kexec_file_load
	165, 166, 155, 161, 308, // mount, umount2, pivot_root, chroot, setns
	428, 429, 430, 431, 432, 433, 442, // open_tree, move_mount, fsopen, fsconfig, fsmount, fspick, mount_setattr
	298, 323, 304, 303, // perf_event_open, userfaultfd, open_by_handle_at, name_to_handle_at
	167, 168, 169, 163, 179, 103, // swapon, swapoff, reboot, acct, quotactl, syslog
	172, 173, // iopl, ioperm
	425, 426, 427, // io_uring_setup, io_uring_enter, io_uring_register
}

package supervise

// System call numbers of linux/arm64 (golang.org/x/sys/unix zsysnum).
const (
	auditArch  = 0xC00000B7 // AUDIT_ARCH_AARCH64
	x32Bit     = 0
	sysClone   = 220
	sysClone3  = 435
	sysUnshare = 97
)

var deniedSyscalls = []uint32{
	117, 270, 271, // ptrace, process_vm_readv, process_vm_writev
	219, 217, 218, // keyctl, add_key, request_key
	280,           // bpf
	105, 273, 106, // init_module, finit_module, delete_module
	104, 294, // kexec_load, kexec_file_load
	40, 39, 41, 51, 268, // mount, umount2, pivot_root, chroot, setns
	428, 429, 430, 431, 432, 433, 442, // open_tree, move_mount, fsopen, fsconfig, fsmount, fspick, mount_setattr
	241, 282, 265, 264, // perf_event_open, userfaultfd, open_by_handle_at, name_to_handle_at
	224, 225, 142, 89, 60, 116, // swapon, swapoff, reboot, acct, quotactl, syslog
	425, 426, 427, // io_uring_setup, io_uring_enter, io_uring_register
}

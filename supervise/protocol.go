package supervise

import (
	"errors"
	"strconv"
	"strings"
	"syscall"
)

// The worker sends a job to a supervisor as one message on the socket: a
// 4-byte big-endian length, then the spec's fields separated by NUL bytes
// (uid, gid, cgroup, key, join, home, seccomp, dir, argc, argv...,
// env...; join and home are lists separated by \x01), with the job's
// output pipe attached to the first byte (SCM_RIGHTS).

// MaxMessage bounds a job message: exec itself refuses more than a few MiB
// of arguments and environment.
const MaxMessage = 8 << 20

// Message is spec as the worker sends it (its output fd goes beside it).
func (s Spec) Message() []byte {
	seccomp := "0"
	if s.Seccomp {
		seccomp = "1"
	}
	fields := []string{strconv.Itoa(s.UID), strconv.Itoa(s.GID), s.Cgroup, s.Key,
		strings.Join(s.Join, "\x01"), strings.Join(s.Home, "\x01"), seccomp,
		s.Dir, strconv.Itoa(len(s.Argv))}
	fields = append(append(fields, s.Argv...), s.Env...)
	body := strings.Join(fields, "\x00")
	n := len(body)
	return append([]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}, body...)
}

// receive reads the next job message from fd and the file descriptor that
// came with it; an error when the socket is closed or the message is bad.
func receive(fd int) (Spec, int, error) {
	head := make([]byte, 4)
	oob := make([]byte, syscall.CmsgSpace(4))
	n, oobn, _, _, err := syscall.Recvmsg(fd, head, oob, 0)
	for err == syscall.EINTR {
		n, oobn, _, _, err = syscall.Recvmsg(fd, head, oob, 0)
	}
	if err != nil {
		return Spec{}, -1, err
	}
	if n == 0 {
		return Spec{}, -1, errors.New("closed")
	}
	out := -1
	if msgs, err := syscall.ParseSocketControlMessage(oob[:oobn]); err == nil {
		for _, m := range msgs {
			if fds, err := syscall.ParseUnixRights(&m); err == nil {
				for _, f := range fds {
					if out < 0 {
						out = f
						syscall.CloseOnExec(f)
					} else {
						syscall.Close(f)
					}
				}
			}
		}
	}
	fail := func(err error) (Spec, int, error) {
		if out >= 0 {
			syscall.Close(out)
		}
		return Spec{}, -1, err
	}
	if err := readFull(fd, head[n:]); err != nil {
		return fail(err)
	}
	size := int(head[0])<<24 | int(head[1])<<16 | int(head[2])<<8 | int(head[3])
	if size > MaxMessage {
		return fail(errors.New("message too large"))
	}
	body := make([]byte, size)
	if err := readFull(fd, body); err != nil {
		return fail(err)
	}
	if out < 0 {
		return fail(errors.New("no output pipe"))
	}
	f := strings.Split(string(body), "\x00")
	const fixed = 9
	if len(f) < fixed {
		return fail(errors.New("short message"))
	}
	var s Spec
	var err1, err2 error
	s.UID, err1 = strconv.Atoi(f[0])
	s.GID, err2 = strconv.Atoi(f[1])
	s.Cgroup, s.Key = f[2], f[3]
	if f[4] != "" {
		s.Join, s.Home = strings.Split(f[4], "\x01"), strings.Split(f[5], "\x01")
	}
	s.Seccomp = f[6] == "1"
	s.Dir = f[7]
	argc, err3 := strconv.Atoi(f[8])
	if err1 != nil || err2 != nil || err3 != nil || argc < 1 || fixed+argc > len(f) || len(s.Join) != len(s.Home) {
		return fail(errors.New("bad message"))
	}
	s.Argv = f[fixed : fixed+argc]
	for _, kv := range f[fixed+argc:] {
		if kv != "" {
			s.Env = append(s.Env, kv)
		}
	}
	return s, out, nil
}

func readFull(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := syscall.Read(fd, b)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return errors.New("closed")
		}
		b = b[n:]
	}
	return nil
}

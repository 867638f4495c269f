//go:build linux && amd64

package faketime

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"syscall"
	"time"
)

const (
	atNull        = 0
	atIgnore      = 1
	atSysinfoEhdr = 33 // the vDSO's address: hidden, so that the program asks the kernel for the time

	clockRealtime       = 0
	clockRealtimeCoarse = 5

	optExitKill = 0x100000 // PTRACE_O_EXITKILL: the program dies with its tracer
	eventExec   = 4        // PTRACE_EVENT_EXEC

	enosys = ^uint64(38 - 1) // -ENOSYS in rax: the kernel's mark of a syscall-entry stop
)

// Run starts argv (with env) with its wall clock shifted by offset and waits for it. It returns the
// program's exit status (128 + the signal if a signal ended it). Run waits for any child of this
// process: call it from a process of its own, as the faketime command does. SIGINT, SIGTERM and SIGHUP
// that reach this process are passed on to the program; if this process is killed, so is the program.
func Run(offset time.Duration, argv, env []string) (int, error) {
	if len(argv) == 0 {
		return 0, errors.New("faketime: no program")
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return 0, err
	}
	// Every ptrace request must come from the thread that started the trace.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	pid, err := syscall.ForkExec(path, argv, &syscall.ProcAttr{
		Env:   env,
		Files: []uintptr{0, 1, 2},
		Sys:   &syscall.SysProcAttr{Ptrace: true},
	})
	if err != nil {
		if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.ENOSYS) {
			return 0, fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
		return 0, err
	}
	forward := make(chan os.Signal, 4)
	signal.Notify(forward, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(forward)
	go func() {
		for s := range forward {
			syscall.Kill(pid, s.(syscall.Signal))
		}
	}()

	var ws syscall.WaitStatus
	if _, err := syscall.Wait4(pid, &ws, syscall.WALL, nil); err != nil {
		return 0, err
	}
	if !ws.Stopped() {
		return 0, fmt.Errorf("faketime: %s did not stop at exec (%v)", path, ws)
	}
	if err := hideVDSO(pid); err != nil {
		syscall.Kill(pid, syscall.SIGKILL)
		return 0, err
	}
	opts := syscall.PTRACE_O_TRACESYSGOOD | syscall.PTRACE_O_TRACECLONE | syscall.PTRACE_O_TRACEEXEC | optExitKill
	if err := syscall.PtraceSetOptions(pid, opts); err != nil {
		syscall.Kill(pid, syscall.SIGKILL)
		return 0, fmt.Errorf("faketime: PTRACE_SETOPTIONS: %w", err)
	}
	if err := syscall.PtraceSyscall(pid, 0); err != nil {
		return 0, err
	}
	for {
		tid, err := syscall.Wait4(-1, &ws, syscall.WALL, nil)
		if err != nil {
			return 0, fmt.Errorf("faketime: wait: %w", err)
		}
		switch {
		case ws.Exited():
			if tid == pid {
				return ws.ExitStatus(), nil
			}
			continue
		case ws.Signaled():
			if tid == pid {
				return 128 + int(ws.Signal()), nil
			}
			continue
		case !ws.Stopped():
			continue
		}
		sig := 0
		switch s := ws.StopSignal(); {
		case s == syscall.SIGTRAP|0x80:
			shift(tid, offset)
		case s == syscall.SIGTRAP && ws.TrapCause() == eventExec:
			// The program ran another program: its vDSO is back, hide it again.
			hideVDSO(tid)
		case s == syscall.SIGTRAP && ws.TrapCause() > 0:
			// A clone: the new thread is traced too.
		case s == syscall.SIGSTOP:
			// A new thread's first stop (or a stop we do not pass on).
		default:
			sig = int(s)
		}
		// A thread may be gone between its stop and this call (the process exiting): ESRCH is fine.
		syscall.PtraceSyscall(tid, sig)
	}
}

// shift adds offset to the result of a clock_gettime(CLOCK_REALTIME…) or gettimeofday that is returning.
func shift(tid int, offset time.Duration) {
	var regs syscall.PtraceRegs
	if syscall.PtraceGetRegs(tid, &regs) != nil || regs.Rax == enosys || regs.Rax != 0 {
		return // an entry stop, or a failed call
	}
	var nsecUnit int64
	switch {
	case regs.Orig_rax == syscall.SYS_CLOCK_GETTIME && (regs.Rdi == clockRealtime || regs.Rdi == clockRealtimeCoarse):
		nsecUnit = 1 // struct timespec
	case regs.Orig_rax == syscall.SYS_GETTIMEOFDAY && regs.Rdi != 0:
		nsecUnit = 1000 // struct timeval
	default:
		return
	}
	addr := uintptr(regs.Rsi)
	if regs.Orig_rax == syscall.SYS_GETTIMEOFDAY {
		addr = uintptr(regs.Rdi)
	}
	b := make([]byte, 16)
	if _, err := syscall.PtracePeekData(tid, addr, b); err != nil {
		return
	}
	t := time.Unix(int64(binary.LittleEndian.Uint64(b)), int64(binary.LittleEndian.Uint64(b[8:]))*nsecUnit).Add(offset)
	binary.LittleEndian.PutUint64(b, uint64(t.Unix()))
	binary.LittleEndian.PutUint64(b[8:], uint64(int64(t.Nanosecond())/nsecUnit))
	syscall.PtracePokeData(tid, addr, b)
}

// hideVDSO turns the auxiliary vector's AT_SYSINFO_EHDR entry of a program stopped at exec into
// AT_IGNORE: without the vDSO, the program reads the clock through the system call, which ptrace sees.
func hideVDSO(pid int) error {
	var regs syscall.PtraceRegs
	if err := syscall.PtraceGetRegs(pid, &regs); err != nil {
		return fmt.Errorf("faketime: PTRACE_GETREGS: %w", err)
	}
	word := func(p uintptr) (uint64, error) {
		b := make([]byte, 8)
		if _, err := syscall.PtracePeekData(pid, p, b); err != nil {
			return 0, fmt.Errorf("faketime: reading the new program's stack: %w", err)
		}
		return binary.LittleEndian.Uint64(b), nil
	}
	// At exec the stack holds argc, argv…, 0, envp…, 0, then the auxiliary vector's pairs up to AT_NULL.
	sp := uintptr(regs.Rsp)
	argc, err := word(sp)
	if err != nil {
		return err
	}
	p := sp + 8 + uintptr(argc+1)*8
	for {
		w, err := word(p)
		if err != nil {
			return err
		}
		p += 8
		if w == 0 {
			break
		}
	}
	for {
		t, err := word(p)
		if err != nil {
			return err
		}
		switch t {
		case atNull:
			return errors.New("faketime: the program has no vDSO entry to hide")
		case atSysinfoEhdr:
			b := make([]byte, 8)
			binary.LittleEndian.PutUint64(b, atIgnore)
			if _, err := syscall.PtracePokeData(pid, p, b); err != nil {
				return fmt.Errorf("faketime: hiding the vDSO: %w", err)
			}
			return nil
		}
		p += 16
	}
}

package pseudonym

import "syscall"

// childAttr has the child process killed if the run dies (even by SIGKILL),
// so that it never writes on after the run that started it.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

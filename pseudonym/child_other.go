//go:build !linux

package pseudonym

import "syscall"

func childAttr() *syscall.SysProcAttr { return nil }

package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"golang.org/x/term"
)

// An office's token never goes on the command line: every user of the PC can read a process's
// arguments (ps, /proc/PID/cmdline). It comes from a file (--token-file, "-" for standard input),
// from $TECHAID_TOKEN (a process's environment is readable by its own user and root only), from the
// store, which keeps it sealed (sync/client), or is typed at a prompt that does not echo it.

// errTokenFlag refuses --token: it has shown the token to the whole PC by the time we read it.
var errTokenFlag = errors.New("不再接受 --token：命令行上的令牌本机所有用户都能看到（ps），请改用 --token-file 文件 或环境变量 TECHAID_TOKEN，" +
	"并请市局考虑换发令牌 (--token is refused: a command line is visible to every user; use --token-file FILE or $TECHAID_TOKEN)")

// givenToken is the token given for this run, from --token-file or $TECHAID_TOKEN; "" if neither.
func (c *cli) givenToken(file string) (string, error) {
	var raw []byte
	var err error
	switch file {
	case "":
		return strings.TrimSpace(os.Getenv("TECHAID_TOKEN")), nil
	case "-":
		raw, err = io.ReadAll(io.LimitReader(c.stdin, 4096))
	default:
		raw, err = os.ReadFile(file)
		if fi, serr := os.Stat(file); err == nil && serr == nil && runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
			fmt.Fprintf(c.stderr, "techaid-cli: 注意：令牌文件 %s 本机其他用户也能读取，请执行 chmod 600 %s (the token file is readable by others)\n", file, file)
		}
	}
	if err != nil {
		return "", fmt.Errorf("--token-file: %w", err)
	}
	tok := strings.TrimSpace(string(raw))
	if tok == "" || strings.ContainsAny(tok, " \t\r\n") {
		return "", fmt.Errorf("--token-file %s: want the token alone on one line", file)
	}
	return tok, nil
}

// promptToken asks for the token on the terminal without echoing it; "" if standard input is not a
// terminal (a script: it must say --token-file or $TECHAID_TOKEN).
func (c *cli) promptToken() (string, error) {
	f, ok := c.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", nil
	}
	fmt.Fprint(c.stderr, "市局发给本单位的令牌（输入时不显示）/ token: ")
	raw, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(c.stderr)
	if err != nil {
		return "", fmt.Errorf("read the token: %w", err)
	}
	return strings.TrimSpace(string(raw)), nil
}

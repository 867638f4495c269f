package update

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/ulikunitz/xz"
)

// Pending is an installation prepared while the app runs and launched once it has closed its store.
type Pending struct {
	// Path is the program started by Launch: the installer (Windows) or the new program (Linux).
	Path string
	// Args are its arguments.
	Args []string
}

// ErrReadOnly is a Linux program file the clerk may not replace (installed by the administrator into
// /usr/local): its message, in Chinese, says where the new version waits and what to run.
var ErrReadOnly = errors.New("read-only program")

type readOnly struct{ msg string }

func (e readOnly) Error() string        { return e.msg }
func (e readOnly) Is(target error) bool { return target == ErrReadOnly }

// Prepare readies the installation of a verified download for the running program exe
// (os.Executable) with the arguments it was started with:
//   - a Windows installer (.exe) is run as "SETUP.exe /S /RUN" by Launch: it finds the installed copy,
//     waits for this program to exit, replaces it, keeps the data folder and starts the new version;
//   - a Linux package (.tar.xz, as package.sh makes it) gives its program file, which replaces exe
//     now (a rename: the running program keeps its own until it exits), and Launch starts it with
//     args. Where the clerk may not write exe (an administrator's install into /usr/local) nothing is
//     changed and the error, ErrReadOnly, says in Chinese where the download is and what to run.
func Prepare(download, exe string, args []string) (*Pending, error) {
	switch {
	case strings.HasSuffix(download, ".exe"):
		return &Pending{Path: download, Args: []string{"/S", "/RUN"}}, nil
	case strings.HasSuffix(download, ".tar.xz"):
		if err := replaceFromTarball(download, exe); err != nil {
			return nil, err
		}
		return &Pending{Path: exe, Args: args}, nil
	}
	return nil, fmt.Errorf("%s: not an installer this program knows", filepath.Base(download))
}

// Launch starts the pending program detached from this one, which should then exit at once.
func (p *Pending) Launch() error {
	cmd := exec.Command(p.Path, p.Args...)
	cmd.Dir = filepath.Dir(p.Path)
	detach(cmd)
	if err := cmd.Start(); err != nil {
		return err
	}
	return cmd.Process.Release()
}

// programInTarball is where package.sh's tarball (fyne package) holds the program.
const programInTarball = "techaid/usr/local/bin/techaid"

// replaceFromTarball writes the tarball's program beside exe and renames it over exe.
func replaceFromTarball(tarball, exe string) error {
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	dir := filepath.Dir(exe)
	tmp, err := os.CreateTemp(dir, ".techaid-new-*")
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			return readOnly{fmt.Sprintf("新版本已下载到 %s；本机的程序 %s 由管理员安装，请管理员解压后运行 sudo make install", tarball, exe)}
		}
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := extractProgram(tarball, tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o755); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), exe); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

func extractProgram(tarball string, out io.Writer) error {
	f, err := os.Open(tarball)
	if err != nil {
		return err
	}
	defer f.Close()
	xr, err := xz.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(tarball), err)
	}
	tr := tar.NewReader(xr)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return fmt.Errorf("%s: no %s in it", filepath.Base(tarball), programInTarball)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(tarball), err)
		}
		if filepath.Clean(hdr.Name) == programInTarball && hdr.Typeflag == tar.TypeReg {
			_, err := io.Copy(out, tr)
			return err
		}
	}
}

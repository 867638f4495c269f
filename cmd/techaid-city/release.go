package main

// release: the app's releases the hub serves to offices (upgrades from the city).

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"

	"techaid/cmd/internal/cmdline"
	"techaid/sync/hub"
	"techaid/sync/update"
)

// releasesDir is where the city keeps the releases it serves: a folder in its data folder, which the
// service may write (a restore, which puts the data folder aside, leaves them in the copy it keeps:
// add the release again after one).
func (c *city) releasesDir() string { return filepath.Join(c.dir, "releases") }

// release add FILE [--version V] [--platform P] | release list [--json]
func (c *city) release(args []string) error {
	if len(args) == 0 {
		return errUsage
	}
	switch args[0] {
	case "add":
		return c.releaseAdd(args[1:])
	case "list":
		return c.releaseList(args[1:])
	}
	return errUsage
}

// packaged names what package.sh makes: techaid-setup-VERSION-windows-amd64.exe,
// techaid-VERSION-linux-amd64.tar.xz.
var packaged = regexp.MustCompile(`^techaid(?:-setup)?-(.+)-((?:windows|linux)-(?:amd64|arm64))(?:\.exe|\.tar\.xz)$`)

func (c *city) releaseAdd(args []string) error {
	fs := flag.NewFlagSet("release add", flag.ContinueOnError)
	version := fs.String("version", "", "the release's version (default: read from the file name package.sh gives)")
	platform := fs.String("platform", "", "windows-amd64 or linux-amd64 (default: read from the file name)")
	pos, err := parse(fs, c, args, 1)
	if err != nil {
		return err
	}
	src := pos[0]
	if m := packaged.FindStringSubmatch(filepath.Base(src)); m != nil {
		if *version == "" {
			*version = m[1]
		}
		if *platform == "" {
			*platform = m[2]
		}
	}
	if *version == "" || *platform == "" {
		return fmt.Errorf("%s: the file name is not one package.sh makes: give --version and --platform (文件名不是打包脚本生成的，请写明版本和平台)", filepath.Base(src))
	}
	if !update.Newer(*version, "0.0.0") {
		return fmt.Errorf("--version %q: want a version like 0.5.0 (版本号应当像 0.5.0)", *version)
	}
	switch {
	case strings.HasPrefix(*platform, "windows-") && !strings.HasSuffix(src, ".exe"):
		return fmt.Errorf("%s: a Windows release is the installer, techaid-setup-….exe (Windows 版请发布安装程序)", filepath.Base(src))
	case strings.HasPrefix(*platform, "linux-") && !strings.HasSuffix(src, ".tar.xz"):
		return fmt.Errorf("%s: a Linux release is the package, techaid-….tar.xz (Linux 版请发布 .tar.xz 软件包)", filepath.Base(src))
	}
	if _, err := os.Stat(c.dir); err != nil {
		return fmt.Errorf("%s: no city data here yet (techaid-city office add creates it; 尚未建立市局数据): %w", c.dir, err)
	}
	signed := false
	if strings.HasSuffix(src, ".exe") {
		if signed, err = update.HasSignature(src); err != nil {
			return fmt.Errorf("%s: %w", src, err)
		}
	}
	rel, err := hub.AddRelease(c.releasesDir(), src, *version, *platform, signed)
	if err != nil {
		return err
	}
	sig := "未签名 (unsigned)"
	if rel.Signed {
		sig = "已签名：各单位安装前检查签名 (signed)"
	}
	fmt.Fprintf(c.stdout, "已发布 %s 版本 %s：%s，%d 字节，SHA-256 %s，%s\n", rel.Platform, rel.Version, rel.File, rel.Size, rel.SHA256, sig)
	fmt.Fprintln(c.stdout, "各单位下次连接市局时下载，并在状态栏提示“有新版本” (offices fetch it on their next connection)")
	return nil
}

func (c *city) releaseList(args []string) error {
	fs := flag.NewFlagSet("release list", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "JSON output")
	if _, err := parse(fs, c, args, 0); err != nil {
		return err
	}
	all, err := hub.ReadReleases(c.releasesDir())
	if err != nil {
		return err
	}
	if *asJSON {
		return cmdline.PrintJSON(c.stdout, all)
	}
	if len(all) == 0 {
		fmt.Fprintln(c.stdout, "市局没有发布新版本 (no releases)")
		return nil
	}
	w := tabwriter.NewWriter(c.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "平台\t版本\t文件\t字节\t签名\tSHA-256")
	for _, p := range slices.Sorted(maps.Keys(all)) {
		r := all[p]
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%v\t%s\n", r.Platform, r.Version, r.File, r.Size, r.Signed, r.SHA256)
	}
	return w.Flush()
}

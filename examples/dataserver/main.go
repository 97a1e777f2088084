// Command dataserver is the example of a service whose image carries files
// besides its binary: configuration, SQL migrations, ko's kodata/ and a
// data directory it owns, on a distroless base without a shell. Its flags
// let a test look inside the image through the binary itself:
//
//	dataserver                 summary of what it found
//	dataserver -health         the healthcheck: exit 0 when the files are there
//	dataserver -stat PATH      mode, owner and size of PATH
//	dataserver -cat PATH       the contents of PATH
//	dataserver -write          writes a file into the data directory
//	dataserver -serve          runs until stopped, and says by which signal
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

const (
	configFile    = "/etc/dataserver/app.yaml"
	migrationsDir = "/usr/share/dataserver/migrations"
	dataDir       = "/var/lib/dataserver"
)

func main() {
	health := flag.Bool("health", false, "check that the files are in place")
	stat := flag.String("stat", "", "print mode, owner and size of a path")
	cat := flag.String("cat", "", "print a file")
	write := flag.Bool("write", false, "write a file into the data directory")
	serve := flag.Bool("serve", false, "run until stopped")
	flag.Parse()
	var err error
	switch {
	case *serve:
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
		fmt.Println("dataserver: serving")
		fmt.Println("dataserver: stopped by", <-stop)
	case *health:
		err = check()
		if err == nil {
			fmt.Println("healthy")
		}
	case *stat != "":
		var line string
		line, err = describe(*stat)
		fmt.Println(line)
	case *cat != "":
		var b []byte
		b, err = os.ReadFile(*cat)
		os.Stdout.Write(b)
	case *write:
		p := filepath.Join(dataDir, "probe")
		err = os.WriteFile(p, []byte("ok\n"), 0o600)
		if err == nil {
			fmt.Println("wrote " + p)
		}
	default:
		var line string
		line, err = summary()
		fmt.Println(line)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "dataserver:", err)
		os.Exit(1)
	}
}

// check is the healthcheck: the configuration and the migrations are there.
func check() error {
	if _, err := os.Stat(configFile); err != nil {
		return err
	}
	m, err := migrations()
	if err != nil {
		return err
	}
	if len(m) == 0 {
		return fmt.Errorf("no migrations in %s", migrationsDir)
	}
	return nil
}

func migrations() ([]string, error) {
	m, err := filepath.Glob(filepath.Join(migrationsDir, "*.sql"))
	sort.Strings(m)
	return m, err
}

// summary says what the image holds.
func summary() (string, error) {
	cfg, err := os.ReadFile(configFile)
	if err != nil {
		return "", err
	}
	listen := setting(string(cfg), "listen")
	m, err := migrations()
	if err != nil {
		return "", err
	}
	banner, err := os.ReadFile(filepath.Join(os.Getenv("KO_DATA_PATH"), "banner.txt"))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("dataserver: listen %s, %d migrations, %s", listen, len(m), strings.TrimSpace(string(banner))), nil
}

// setting reads `name: value` from a YAML file of flat keys.
func setting(yaml, name string) string {
	for _, line := range strings.Split(yaml, "\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	return ""
}

// describe prints a path's type, mode, owner and (for a file) size as a
// test compares them.
func describe(path string) (string, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return "", err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "", fmt.Errorf("no owner for %s", path)
	}
	line := fmt.Sprintf("%s %%s %04o %d:%d", path, fi.Mode().Perm()|special(fi.Mode()), st.Uid, st.Gid)
	if fi.IsDir() {
		// A directory's size depends on the file system.
		return fmt.Sprintf(line, "dir"), nil
	}
	return fmt.Sprintf(line, "file") + fmt.Sprintf(" %d", fi.Size()), nil
}

// special is the setuid, setgid and sticky bits as octal mode bits.
func special(m os.FileMode) os.FileMode {
	var out os.FileMode
	if m&os.ModeSetuid != 0 {
		out |= 0o4000
	}
	if m&os.ModeSetgid != 0 {
		out |= 0o2000
	}
	if m&os.ModeSticky != 0 {
		out |= 0o1000
	}
	return out
}

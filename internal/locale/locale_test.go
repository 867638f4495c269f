package locale

import (
	"maps"
	"testing"
)

func TestDefault(t *testing.T) {
	for _, c := range []struct {
		name    string
		env     map[string]string
		want    map[string]string
		changed bool
	}{
		{"nothing set", map[string]string{}, map[string]string{"LC_MESSAGES": Fallback}, true},
		{"LANG=C.UTF-8 (Debian's default)", map[string]string{"LANG": "C.UTF-8"},
			map[string]string{"LANG": "C.UTF-8", "LC_MESSAGES": Fallback}, true},
		{"LANG=C", map[string]string{"LANG": "C"}, map[string]string{"LANG": "C", "LC_MESSAGES": Fallback}, true},
		{"LANG=POSIX", map[string]string{"LANG": "POSIX"}, map[string]string{"LANG": "POSIX", "LC_MESSAGES": Fallback}, true},
		{"LC_ALL=C.UTF-8 moves to LANG", map[string]string{"LC_ALL": "C.UTF-8", "LANG": "en_US.UTF-8"},
			map[string]string{"LANG": "C.UTF-8", "LC_MESSAGES": Fallback}, true},
		{"a language is named", map[string]string{"LANG": "en_US.UTF-8"}, map[string]string{"LANG": "en_US.UTF-8"}, false},
		{"Chinese", map[string]string{"LANG": "zh_CN.UTF-8"}, map[string]string{"LANG": "zh_CN.UTF-8"}, false},
		{"LC_MESSAGES names one over LANG=C", map[string]string{"LANG": "C", "LC_MESSAGES": "en_GB.UTF-8"},
			map[string]string{"LANG": "C", "LC_MESSAGES": "en_GB.UTF-8"}, false},
		{"LC_ALL names one", map[string]string{"LC_ALL": "en_US.UTF-8", "LANG": "C"},
			map[string]string{"LC_ALL": "en_US.UTF-8", "LANG": "C"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := maps.Clone(c.env)
			changed := Default(func(k string) string { return env[k] },
				func(k, v string) error { env[k] = v; return nil },
				func(k string) error { delete(env, k); return nil })
			if changed != c.changed || !maps.Equal(env, c.want) {
				t.Errorf("Default(%v) = %v, env %v; want %v, env %v", c.env, changed, env, c.changed, c.want)
			}
		})
	}
}

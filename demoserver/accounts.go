package demoserver

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// DefaultAccounts returns the built-in demo accounts: users 1001 to 1005,
// each with the password "pass" followed by the user name (1001 → pass1001).
func DefaultAccounts() map[string]string {
	acc := make(map[string]string, 5)
	for i := 1001; i <= 1005; i++ {
		user := fmt.Sprint(i)
		acc[user] = "pass" + user
	}
	return acc
}

// LoadAccounts reads an accounts file: one `user:password` per line. Blank
// lines and lines starting with '#' are ignored; surrounding spaces are
// trimmed. The password may contain ':' (only the first one separates).
func LoadAccounts(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	defer f.Close()
	acc := make(map[string]string)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		user, pass, ok := strings.Cut(line, ":")
		user, pass = strings.TrimSpace(user), strings.TrimSpace(pass)
		if !ok || user == "" || pass == "" {
			return nil, fmt.Errorf("accounts: %s:%d: want user:password", path, n)
		}
		if strings.ContainsAny(user, " \t@;<>\"") {
			return nil, fmt.Errorf("accounts: %s:%d: invalid user name %q", path, n, user)
		}
		acc[user] = pass
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	if len(acc) == 0 {
		return nil, fmt.Errorf("accounts: %s holds no accounts", path)
	}
	return acc, nil
}

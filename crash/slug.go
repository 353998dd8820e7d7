package crash

import "strings"

// Slug is the crasher directory name of a title: lower case, runs of
// anything but [a-z0-9] as one '-', at most 80 bytes ("memory leak in
// of_changeset_destroy" -> "memory-leak-in-of-changeset-destroy").
func Slug(title string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(title) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimSuffix(b.String(), "-")
	if len(s) > 80 {
		s = strings.TrimSuffix(s[:80], "-")
	}
	if s == "" {
		s = "untitled"
	}
	return s
}

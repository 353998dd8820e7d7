package prog

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
)

// Blob files (.dtb, .dtbo) hold a flattened device tree, as dtc writes it,
// base64-encoded (RFC 4648 standard alphabet, with padding) in lines of at
// most 76 characters, so the program stays a text archive that txtar
// tools extract and "base64 -d" turns back into the blob.

// IsBlob reports whether the archive file name holds a base64 blob.
func IsBlob(name string) bool {
	return strings.HasSuffix(name, ".dtbo") || strings.HasSuffix(name, ".dtb")
}

// Blob returns the decoded bytes of a blob file.
func (f *File) Blob() ([]byte, error) {
	if !IsBlob(f.Name) {
		return nil, fmt.Errorf("%s is not a blob file", f.Name)
	}
	if l, msg := checkBase64(f.Data); msg != "" {
		return nil, fmt.Errorf("%s:%d: %s", f.Name, l, msg)
	}
	return base64.StdEncoding.DecodeString(string(bytes.Join(bytes.Fields(f.Data), nil)))
}

// EncodeBlob returns blob as the content of a blob file.
func EncodeBlob(blob []byte) []byte {
	s := base64.StdEncoding.EncodeToString(blob)
	var b bytes.Buffer
	for len(s) > 76 {
		b.WriteString(s[:76])
		b.WriteByte('\n')
		s = s[76:]
	}
	if s != "" {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// checkBase64 returns the 1-based line of the first problem in a blob
// file's content and what is wrong, or (0, "").
func checkBase64(data []byte) (int, string) {
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	var all []byte
	for i, l := range lines {
		l = bytes.TrimSuffix(l, []byte("\r"))
		for _, c := range l {
			if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=') {
				return i + 1, fmt.Sprintf("bad base64 character %q", c)
			}
		}
		all = append(all, l...)
	}
	if len(all) == 0 {
		return 1, "empty blob"
	}
	if _, err := base64.StdEncoding.DecodeString(string(all)); err != nil {
		return len(lines), fmt.Sprintf("bad base64: %v", err)
	}
	return 0, ""
}

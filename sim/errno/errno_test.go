package errno

import "testing"

func TestErrno(t *testing.T) {
	if ENODEV.Error() != "-ENODEV" || Of(ENODEV) != -19 || Of(nil) != 0 || Of(EPROBE_DEFER) != -517 {
		t.Fatal("errno names or numbers wrong")
	}
	if Errno(-99).Error() != "-99" {
		t.Fatal("unknown errno should print its number")
	}
}

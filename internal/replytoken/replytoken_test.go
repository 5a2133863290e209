package replytoken

import "testing"

func TestRoundTripAndForgery(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	tok := New(secret, 1042)
	if id, ok := Verify(secret, tok); !ok || id != 1042 {
		t.Fatalf("Verify(%q) = %d %v", tok, id, ok)
	}
	mid := MessageID(tok, "desk.example.org")
	if got := FromMessageID("<" + mid + ">"); got != tok {
		t.Fatalf("FromMessageID = %q", got)
	}
	if got := FromText("ありがとうございます。\n> 以前のメール [ref:t1.aaaaaaaa.bbbbbbbbbbbbbbbb]\n" + Footer(tok)); got != tok {
		t.Fatalf("FromText = %q", got)
	}
	// Changing the ticket number, or signing with another key, breaks it.
	for _, bad := range []string{"t1043" + tok[5:], New([]byte("other key"), 1042), "", "t1042", "garbage.x.y"} {
		if _, ok := Verify(secret, bad); ok {
			t.Errorf("forged token %q verified", bad)
		}
	}
}
